import type { Matrix } from './types.js';
import type { Rng } from '../util/rng.js';
import { randomOrthogonal } from './orthogonal.js';

/**
 * The canonical simplex ETF: the K×K matrix E = √(K/(K−1))·(I − 11ᵀ/K).
 * Its rows e_k have unit norm, sum to zero and meet at cos = −1/(K−1) (Papyan, Han, Donoho 2020).
 * It is also the frozen classifier of the parameter-efficient variant in Li et al. 2024.
 * @example
 * const E = canonicalEtf(3); // rows e_0, e_1, e_2 of unit norm
 * angleDeg(E.data.subarray(0, 3), E.data.subarray(3, 6)); // ≈ 120.000000
 */
export function canonicalEtf(K: number): Matrix<Float64Array> {
  checkK(K, 'canonicalEtf');
  const c = Math.sqrt(K / (K - 1));
  const data = new Float64Array(K * K);
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < K; j++) data[i * K + j] = c * ((i === j ? 1 : 0) - 1 / K);
  }
  return { rows: K, cols: K, data };
}

/**
 * The target Gram matrix of every ETF distance: E_K = (I − 11ᵀ/K)/√(K−1), which has Frobenius norm 1.
 * @example
 * etfTargetGram(2); // → [0.5, -0.5, -0.5, 0.5]
 */
export function etfTargetGram(K: number): Float64Array {
  checkK(K, 'etfTargetGram');
  const c = 1 / Math.sqrt(K - 1);
  const g = new Float64Array(K * K);
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < K; j++) g[i * K + j] = c * ((i === j ? 1 : 0) - 1 / K);
  }
  return g;
}

/**
 * An orthonormal basis of the sum-zero subspace {x ∈ R^K : Σx = 0}, as a K×(K−1) matrix B (BᵀB = I, BBᵀ = I − 11ᵀ/K).
 * Helmert's basis: column j (0-based) is (1,…,1, −(j+1), 0,…,0)/√((j+1)(j+2)) with j+1 ones.
 * @example
 * // columns (1, −1, 0)/√2 and (1, 1, −2)/√6, row-major
 * sumZeroBasis(3).data; // ≈ [0.7071, 0.4082, -0.7071, 0.4082, 0.0000, -0.8165]
 */
export function sumZeroBasis(K: number): Matrix<Float64Array> {
  checkK(K, 'sumZeroBasis');
  const n = K - 1;
  const data = new Float64Array(K * n);
  for (let j = 0; j < n; j++) {
    const s = 1 / Math.sqrt((j + 1) * (j + 2));
    for (let i = 0; i <= j; i++) data[i * n + j] = s;
    data[(j + 1) * n + j] = -(j + 1) * s;
  }
  return { rows: K, cols: n, data };
}

/**
 * A K×d simplex ETF embedded in R^d (d ≥ K−1): rows of unit norm whose Gram matrix equals the canonical one,
 * EEᵀ = (K/(K−1))(I − 11ᵀ/K). Built as √(K/(K−1))·B·Rᵀ with B the sum-zero basis and R a d×(K−1) matrix with
 * orthonormal columns: the first K−1 coordinate axes without `rng`, a Haar-random frame with it.
 * @example
 * const M = etfEmbedding(4, 10, new Rng(1)); // 4 unit rows in R^10, randomly oriented
 * etfDistance(M, 4); // ≈ 0.0000000
 */
export function etfEmbedding(K: number, d: number, rng?: Rng): Matrix<Float64Array> {
  checkK(K, 'etfEmbedding');
  if (!Number.isInteger(d) || d < K - 1) {
    throw new Error(`etfEmbedding: dimension d = ${d} must be an integer ≥ K − 1 = ${K - 1}`);
  }
  const n = K - 1;
  const c = Math.sqrt(K / (K - 1));
  const B = sumZeroBasis(K).data;
  const out = new Float64Array(K * d);
  if (rng === undefined) {
    for (let i = 0; i < K; i++) for (let j = 0; j < n; j++) out[i * d + j] = c * B[i * n + j];
    return { rows: K, cols: d, data: out };
  }
  const R = randomOrthogonal(d, rng, n).data; // d×n, orthonormal columns
  for (let i = 0; i < K; i++) {
    for (let t = 0; t < d; t++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += B[i * n + j] * R[t * n + j];
      out[i * d + t] = c * s;
    }
  }
  return { rows: K, cols: d, data: out };
}

function checkK(K: number, who: string): void {
  if (!Number.isInteger(K) || K < 2) throw new Error(`${who}: K = ${K} must be an integer ≥ 2`);
}
