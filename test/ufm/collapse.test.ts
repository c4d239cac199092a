import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { balancedDesign } from '../../src/ufm/design.js';
import { ufmObjective, unpackUfm } from '../../src/ufm/objective.js';
import type { PalLoss } from '../../src/ufm/pal.js';
import { solveUfmTheory } from '../../src/ufm/theory.js';
import { minimizeLbfgs } from '../../src/ufm/lbfgs.js';
import { randomUfmPoint } from '../../src/ufm/init.js';
import { ncMetrics } from '../../src/geometry/index.js';
import { Rng } from '../../src/util/rng.js';
import { balancedDesignArb, relDiff } from './helpers.js';

/** Balanced designs with multiplicities up to 3 (and sometimes m = K), d ≥ K − 1, weak-enough regularisation. */
const caseArb = balancedDesignArb(3, 5, 3, 3).chain(({ K, perSetCount }) =>
  fc.record({
    K: fc.constant(K),
    perSetCount: fc.boolean().map((all) => (all ? { ...perSetCount, [K]: 1 } : perSetCount)),
    d: fc.integer({ min: K - 1, max: K + 2 }),
    loss: fc.constantFrom<PalLoss>('pal', 'pal-n'),
    lambdaW: fc.double({ min: 2e-3, max: 1e-2, noNaN: true }),
    lambdaH: fc.double({ min: 2e-3, max: 1e-2, noNaN: true }),
    lambdaB: fc.constantFrom(1e-3, 1e-2),
    seed: fc.integer({ min: 0, max: 1e6 }),
  }),
);

describe('full-UFM L-BFGS from random starts reaches the predicted collapse', () => {
  it('objective, ρ_m, ‖w_k‖ and the NC metrics agree with the reduced theory', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const th = solveUfmTheory(c);
        expect(th.trivial).toBe(false); // λ ≤ 1e-2 here; the trivial case has its own test
        const des = balancedDesign(c.K, c.perSetCount);
        const problem = { ...c, labels: des.labels };
        const obj = ufmObjective(problem);
        const r = minimizeLbfgs(obj.evaluate, randomUfmPoint(problem, new Rng(c.seed)), { tol: 1e-9 });
        expect(r.stopReason).toBe('tolerance');
        expect(relDiff(r.objective, th.objective)).toBeLessThan(1e-8);
        const theoryRho: Record<string, number> = {};
        for (const mm of th.multiplicities) if (mm.m >= 2 && mm.m < c.K) theoryRho[String(mm.m)] = mm.rho as number;
        const { W, H, b } = unpackUfm(problem, des.N, r.x);
        const nc = ncMetrics({ features: H, labels: des.labels, K: c.K, classifier: W, bias: b, theoryRho });
        expect(nc.nc1).toBeLessThan(1e-6);
        expect(nc.nc2W as number).toBeLessThan(1e-6);
        expect(nc.nc2H).toBeLessThan(1e-6);
        expect(nc.nc3 as number).toBeLessThan(1e-6);
        expect(nc.bNorm as number).toBeLessThan(1e-6);
        expect(relDiff(nc.wNorm as number, th.rowNorm)).toBeLessThan(1e-6);
        for (const key of Object.keys(theoryRho)) {
          expect(nc.rho[key].relErr as number).toBeLessThan(1e-6);
          expect(nc.rho[key].directionErrorDeg).toBeLessThan(1e-4);
        }
      }),
      { numRuns: 15, seed: 71 },
    );
  });
});
