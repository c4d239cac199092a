import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '../../src/util/rng.js';
import { groupByLabelSet } from '../../src/geometry/labelSets.js';
import { classMeans, globalMean, globalMeanQuirk, labelSetMeans } from '../../src/geometry/means.js';
import { labelSet, type LabelSet } from '../../src/geometry/types.js';
import { maxRelDiff } from './helpers.js';

describe('label-set, class and global means', () => {
  it('match brute-force averages; μ_G is the mean of class means, the quirk divides by all N', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 1, max: 6 }), fc.integer(), fc.boolean(),
      (K, d, seed, f32) => {
        const rng = new Rng(seed);
        const labels: LabelSet[] = [];
        for (let k = 0; k < K; k++) for (let r = 0; r < 1 + rng.int(4); r++) labels.push(labelSet([k]));
        for (let r = 0; r < rng.int(6); r++) labels.push(labelSet([rng.int(K), rng.int(K)]));
        const N = labels.length;
        const raw = rng.fillNormal(new Float64Array(N * d));
        const data = f32 ? Float32Array.from(raw) : raw;
        const features = { rows: N, cols: d, data };
        const groups = groupByLabelSet(labels, K);
        const sm = labelSetMeans(features, groups);
        groups.sets.forEach((S, g) => {
          const idx = labels.map((L, i) => (L.join() === S.join() ? i : -1)).filter((i) => i >= 0);
          expect(idx.length).toBe(groups.counts[g]);
          for (let t = 0; t < d; t++) {
            const m = idx.reduce((s, i) => s + data[i * d + t], 0) / idx.length;
            expect(sm.data[g * d + t]).toBeCloseTo(m, 12);
          }
        });
        const cm = classMeans(features, groups);
        for (let k = 0; k < K; k++) {
          expect(maxRelDiff(cm.data.subarray(k * d, (k + 1) * d), sm.data.subarray(groups.singletonGroup[k] * d, (groups.singletonGroup[k] + 1) * d))).toBe(0);
        }
        const muG = globalMean(cm);
        const quirk = globalMeanQuirk(cm, groups);
        for (let t = 0; t < d; t++) {
          let s = 0, sq = 0;
          for (let k = 0; k < K; k++) s += cm.data[k * d + t];
          labels.forEach((L, i) => { if (L.length === 1) sq += data[i * d + t]; });
          expect(muG[t]).toBeCloseTo(s / K, 12);
          expect(quirk[t]).toBeCloseTo(sq / N, 12);
        }
      }), { numRuns: 40, seed: 61 });
  });

  it('reject a row-count mismatch and non-finite features', () => {
    const groups = groupByLabelSet([labelSet([0]), labelSet([1])], 2);
    expect(() => labelSetMeans({ rows: 3, cols: 1, data: new Float64Array(3) }, groups)).toThrow(/labels have length 2 but features have N = 3/);
    expect(() => labelSetMeans({ rows: 2, cols: 1, data: Float32Array.of(1, NaN) }, groups)).toThrow(/non-finite entries \(label set \[1\]\)/);
  });
});

describe('groupByLabelSet beyond 52 classes (string keys)', () => {
  it('groups equal sets of large class indices and keeps distinct ones apart', () => {
    // Regression guard for the key choice: bit masks stop being exact doubles past 2^53.
    const K = 70;
    // 2^60 + 2^0 rounds to 2^60 in float64, so a bit-mask key would merge {0, 60} into {60}.
    const labels = [labelSet([60]), labelSet([3, 69]), labelSet([0, 60]), labelSet([60]), labelSet([3, 68]), labelSet([3, 69])];
    const g = groupByLabelSet(labels, K);
    expect(g.sets).toEqual([[60], [0, 60], [3, 68], [3, 69]]);
    expect(Array.from(g.groupOf)).toEqual([0, 3, 1, 0, 2, 3]);
    expect(g.singletonGroup[60]).toBe(0);
  });
});
