import type { Matrix } from './types.js';
import { etfDistance } from './etfDistance.js';
import { centreRows, globalMean } from './means.js';

/**
 * NC2 of the classifier: etf(W) for W K×d (rows w_k).
 * @example
 * nc2W(canonicalEtf(4), 4); // ≈ 0.0000000
 */
export function nc2W(W: Matrix, K: number): number {
  return etfDistance(W, K);
}

/**
 * NC2 of the features: etf(M̃) with M̃ the class means centred by μ_G = mean of the class means.
 * @example
 * // a simplex ETF moved off the origin: centring by μ_G removes the shift
 * nc2H(matrix(3, 3, canonicalEtf(3).data.map((v) => v + 1))); // ≈ 0.0000000
 */
export function nc2H(classMeansKd: Matrix): number {
  return etfDistance(centreRows(classMeansKd, globalMean(classMeansKd)), classMeansKd.rows);
}

/**
 * The public code's NC2 of the features, on the uncentred class means μ_k; for comparison with its numbers.
 * @example
 * // the same shifted ETF is far from one without centring
 * nc2HUncentred(matrix(3, 3, canonicalEtf(3).data.map((v) => v + 1))); // ≈ 1.2414
 */
export function nc2HUncentred(classMeansKd: Matrix): number {
  return etfDistance(classMeansKd, classMeansKd.rows);
}
