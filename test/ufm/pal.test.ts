import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { logSumExp, palGradient, palValue, palWeight, type PalLoss } from '../../src/ufm/pal.js';

/** Random logits z ∈ R^K and a label set S ⊂ {0..K−1}. */
const logitsAndSet = fc.integer({ min: 2, max: 7 }).chain((K) =>
  fc.tuple(
    fc.array(fc.double({ min: -8, max: 8, noNaN: true }), { minLength: K, maxLength: K }),
    fc.uniqueArray(fc.integer({ min: 0, max: K - 1 }), { minLength: 1, maxLength: K }).map((s) => s.sort((a, b) => a - b)),
  ),
);
const lossArb = fc.constantFrom<PalLoss>('pal', 'pal-n');

/** Soft-target cross-entropy −Σ_k t_k log softmax(z)_k, computed directly from log-probabilities. */
function softTargetCrossEntropy(z: number[], t: number[]): number {
  const lse = logSumExp(z);
  return -z.reduce((acc, zk, k) => acc + t[k] * (zk - lse), 0);
}

describe('logSumExp', () => {
  it('does not overflow or underflow', () => {
    expect(logSumExp([1000, 1000])).toBeCloseTo(1000 + Math.log(2), 12);
    expect(logSumExp([-1000, -1000, -1000])).toBeCloseTo(-1000 + Math.log(3), 12);
    expect(logSumExp([0, -Infinity])).toBe(0);
  });
});

describe('PAL loss (Li et al. 2024)', () => {
  it('equals Σ_{k∈S} −log softmax(z)_k, and soft-target CE with 1_S (pal) or 1_S/m (pal-n)', () => {
    fc.assert(
      fc.property(logitsAndSet, ([z, S]) => {
        const m = S.length;
        const t = z.map((_, k) => (S.includes(k) ? 1 : 0));
        const direct = S.reduce((acc, k) => acc - Math.log(Math.exp(z[k]) / z.reduce((s, v) => s + Math.exp(v), 0)), 0);
        expect(palValue(z, S, 'pal')).toBeCloseTo(direct, 10);
        expect(palValue(z, S, 'pal')).toBeCloseTo(softTargetCrossEntropy(z, t), 10);
        expect(palValue(z, S, 'pal-n')).toBeCloseTo(softTargetCrossEntropy(z, t.map((v) => v / m)), 10);
      }),
      { numRuns: 20, seed: 21 },
    );
  });

  it('gradient c_m(m·softmax − 1_S) matches finite differences and sums to zero', () => {
    fc.assert(
      fc.property(logitsAndSet, lossArb, ([z, S], loss) => {
        const g = new Float64Array(z.length);
        const v = palGradient(z, S, g, loss);
        expect(v).toBeCloseTo(palValue(z, S, loss), 12);
        expect(Math.abs(g.reduce((a, b) => a + b, 0))).toBeLessThan(1e-12);
        const h = 1e-6;
        for (let k = 0; k < z.length; k++) {
          const zp = z.slice(); zp[k] += h;
          const zm = z.slice(); zm[k] -= h;
          const fd = (palValue(zp, S, loss) - palValue(zm, S, loss)) / (2 * h);
          expect(Math.abs(fd - g[k])).toBeLessThan(1e-7);
        }
      }),
      { numRuns: 20, seed: 22 },
    );
  });

  it('is invariant to z + c·1', () => {
    fc.assert(
      fc.property(logitsAndSet, lossArb, fc.double({ min: -50, max: 50, noNaN: true }), ([z, S], loss, c) => {
        const shifted = z.map((v) => v + c);
        expect(palValue(shifted, S, loss)).toBeCloseTo(palValue(z, S, loss), 9);
      }),
      { numRuns: 20, seed: 23 },
    );
  });

  it('m < K: always above the infimum m·log m, approached as the in-set logits grow', () => {
    fc.assert(
      fc.property(logitsAndSet, ([z, S]) => {
        const K = z.length, m = S.length;
        if (m === K) return;
        const inf = m * Math.log(m);
        expect(palValue(z, S)).toBeGreaterThan(inf);
        // z = t·1_S: PAL = m·log(m + (K−m)e^{−t}) − ... = m log m + m·log(1 + (K−m)e^{−t}/m).
        for (const t of [1, 5, 20]) {
          const zt = z.map((_, k) => (S.includes(k) ? t : 0));
          const excess = palValue(zt, S) - inf;
          expect(excess).toBeGreaterThan(0);
          expect(excess).toBeCloseTo(m * Math.log1p(((K - m) * Math.exp(-t)) / m), 12);
        }
      }),
      { numRuns: 20, seed: 24 },
    );
  });

  it('m = K: minimum K·log K, reached exactly at z ∝ 1 where the gradient vanishes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 8 }), fc.double({ min: -20, max: 20, noNaN: true }), lossArb, (K, c, loss) => {
        const S = Array.from({ length: K }, (_, k) => k);
        const z = new Array(K).fill(c);
        const g = new Float64Array(K);
        const v = palGradient(z, S, g, loss);
        expect(v).toBeCloseTo(palWeight(loss, K) * K * Math.log(K), 11);
        for (const gk of g) expect(Math.abs(gk)).toBeLessThan(1e-14);
        const zr = z.map((x, k) => x + Math.sin(k + 1));
        expect(palValue(zr, S, loss)).toBeGreaterThan(v);
      }),
      { numRuns: 20, seed: 25 },
    );
  });

  it('rejects bad input', () => {
    expect(() => palValue([0, 1], [])).toThrow(/empty label set/);
    expect(() => palValue([0, 1], [2])).toThrow(/label 2 is not a class index in 0..1/);
    expect(() => palWeight('bce' as PalLoss, 1)).toThrow(/unknown loss 'bce'/);
    expect(() => palGradient([0, 1], [0], new Float64Array(3))).toThrow(/gradient buffer has length 3/);
  });
});
