import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  balancedDesign,
  balancedDesignSize,
  binomial,
  combinations,
  explicitDesign,
  ufmMemoryEstimate,
} from '../../src/ufm/design.js';
import { ufmSize } from '../../src/ufm/objective.js';
import { balancedDesignArb } from './helpers.js';

describe('combinations', () => {
  it('lists C(K, m) distinct sorted sets in lexicographic order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), (K, m0) => {
        const m = Math.min(m0, K);
        const sets = combinations(K, m);
        expect(sets.length).toBe(binomial(K, m));
        const keys = sets.map((s) => s.join(','));
        expect(new Set(keys).size).toBe(sets.length);
        for (const s of sets) {
          expect(s.length).toBe(m);
          for (let i = 1; i < m; i++) expect(s[i]).toBeGreaterThan(s[i - 1]);
          expect(s[m - 1]).toBeLessThan(K);
        }
        for (let i = 1; i < sets.length; i++) {
          const a = sets[i - 1], b = sets[i];
          const j = a.findIndex((v, t) => v !== b[t]);
          expect(a[j]).toBeLessThan(b[j]);
        }
      }),
      { numRuns: 20, seed: 11 },
    );
  });
  it('combinations and binomial give the hand-counted small cases', () => {
    expect(combinations(4, 2).map((s) => s.join(''))).toEqual(['01', '02', '03', '12', '13', '23']);
    expect(binomial(10, 2)).toBe(45);
    expect(binomial(5, 0)).toBe(1);
    expect(binomial(5, 6)).toBe(0);
  });
});

describe('balancedDesign', () => {
  it('has n_m samples of every label set of size m, grouped by set, N = Σ n_m C(K, m)', () => {
    fc.assert(
      fc.property(balancedDesignArb(2, 6, 4), ({ K, perSetCount }) => {
        const des = balancedDesign(K, perSetCount);
        let N = 0;
        for (const [m, n] of Object.entries(perSetCount)) N += n * binomial(K, Number(m));
        expect(des.N).toBe(N);
        expect(des.labels.length).toBe(N);
        expect(balancedDesignSize(K, perSetCount)).toBe(N);
        // Every label set of every multiplicity, with its count; contiguous groups.
        const counts = new Map<string, number>();
        let prevKey = '';
        const closed = new Set<string>();
        for (const S of des.labels) {
          const key = S.join(',');
          if (key !== prevKey) {
            expect(closed.has(key)).toBe(false);
            closed.add(prevKey);
            prevKey = key;
          }
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
        for (const [mKey, n] of Object.entries(perSetCount)) {
          const m = Number(mKey);
          for (const S of combinations(K, m)) expect(counts.get(S.join(','))).toBe(n);
          expect(des.samplesPerMultiplicity[m]).toBe(n * binomial(K, m));
        }
        expect(counts.size).toBe(des.sets.length);
        expect(des.perSetCount).toEqual(perSetCount);
      }),
      { numRuns: 20, seed: 12 },
    );
  });

  it('orders sets by multiplicity, then lexicographically', () => {
    const des = balancedDesign(3, { 2: 1, 1: 2 });
    expect(des.labels.map((s) => s.join(''))).toEqual(['0', '0', '1', '1', '2', '2', '01', '02', '12']);
  });

  it('rejects bad input with a clear message', () => {
    expect(() => balancedDesign(1, { 1: 1 })).toThrow(/K must be an integer ≥ 2/);
    expect(() => balancedDesign(2.5, { 1: 1 })).toThrow(/K must be an integer ≥ 2/);
    expect(() => balancedDesign(4, { 1: 1, 0: 1 })).toThrow(/multiplicity 0 is not in 1..K/);
    expect(() => balancedDesign(4, { 1: 1, 5: 1 })).toThrow(/multiplicity 5 is not in 1..K/);
    expect(() => balancedDesign(4, { 1: 0 })).toThrow(/must be a positive integer, got 0/);
    expect(() => balancedDesign(4, { 1: 1.5 })).toThrow(/must be a positive integer, got 1.5/);
    expect(() => balancedDesign(4, { 1: Number.NaN })).toThrow(/positive integer/);
    expect(() => balancedDesign(4, { 2: 3 })).toThrow(/multiplicity 1 must be present/);
    expect(() => balancedDesign(4, {})).toThrow(/no multiplicities/);
    expect(() => balancedDesign(40, { 1: 1, 20: 1 })).toThrow(/exceed the limit/);
  });
});

describe('explicitDesign', () => {
  it('keeps the given sets and counts (imbalanced)', () => {
    const des = explicitDesign(4, [
      { set: [2], count: 5 },
      { set: [0], count: 1 },
      { set: [3, 1], count: 2 },
    ]);
    expect(des.N).toBe(8);
    expect(des.labels.map((s) => s.join(''))).toEqual(['2', '2', '2', '2', '2', '0', '13', '13']);
    expect(des.samplesPerMultiplicity).toEqual({ 1: 6, 2: 2 });
    expect(des.perSetCount).toBeNull();
  });
  it('rejects bad input', () => {
    expect(() => explicitDesign(3, [{ set: [0, 1], count: 1 }])).toThrow(/multiplicity 1 must be present/);
    expect(() => explicitDesign(3, [{ set: [0], count: 0 }])).toThrow(/count of label set \{0\} must be a positive integer/);
    expect(() => explicitDesign(3, [{ set: [0], count: 1 }, { set: [0], count: 2 }])).toThrow(/listed twice/);
    expect(() => explicitDesign(3, [{ set: [3], count: 1 }])).toThrow(/label 3 is not a class index/);
    expect(() => explicitDesign(3, [])).toThrow(/no label sets/);
  });
});

describe('ufmMemoryEstimate', () => {
  it('counts W, H, b, the gradient and the L-BFGS history', () => {
    const K = 10, d = 512, N = 40_000;
    const est = ufmMemoryEstimate(K, d, N, { history: 10 });
    const P = ufmSize({ K, d }, N);
    expect(est.parameters).toBe(P);
    expect(est.variables).toBe(8 * P);
    expect(est.gradient).toBe(8 * P);
    expect(est.optimizer).toBeGreaterThanOrEqual(8 * P * 2 * 10);
    expect(est.total).toBe(est.variables + est.gradient + est.optimizer + est.labels);
    // Doubling the history adds exactly 2·10·P doubles.
    expect(ufmMemoryEstimate(K, d, N, { history: 20 }).optimizer - est.optimizer).toBe(8 * P * 20 + 16 * 10);
    expect(() => ufmMemoryEstimate(0, 3, 3)).toThrow(/K must be a positive integer/);
  });
});
