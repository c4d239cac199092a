import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '../../src/util/rng.js';
import { canonicalEtf, etfEmbedding, etfTargetGram, sumZeroBasis } from '../../src/geometry/etf.js';
import { randomOrthogonal } from '../../src/geometry/orthogonal.js';
import { gram } from '../../src/geometry/etfDistance.js';
import { matmul, maxRelDiff } from './helpers.js';

const transpose = (A: { rows: number; cols: number; data: Float64Array }) => {
  const out = new Float64Array(A.rows * A.cols);
  for (let i = 0; i < A.rows; i++) for (let j = 0; j < A.cols; j++) out[j * A.rows + i] = A.data[i * A.cols + j];
  return { rows: A.cols, cols: A.rows, data: out };
};
const identity = (n: number) => {
  const I = new Float64Array(n * n);
  for (let i = 0; i < n; i++) I[i * n + i] = 1;
  return I;
};
/** (K/(K−1))(I − 11ᵀ/K): the Gram matrix of the canonical ETF, written out independently. */
const etfGram = (K: number) => {
  const g = new Float64Array(K * K);
  for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) g[i * K + j] = i === j ? 1 : -1 / (K - 1);
  return g;
};

describe('canonical simplex ETF', () => {
  it('has unit rows, zero row sums and cos = −1/(K−1) between rows', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 12 }), (K) => {
      const E = canonicalEtf(K);
      expect(maxRelDiff(gram(E), etfGram(K))).toBeLessThan(1e-13);
      for (let i = 0; i < K; i++) {
        let s = 0;
        for (let j = 0; j < K; j++) s += E.data[i * K + j];
        expect(Math.abs(s)).toBeLessThan(1e-13);
      }
    }), { numRuns: 11, seed: 1 });
  });

  it('target E_K has Frobenius norm 1 and is the normalised ETF Gram', () => {
    for (const K of [2, 3, 7]) {
      const e = etfTargetGram(K);
      expect(Math.hypot(...e)).toBeCloseTo(1, 14);
      const g = etfGram(K);
      const n = Math.hypot(...g);
      expect(maxRelDiff(e, g.map((x) => x / n))).toBeLessThan(1e-14);
    }
  });

  it('sum-zero basis is orthonormal and orthogonal to 1', () => {
    for (const K of [2, 3, 5, 9]) {
      const B = sumZeroBasis(K);
      expect(maxRelDiff(matmul(transpose(B), B).data, identity(K - 1))).toBeLessThan(1e-14);
      for (let j = 0; j < K - 1; j++) {
        let s = 0;
        for (let i = 0; i < K; i++) s += B.data[i * (K - 1) + j];
        expect(Math.abs(s)).toBeLessThan(1e-14);
      }
    }
  });

  it('embeddings into R^d (d ≥ K−1, with and without a random rotation) keep the canonical Gram', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 8 }), fc.integer({ min: 0, max: 5 }), fc.integer(), fc.boolean(),
      (K, extra, seed, rotate) => {
        const d = K - 1 + extra;
        const A = etfEmbedding(K, d, rotate ? new Rng(seed) : undefined);
        expect(A.rows).toBe(K);
        expect(A.cols).toBe(d);
        expect(maxRelDiff(gram(A), etfGram(K))).toBeLessThan(1e-12);
        // rows sum to the zero vector
        for (let t = 0; t < d; t++) {
          let s = 0;
          for (let k = 0; k < K; k++) s += A.data[k * d + t];
          expect(Math.abs(s)).toBeLessThan(1e-12);
        }
      }), { numRuns: 40, seed: 2 });
  });

  it('random rotations depend on the seed', () => {
    const a = etfEmbedding(4, 6, new Rng(1)).data;
    const b = etfEmbedding(4, 6, new Rng(2)).data;
    expect(maxRelDiff(a, b)).toBeGreaterThan(1e-3);
    expect(etfEmbedding(4, 6, new Rng(1)).data).toEqual(a);
  });

  it('rejects d < K−1 and K < 2', () => {
    expect(() => etfEmbedding(5, 3)).toThrow(/d = 3/);
    expect(() => canonicalEtf(1)).toThrow(/K = 1/);
  });
});

describe('randomOrthogonal', () => {
  it('returns orthonormal columns', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 8 }), fc.integer(), (n, kk, seed) => {
      const k = 1 + (kk % n);
      const Q = randomOrthogonal(n, new Rng(seed), k);
      expect(Q.rows).toBe(n);
      expect(Q.cols).toBe(k);
      expect(maxRelDiff(matmul(transpose(Q), Q).data, identity(k))).toBeLessThan(1e-12);
    }), { numRuns: 40, seed: 3 });
  });

  it('has no sign bias: E[Q_11] ≈ 0 over many draws (Haar)', () => {
    // Without the sign fix, Householder QR makes the first column's first entry systematically signed.
    const rng = new Rng(7);
    let s = 0;
    const n = 400;
    for (let i = 0; i < n; i++) s += randomOrthogonal(3, rng).data[0];
    // Q_11 of a Haar 3×3 has variance 1/3: the mean of 400 draws has sd ≈ 0.029.
    expect(Math.abs(s / n)).toBeLessThan(0.12);
  });
});
