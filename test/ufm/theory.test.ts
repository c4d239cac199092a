import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { balancedDesign, explicitDesign } from '../../src/ufm/design.js';
import { maxAbs, ufmObjective } from '../../src/ufm/objective.js';
import { palWeight, type PalLoss } from '../../src/ufm/pal.js';
import { reducedObjective, solveUfmTheory, theoryInputOf } from '../../src/ufm/theory.js';
import { theoryPoint } from '../../src/ufm/theoryPoint.js';
import { minimizeLbfgs } from '../../src/ufm/lbfgs.js';
import { randomUfmPoint } from '../../src/ufm/init.js';
import { Rng } from '../../src/util/rng.js';
import { balancedDesignArb, relDiff } from './helpers.js';

/** Random balanced designs (multiplicities up to 3, sometimes m = K too), λ, loss, d ≥ K−1 and a seed. */
const caseArb = balancedDesignArb(3, 6, 3, 3).chain(({ K, perSetCount }) =>
  fc.record({
    K: fc.constant(K),
    perSetCount: fc.boolean().map((all) => (all ? { ...perSetCount, [K]: 1 } : perSetCount)),
    d: fc.integer({ min: K - 1, max: K + 2 }),
    loss: fc.constantFrom<PalLoss>('pal', 'pal-n'),
    lambdaW: fc.double({ min: 1e-3, max: 3e-2, noNaN: true }),
    lambdaH: fc.double({ min: 1e-3, max: 3e-2, noNaN: true }),
    lambdaB: fc.constantFrom(0, 1e-2),
    seed: fc.integer({ min: 0, max: 1e6 }),
  }),
);

/** What a property run exercised: the trivial optimum (W = H = 0) makes most checks vacuous, so tests count the rest. */
function caseCounter() {
  const seen = { nonTrivial: 0, withMultiplicityK: 0, withRho: 0 };
  return {
    seen,
    note(c: { K: number; perSetCount: Record<number, number> }, th: ReturnType<typeof solveUfmTheory>): void {
      if (th.trivial) return;
      seen.nonTrivial++;
      if (c.perSetCount[c.K] !== undefined) seen.withMultiplicityK++;
      if (th.multiplicities.some((mm) => mm.m >= 2 && mm.m < c.K)) seen.withRho++;
    },
  };
}

