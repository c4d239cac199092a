import type { Matrix } from './types.js';
import { etfTargetGram } from './etf.js';

/**
 * ETF distance of a K×d matrix A (Papyan, Han, Donoho 2020; Li et al. 2024):
 *   etf(A) = ‖AAᵀ/‖AAᵀ‖_F − E_K‖_F,  E_K = (I − 11ᵀ/K)/√(K−1)  (‖E_K‖_F = 1),
 * so etf ∈ [0, 2] and etf = 0 exactly when the rows of A form a simplex ETF (any scale, any rotation).
 * Throws on a zero (or non-finite) matrix instead of returning NaN.
 * @example
 * etfDistance(canonicalEtf(3), 3); // ≈ 0.0000000
 * // three orthonormal rows are equiangular but not a simplex (they do not sum to zero)
 * etfDistance(matrix(3, 3, Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1)), 3); // ≈ 0.6058
 */
export function etfDistance(A: Matrix, K: number): number {
  if (A.rows !== K) throw new Error(`etfDistance: matrix has ${A.rows} rows, expected K = ${K}`);
  return distanceToTarget(gram(A), K, 'etfDistance');
}

/**
 * The NC3 form of the ETF distance for a K×K product P (e.g. P = W M̃ᵀ): ‖P/‖P‖_F − E_K‖_F.
 * P need not be symmetric.
 * @example
 * // P = W M̃ᵀ for a classifier and centred class means on the same simplex ETF: exactly self-dual
 * const E = canonicalEtf(3);
 * etfDistanceOfProduct(matrix(3, 3, gram(E)), 3); // ≈ 0.0000000
 */
export function etfDistanceOfProduct(P: Matrix, K: number): number {
  if (P.rows !== K || P.cols !== K) {
    throw new Error(`etfDistanceOfProduct: matrix is ${P.rows}×${P.cols}, expected K×K = ${K}×${K}`);
  }
  return distanceToTarget(Float64Array.from(P.data), K, 'etfDistanceOfProduct');
}

/**
 * AAᵀ as a K×K Float64Array, accumulated in float64.
 * @example
 * gram(matrix(2, 2, Float64Array.of(1, 2, 3, 4))); // → [5, 11, 11, 25]
 */
export function gram(A: Matrix): Float64Array {
  const { rows: K, cols: d, data } = A;
  const g = new Float64Array(K * K);
  for (let i = 0; i < K; i++) {
    const oi = i * d;
    for (let j = i; j < K; j++) {
      const oj = j * d;
      let s = 0;
      for (let t = 0; t < d; t++) s += data[oi + t] * data[oj + t];
      g[i * K + j] = s;
      g[j * K + i] = s;
    }
  }
  return g;
}

function distanceToTarget(p: Float64Array, K: number, who: string): number {
  if (!Number.isInteger(K) || K < 2) throw new Error(`${who}: K = ${K} must be an integer ≥ 2`);
  let n2 = 0;
  for (let i = 0; i < p.length; i++) n2 += p[i] * p[i];
  if (!Number.isFinite(n2)) throw new Error(`${who}: matrix has non-finite entries`);
  if (n2 === 0) throw new Error(`${who}: matrix is zero, the ETF distance is undefined`);
  const inv = 1 / Math.sqrt(n2);
  const e = etfTargetGram(K);
  let d2 = 0;
  for (let i = 0; i < p.length; i++) {
    const x = p[i] * inv - e[i];
    d2 += x * x;
  }
  return Math.sqrt(d2);
}
