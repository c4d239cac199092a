import { describe, expect, it } from 'vitest';
import { balancedDesign } from '../../src/ufm/design.js';
import { ufmObjective, unpackUfm } from '../../src/ufm/objective.js';
import { solveUfmTheory } from '../../src/ufm/theory.js';
import { minimizeLbfgs } from '../../src/ufm/lbfgs.js';
import { randomUfmPoint } from '../../src/ufm/init.js';
import { ncMetrics } from '../../src/geometry/index.js';
import { Rng } from '../../src/util/rng.js';
import { REFERENCE_OPTIMA, relDiff } from './helpers.js';

describe('reference optima (independent float64 full-UFM runs)', () => {
  for (const ref of REFERENCE_OPTIMA) {
    it(`case ${ref.name}: the theory solver matches to 1e-7`, () => {
      const th = solveUfmTheory({ K: ref.K, perSetCount: ref.perSetCount, loss: ref.loss, lambdaW: ref.lambda, lambdaH: ref.lambda });
      expect(th.trivial).toBe(false);
      expect(relDiff(th.objective, ref.objective)).toBeLessThan(1e-7);
      expect(relDiff(th.rowNorm, ref.rowNorm)).toBeLessThan(1e-7);
      for (const [m, rho] of Object.entries(ref.rho)) expect(relDiff(th.rho[Number(m)], rho)).toBeLessThan(1e-7);
    });

    it(`case ${ref.name}: L-BFGS from random starts matches to 1e-7`, () => {
      const des = balancedDesign(ref.K, ref.perSetCount);
      const problem = { K: ref.K, d: ref.d, labels: des.labels, loss: ref.loss, lambdaW: ref.lambda, lambdaH: ref.lambda, lambdaB: ref.lambdaB };
      const obj = ufmObjective(problem);
      for (const seed of [1, 2]) {
        const r = minimizeLbfgs(obj.evaluate, randomUfmPoint(problem, new Rng(seed)), { tol: 1e-9 });
        expect(r.stopReason).toBe('tolerance');
        expect(relDiff(r.objective, ref.objective)).toBeLessThan(1e-7);
        const { W, H, b } = unpackUfm(problem, des.N, r.x);
        const nc = ncMetrics({ features: H, labels: des.labels, K: ref.K, classifier: W, bias: b });
        expect(relDiff(nc.wNorm as number, ref.rowNorm)).toBeLessThan(1e-7);
        for (const [m, rho] of Object.entries(ref.rho)) expect(relDiff(nc.rho[m].mean, rho)).toBeLessThan(1e-7);
        expect(nc.bNorm as number).toBeLessThan(1e-7);
      }
    });
  }
});