describe('solveUfmTheory', () => {
  it('returns a stationary point of the full UFM whose objective equals the reduced F', () => {
    const count = caseCounter();
    fc.assert(
      fc.property(caseArb, (c) => {
        const th = solveUfmTheory(c);
        count.note(c, th);
        const des = balancedDesign(c.K, c.perSetCount);
        const obj = ufmObjective({ ...c, labels: des.labels });
        const x = theoryPoint(th, des.labels, c.d, new Rng(c.seed));
        const g = new Float64Array(obj.size);
        const f = obj.evaluate(x, g);
        expect(maxAbs(g)).toBeLessThan(1e-8);
        expect(relDiff(f, th.objective)).toBeLessThan(1e-12);
        expect(relDiff(reducedObjective(c, th.s, th.multiplicities.map((mm) => mm.u)), th.objective)).toBeLessThan(1e-14);
        expect(th.objective).toBeLessThanOrEqual(th.trivialObjective);
      }),
      { numRuns: 20, seed: 61 },
    );
    // Most of the 20 cases must have a non-zero optimum, some with h_S = 0 for m = K and some with a ρ_m to check.
    expect(count.seen.nonTrivial).toBeGreaterThanOrEqual(15);
    expect(count.seen.withMultiplicityK).toBeGreaterThanOrEqual(3);
    expect(count.seen.withRho).toBeGreaterThanOrEqual(5);
  });

  it('returns γ_m that solve γ·N·λ_H·(m·e^{γα} + K − m) = K·c_m, and 1 < ρ_m < m for 2 ≤ m < K', () => {
    const count = caseCounter();
    fc.assert(
      fc.property(caseArb, (c) => {
        const th = solveUfmTheory(c);
        count.note(c, th);
        if (th.trivial) return; // no γ or ρ at W = H = 0; counted below
        for (const mm of th.multiplicities) {
          if (mm.m === c.K) {
            expect(mm.u).toBe(0);
            expect(mm.rho).toBe(0);
            continue;
          }
          const lhs = mm.gamma * th.N * c.lambdaH * (mm.m * Math.exp(mm.gamma * th.alpha) + c.K - mm.m);
          expect(relDiff(lhs, c.K * palWeight(c.loss, mm.m))).toBeLessThan(1e-12);
          if (mm.m === 1) expect(mm.rho).toBe(1);
          else {
            expect(mm.rho as number).toBeGreaterThan(1);
            expect(mm.rho as number).toBeLessThan(mm.m);
          }
          expect(relDiff(mm.featureNorm, mm.u * Math.sqrt((mm.m * (c.K - mm.m)) / c.K))).toBeLessThan(1e-15);
        }
        expect(relDiff(th.rowNorm, th.s * Math.sqrt((c.K - 1) / c.K))).toBeLessThan(1e-15);
      }),
      { numRuns: 20, seed: 62 },
    );
    expect(count.seen.nonTrivial).toBeGreaterThanOrEqual(15);
    expect(count.seen.withMultiplicityK).toBeGreaterThanOrEqual(3);
    expect(count.seen.withRho).toBeGreaterThanOrEqual(5);
  });

  it('returns a global minimiser: no (s, u) on a grid does better (F is separable in u_m for fixed s)', () => {
    const count = caseCounter();
    fc.assert(
      fc.property(caseArb, (c) => {
        const th = solveUfmTheory(c);
        count.note(c, th);
        const ms = th.multiplicities.map((mm) => mm.m);
        const sMax = 2 * th.s + 5;
        const uMax = 2 * Math.max(...th.multiplicities.map((mm) => mm.u)) + 5;
        for (let i = 0; i <= 60; i++) {
          const s = (sMax * i) / 60;
          // Best u for each multiplicity separately, by scanning: vary one u_m with the others at 0.
          const best = ms.map(() => 0);
          const base = reducedObjective(c, s, best);
          ms.forEach((_, t) => {
            let bestDelta = 0;
            for (let j = 1; j <= 200; j++) {
              const u = ms.map(() => 0);
              u[t] = (uMax * j) / 200;
              const delta = reducedObjective(c, s, u) - base;
              if (delta < bestDelta) {
                bestDelta = delta;
                best[t] = u[t];
              }
            }
          });
          expect(reducedObjective(c, s, best)).toBeGreaterThanOrEqual(th.objective - 1e-13);
        }
      }),
      { numRuns: 10, seed: 63 },
    );
    expect(count.seen.nonTrivial).toBeGreaterThanOrEqual(7);
  });

  it('reports the trivial minimum s = 0 under strong regularisation, where L-BFGS on the full UFM also goes to 0', () => {
    const K = 4, d = 5, perSetCount = { 1: 2, 2: 1 };
    for (const loss of ['pal', 'pal-n'] as const) {
      const lambda = 0.5;
      const th = solveUfmTheory({ K, perSetCount, loss, lambdaW: lambda, lambdaH: lambda });
      expect(th.trivial).toBe(true);
      expect(th.s).toBe(0);
      expect(th.rho).toEqual({});
      for (const mm of th.multiplicities) expect(mm.rho).toBeNull();
      const des = balancedDesign(K, perSetCount);
      const expected = (des.samplesPerMultiplicity[1] * palWeight(loss, 1) * Math.log(K) + des.samplesPerMultiplicity[2] * palWeight(loss, 2) * 2 * Math.log(K)) / des.N;
      expect(relDiff(th.objective, expected)).toBeLessThan(1e-14);
      const obj = ufmObjective({ K, d, labels: des.labels, loss, lambdaW: lambda, lambdaH: lambda, lambdaB: 1e-2 });
      const r = minimizeLbfgs(obj.evaluate, randomUfmPoint({ K, d, labels: des.labels }, new Rng(5), 1), { tol: 1e-10 });
      expect(r.stopReason).toBe('tolerance');
      expect(maxAbs(r.x)).toBeLessThan(1e-8);
      expect(relDiff(r.objective, th.objective)).toBeLessThan(1e-12);
    }
  });

  it('returns a non-trivial optimum below the trivial value under weak regularisation', () => {
    const th = solveUfmTheory({ K: 4, perSetCount: { 1: 2, 2: 1 }, loss: 'pal', lambdaW: 1e-3, lambdaH: 1e-3 });
    expect(th.trivial).toBe(false);
    expect(th.objective).toBeLessThan(th.trivialObjective);
    expect(th.s).toBeGreaterThan(0);
  });

  it('rejects bad input with a one-line message naming it', () => {
    const base = { K: 4, perSetCount: { 1: 2 }, loss: 'pal' as PalLoss, lambdaW: 1e-3, lambdaH: 1e-3 };
    expect(() => solveUfmTheory({ ...base, lambdaW: 0 })).toThrow(/lambdaW must be a finite number > 0/);
    expect(() => solveUfmTheory({ ...base, lambdaH: Number.NaN })).toThrow(/lambdaH must be a finite number > 0/);
    expect(() => solveUfmTheory({ ...base, perSetCount: { 2: 1 } })).toThrow(/multiplicity 1 must be present/);
    expect(() => solveUfmTheory({ ...base, perSetCount: { 1: 1, 5: 1 } })).toThrow(/multiplicity 5 is not in 1..4/);
    expect(() => solveUfmTheory({ ...base, K: 1 })).toThrow(/K must be an integer ≥ 2/);
    expect(() => solveUfmTheory({ ...base, perSetCount: undefined as unknown as Record<number, number> })).toThrow(/perSetCount must be an object/);
    const explicit = explicitDesign(3, [{ set: [0], count: 1 }]);
    expect(() => theoryInputOf(explicit, 'pal', 1e-3, 1e-3)).toThrow(/needs a balanced-within-multiplicity design/);
    const th = solveUfmTheory(base);
    expect(() => theoryPoint(th, balancedDesign(4, { 1: 2 }).labels, 2)).toThrow(/d = 2 must be an integer ≥ K − 1 = 3/);
    expect(() => theoryPoint(th, [[0, 1]], 3)).toThrow(/multiplicity 2, which the theory does not cover/);
  });
});

describe('solveUfmTheory near the trivial regime (regression)', () => {
  // Bug: for K=10, n1=20, n2=2, λ=0.03 the solver returned s ≈ 2e-8 with trivial = false, because a golden-section
  // search next to s = 0 found a point whose G undercut G(0) by float64 rounding only; ρ_2 then came out as exactly 2.
  it('reports trivial, not a rounding-sized s, when zero is the minimum', () => {
    for (const lambda of [0.025, 0.03, 0.1]) {
      const th = solveUfmTheory({ K: 10, perSetCount: { 1: 20, 2: 2 }, loss: 'pal', lambdaW: lambda, lambdaH: lambda });
      expect(th.trivial).toBe(true);
      expect(th.s).toBe(0);
      expect(th.rho).toEqual({});
    }
  });

  it('returns a finite s for the same design with weaker regularisation', () => {
    const th = solveUfmTheory({ K: 10, perSetCount: { 1: 20, 2: 2 }, loss: 'pal', lambdaW: 0.02, lambdaH: 0.02 });
    expect(th.trivial).toBe(false);
    expect(th.s).toBeGreaterThan(0.5);
    expect(th.objective).toBeLessThan(th.trivialObjective - 1e-6);
  });
});
