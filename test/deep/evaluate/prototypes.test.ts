import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prototypeAccuracy, singleLabelMeans } from '../../../src/deep/evaluate/prototypes.js';
import { canonicalEtf as canonicalEtfMatrix } from '../../../src/geometry/etf.js';
const canonicalEtf = (K: number) => canonicalEtfMatrix(K).data;
import { labelSet, type LabelSet } from '../../../src/geometry/types.js';

/** Collapsed features of the theory: h_S = μ_G + scale_m·Σ_{k∈S} e_k (e_k ETF rows, embedded in R^d), plus noise. */
function collapsed(K: number, d: number, sets: LabelSet[], scale: (m: number) => number, offset: number, noise: () => number): Float64Array {
  const E = canonicalEtf(K);
  const out = new Float64Array(sets.length * d);
  sets.forEach((S, i) => {
    for (let j = 0; j < d; j++) {
      let v = offset;
      if (j < K) for (const k of S) v += scale(S.length) * E[k * K + j];
      out[i * d + j] = v + noise();
    }
  });
  return out;
}

const allSets = (K: number): LabelSet[] => {
  const s: LabelSet[] = [];
  for (let a = 0; a < K; a++) s.push(labelSet([a]));
  for (let a = 0; a < K; a++) for (let b = a + 1; b < K; b++) s.push(labelSet([a, b]));
  return s;
};

describe('nearest label-set prototype decoding', () => {
  it('is perfect on exactly collapsed features for every prototype kind, whatever the per-multiplicity scale and offset', () => {
    fc.assert(fc.property(
      fc.integer({ min: 3, max: 6 }), fc.integer({ min: 0, max: 3 }), fc.double({ min: 0.2, max: 5, noNaN: true }),
      fc.double({ min: 0.2, max: 3, noNaN: true }), fc.double({ min: -2, max: 2, noNaN: true }),
      (K, extra, s1, ratio, offset) => {
        const d = K + extra;
        const sets = allSets(K);
        const train = [...sets, ...sets];
        const scale = (m: number) => (m === 1 ? s1 : s1 * ratio);
        const E = canonicalEtf(K);
        const W = new Float64Array(K * d);
        for (let k = 0; k < K; k++) for (let j = 0; j < K; j++) W[k * d + j] = 3 * E[k * K + j];
        const r = prototypeAccuracy({
          K, d, trainFeatures: collapsed(K, d, train, scale, offset, () => 0), trainLabels: train,
          testFeatures: collapsed(K, d, sets, scale, offset, () => 0), testLabels: sets, classifier: W,
        });
        expect(r).toEqual({ classifier: 1, classMeans: 1, labelSetMeans: 1, prototypes: sets.length });
      }), { numRuns: 30, seed: 7 });
  });

  it('hand-checked: a test point nearest to the wrong set counts as a miss', () => {
    // K = 3, d = 2: class means at (1,0), (0,1), (-1,-1); μ_G = (0,0).
    const trainLabels = [labelSet([0]), labelSet([1]), labelSet([2])];
    const trainFeatures = [1, 0, 0, 1, -1, -1];
    const r = prototypeAccuracy({
      K: 3, d: 2, trainFeatures, trainLabels,
      testFeatures: [0.9, 0.1, 0.2, 0.8], testLabels: [labelSet([0]), labelSet([2])],
    });
    expect(r.classMeans).toBe(0.5);
    expect(r.labelSetMeans).toBe(0.5);
    expect(r.classifier).toBeNull();
    expect(r.prototypes).toBe(3);
  });

  it('refuses a class without single-label training samples', () => {
    expect(() => singleLabelMeans([1, 2, 3, 4], [labelSet([0]), labelSet([0, 1])], 2, 2)).toThrow(/class 1 has no single-label/);
  });
});
