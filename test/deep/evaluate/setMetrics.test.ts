import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decisionMetrics, largestGapDecode, largestGapMetrics, topMDecode, topMExactMatch, trueSetSoftmaxMass,
} from '../../../src/deep/evaluate/setMetrics.js';
import { labelSet } from '../../../src/geometry/types.js';

describe('trueSetSoftmaxMass (the public code\'s "IoU")', () => {
  it('hand-checked: equal logits give m/K; a two-valued logit vector gives m·e^t/(m·e^t + K − m)', () => {
    expect(trueSetSoftmaxMass([0, 0, 0, 0], [labelSet([1, 3])], 4)).toBeCloseTo(0.5, 12);
    const t = 2;
    const z = [t, 0, t, 0, 0];
    expect(trueSetSoftmaxMass(z, [labelSet([0, 2])], 5)).toBeCloseTo((2 * Math.exp(t)) / (2 * Math.exp(t) + 3), 12);
  });
  it('is in [0, 1], averages over samples and is shift-invariant per sample', () => {
    fc.assert(fc.property(
      fc.array(fc.double({ min: -30, max: 30, noNaN: true }), { minLength: 8, maxLength: 8 }), fc.double({ min: -50, max: 50, noNaN: true }),
      (z, c) => {
        const labels = [labelSet([0]), labelSet([1, 3])];
        const v = trueSetSoftmaxMass(z, labels, 4);
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1 + 1e-12);
        expect(trueSetSoftmaxMass(z.map((x) => x + c), labels, 4)).toBeCloseTo(v, 9);
        const a = trueSetSoftmaxMass(z.slice(0, 4), [labels[0]], 4);
        const b = trueSetSoftmaxMass(z.slice(4), [labels[1]], 4);
        expect(v).toBeCloseTo((a + b) / 2, 12);
      }), { numRuns: 100, seed: 3 });
  });
  it('rejects NaN logits and a size mismatch with a message', () => {
    expect(() => trueSetSoftmaxMass([0, Number.NaN], [labelSet([0])], 2)).toThrow(/not finite/);
    expect(() => trueSetSoftmaxMass([0, 1, 2], [labelSet([0])], 2)).toThrow(/expected 1×2/);
  });
});

describe('decoders', () => {
  it('top-m with the oracle m and largest-gap decoding, hand-checked', () => {
    const z = [3, -1, 2.5, 0, -2];
    expect(topMDecode(z, 0, 5, 2)).toEqual([0, 2]);
    expect(largestGapDecode(z, 0, 5)).toEqual([0, 2]); // gaps 0.5, 2.5, 1, 1
    expect(largestGapDecode([5, 0, 0, 0], 0, 4)).toEqual([0]);
    expect(topMExactMatch([...z, 0, 1, 0, 0, 0], [labelSet([0, 2]), labelSet([0])], 5)).toBe(0.5);
  });
  it('recovers any label set from two-valued logits (the PAL optimum structure), at any shift and positive scale', () => {
    fc.assert(fc.property(
      fc.integer({ min: 2, max: 8 }).chain((K) => fc.record({
        K: fc.constant(K),
        S: fc.uniqueArray(fc.integer({ min: 0, max: K - 1 }), { minLength: 1, maxLength: K - 1 }),
        t: fc.double({ min: 0.01, max: 20, noNaN: true }),
        c: fc.double({ min: -10, max: 10, noNaN: true }),
      })),
      ({ K, S, t, c }) => {
        const set = labelSet(S);
        const z = Array.from({ length: K }, (_, k) => c + (set.includes(k) ? t : 0));
        expect(largestGapDecode(z, 0, K)).toEqual([...set]);
        expect(topMDecode(z, 0, K, set.length)).toEqual([...set]);
      }), { numRuns: 100, seed: 4 });
  });
});

describe('decisionMetrics', () => {
  it('hand-checked Hamming loss, micro and macro F1', () => {
    // K = 3. Sample 1: true {0,1}, predicted {0}   → FN on 1.
    //        Sample 2: true {2},   predicted {1,2} → FP on 1.
    const r = decisionMetrics([[0], [1, 2]], [labelSet([0, 1]), labelSet([2])], 3);
    expect(r.exactMatch).toBe(0);
    expect(r.hammingLoss).toBeCloseTo(2 / 6, 12);
    // TP = 2 (class 0 in s1, class 2 in s2), FP = 1, FN = 1 → micro F1 = 4/6.
    expect(r.microF1).toBeCloseTo(4 / 6, 12);
    // Per class: F1_0 = 1, F1_1 = 0 (1 FP, 1 FN, 0 TP), F1_2 = 1 → macro 2/3.
    expect(r.macroF1).toBeCloseTo(2 / 3, 12);
  });
  it('perfect predictions score exact 1, Hamming 0, F1 1; complementary predictions score Hamming 1', () => {
    fc.assert(fc.property(
      fc.integer({ min: 2, max: 6 }).chain((K) => fc.record({
        K: fc.constant(K),
        sets: fc.array(fc.uniqueArray(fc.integer({ min: 0, max: K - 1 }), { minLength: 1, maxLength: K - 1 }), { minLength: 1, maxLength: 6 }),
      })),
      ({ K, sets }) => {
        const labels = sets.map((s) => labelSet(s));
        expect(decisionMetrics(labels, labels, K)).toEqual({ exactMatch: 1, hammingLoss: 0, microF1: 1, macroF1: 1 });
        const comp = labels.map((S) => Array.from({ length: K }, (_, k) => k).filter((k) => !S.includes(k)));
        const r = decisionMetrics(comp, labels, K);
        expect(r.hammingLoss).toBe(1);
        expect(r.microF1).toBe(0);
      }), { numRuns: 60, seed: 5 });
  });
  it('largestGapMetrics equals decisionMetrics of the largest-gap predictions', () => {
    const z = [3, -1, 2.5, 0, 1, 0];
    const labels = [labelSet([0, 2]), labelSet([1])];
    expect(largestGapMetrics(z, labels, 3)).toEqual(decisionMetrics([[0, 2], [1]], labels, 3));
  });
});
