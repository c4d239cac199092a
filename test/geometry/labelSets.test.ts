import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '../../src/util/rng.js';
import { groupByLabelSet } from '../../src/geometry/labelSets.js';
import { labelSet, type LabelSet } from '../../src/geometry/types.js';

/** Random label sets over K classes, sizes 1..maxM, built fresh (distinct array objects) each time. */
const randomLabels = (K: number, N: number, maxM: number, rng: Rng): LabelSet[] =>
  Array.from({ length: N }, () => {
    const m = 1 + rng.int(maxM);
    const perm = rng.shuffle(Array.from({ length: K }, (_, i) => i)) as number[];
    return labelSet(perm.slice(0, m));
  });

describe('groupByLabelSet', () => {
  it('groups equal sets together, counts add up, multiplicities match, order is canonical', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 1, max: 60 }), fc.integer(), (K, N, seed) => {
      const rng = new Rng(seed);
      const labels = randomLabels(K, N, Math.min(3, K), rng);
      const g = groupByLabelSet(labels, K);
      expect(g.groupOf.length).toBe(N);
      expect(g.counts.reduce((a, b) => a + b, 0)).toBe(N);
      for (let i = 0; i < N; i++) {
        expect(g.sets[g.groupOf[i]]).toEqual(labels[i]);
      }
      const keys = g.sets.map((s) => s.join(','));
      expect(new Set(keys).size).toBe(g.sets.length);
      g.sets.forEach((s, j) => expect(g.multiplicity[j]).toBe(s.length));
      for (let j = 1; j < g.sets.length; j++) {
        const a = g.sets[j - 1], b = g.sets[j];
        const firstDiff = a.findIndex((x, t) => x !== b[t]);
        expect(a.length < b.length || (a.length === b.length && firstDiff >= 0 && a[firstDiff] < b[firstDiff])).toBe(true);
      }
      for (let k = 0; k < K; k++) {
        const sg = g.singletonGroup[k];
        const present = labels.some((s) => s.length === 1 && s[0] === k);
        expect(sg >= 0).toBe(present);
        if (present) expect(g.sets[sg]).toEqual([k]);
      }
      // Shuffling the samples permutes groupOf but leaves the groups themselves unchanged.
      const perm = rng.shuffle(Array.from({ length: N }, (_, i) => i)) as number[];
      const g2 = groupByLabelSet(perm.map((i) => labels[i]), K);
      expect(g2.sets).toEqual(g.sets);
      expect(Array.from(g2.counts)).toEqual(Array.from(g.counts));
      perm.forEach((src, i) => expect(g2.groupOf[i]).toBe(g.groupOf[src]));
    }), { numRuns: 60, seed: 21 });
  });

  it('rejects unsorted, duplicated, out-of-range and empty label sets, and a bad K', () => {
    expect(() => groupByLabelSet([[1, 0]], 3)).toThrow(/sample 0 is not sorted/);
    expect(() => groupByLabelSet([[0], [1, 1]], 3)).toThrow(/sample 1 is not sorted and duplicate-free/);
    expect(() => groupByLabelSet([[0, 3]], 3)).toThrow(/3, which is not a class index in 0\.\.2/);
    expect(() => groupByLabelSet([[0.5]], 3)).toThrow(/not a class index/);
    expect(() => groupByLabelSet([[]], 3)).toThrow(/empty/);
    expect(() => groupByLabelSet([[0]], 1)).toThrow(/K = 1/);
  });
});
