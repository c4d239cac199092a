import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '../../src/util/rng.js';
import { etfEmbedding } from '../../src/geometry/etf.js';
import { randomOrthogonal } from '../../src/geometry/orthogonal.js';
import { etfDistance, etfDistanceOfProduct } from '../../src/geometry/etfDistance.js';
import type { Matrix } from '../../src/geometry/types.js';
import { matmul, scaled } from './helpers.js';

const randomMatrix = (rows: number, cols: number, rng: Rng): Matrix<Float64Array> =>
  ({ rows, cols, data: rng.fillNormal(new Float64Array(rows * cols)) });
const permuteRows = (A: Matrix, perm: number[]): Matrix<Float64Array> => {
  const out = new Float64Array(A.data.length);
  perm.forEach((src, i) => out.set(A.data.subarray(src * A.cols, (src + 1) * A.cols), i * A.cols));
  return { rows: A.rows, cols: A.cols, data: out };
};
const dims = fc.record({ K: fc.integer({ min: 2, max: 7 }), extra: fc.integer({ min: 0, max: 4 }), seed: fc.integer() });

describe('etfDistance', () => {
  it('is 0 on any scaled, rotated simplex ETF', () => {
    fc.assert(fc.property(dims, fc.double({ min: 1e-3, max: 1e3, noNaN: true }), ({ K, extra, seed }, c) => {
      const A = scaled(etfEmbedding(K, K - 1 + extra, new Rng(seed)), c);
      expect(etfDistance(A, K)).toBeLessThan(1e-7);
    }), { numRuns: 40, seed: 11 });
  });

  it('lies in [0, 2] and is invariant to common row permutation, positive scale and right rotation', () => {
    fc.assert(fc.property(dims, fc.double({ min: 1e-2, max: 1e2, noNaN: true }), ({ K, extra, seed }, c) => {
      const d = K - 1 + extra;
      const rng = new Rng(seed);
      const A = randomMatrix(K, d, rng);
      const base = etfDistance(A, K);
      expect(base).toBeGreaterThanOrEqual(0);
      expect(base).toBeLessThanOrEqual(2);
      const perm = rng.shuffle(Array.from({ length: K }, (_, i) => i)) as number[];
      expect(etfDistance(permuteRows(A, perm), K)).toBeCloseTo(base, 10);
      expect(etfDistance(scaled(A, c), K)).toBeCloseTo(base, 10);
      expect(etfDistance(matmul(A, randomOrthogonal(d, rng)), K)).toBeCloseTo(base, 10);
    }), { numRuns: 40, seed: 12 });
  });

  it('detects a non-ETF: K equal-norm orthogonal rows (d ≥ K) are at a fixed positive distance', () => {
    // AAᵀ = I: ‖I/√K − E_K‖_F² = 2 − 2⟨I/√K, E_K⟩ = 2 − 2·(K−1)/(√K·√(K−1)).
    for (const K of [2, 3, 6]) {
      const I = new Float64Array(K * K);
      for (let i = 0; i < K; i++) I[i * K + i] = 1;
      const expected = Math.sqrt(2 - 2 * Math.sqrt((K - 1) / K));
      expect(etfDistance({ rows: K, cols: K, data: I }, K)).toBeCloseTo(expected, 12);
    }
  });

  it('throws on a zero matrix, non-finite entries or a row-count mismatch', () => {
    expect(() => etfDistance({ rows: 3, cols: 4, data: new Float64Array(12) }, 3)).toThrow(/zero/);
    expect(() => etfDistance({ rows: 3, cols: 1, data: Float64Array.of(1, NaN, 0) }, 3)).toThrow(/non-finite/);
    expect(() => etfDistance({ rows: 3, cols: 1, data: Float64Array.of(1, 2, 3) }, 4)).toThrow(/expected K = 4/);
  });
});

describe('etfDistanceOfProduct (NC3 form)', () => {
  it('is 0 for W H̃ᵀ when H̃ = γ·W for an ETF W, and scale invariant', () => {
    fc.assert(fc.property(dims, fc.double({ min: 1e-2, max: 1e2, noNaN: true }), ({ K, extra, seed }, g) => {
      const W = etfEmbedding(K, K - 1 + extra, new Rng(seed));
      const Ht = scaled(W, g);
      const P = matmul(W, { rows: Ht.cols, cols: Ht.rows, data: transposeData(Ht) });
      expect(etfDistanceOfProduct(P, K)).toBeLessThan(1e-7);
    }), { numRuns: 30, seed: 13 });
  });

  it('does not symmetrise: a non-symmetric product differs from its Gram', () => {
    const P = { rows: 2, cols: 2, data: Float64Array.of(1, 2, 0, 1) };
    expect(etfDistanceOfProduct(P, 2)).toBeGreaterThan(0.1);
    expect(() => etfDistanceOfProduct({ rows: 2, cols: 2, data: new Float64Array(4) }, 2)).toThrow(/zero/);
    expect(() => etfDistanceOfProduct(P, 3)).toThrow(/K×K/);
  });
});

function transposeData(A: Matrix): Float64Array {
  const out = new Float64Array(A.rows * A.cols);
  for (let i = 0; i < A.rows; i++) for (let j = 0; j < A.cols; j++) out[j * A.rows + i] = A.data[i * A.cols + j];
  return out;
}
