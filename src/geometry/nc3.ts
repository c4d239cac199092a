import type { Matrix } from './types.js';
import { etfDistanceOfProduct } from './etfDistance.js';
import { centreRows, globalMean } from './means.js';

/**
 * Self-duality NC3 = ‖WM̃ᵀ/‖WM̃ᵀ‖_F − E_K‖_F with W K×d and M̃ the centred class means (Li et al. 2024).
 * Zero when the centred class means are a positive multiple of the classifier rows forming a simplex ETF.
 * @example
 * // class means 2·w_k + 1: after centring they are a positive multiple of the ETF classifier rows
 * const W = canonicalEtf(3);
 * nc3(W, matrix(3, 3, W.data.map((v) => 2 * v + 1))); // ≈ 0.0000000
 */
export function nc3(W: Matrix, classMeansKd: Matrix): number {
  const K = W.rows;
  const d = W.cols;
  if (classMeansKd.rows !== K || classMeansKd.cols !== d) {
    throw new Error(`nc3: classifier is ${K}×${d} but class means are ${classMeansKd.rows}×${classMeansKd.cols}`);
  }
  const m = centreRows(classMeansKd, globalMean(classMeansKd)).data;
  const w = W.data;
  const p = new Float64Array(K * K);
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < K; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += w[i * d + t] * m[j * d + t];
      p[i * K + j] = s;
    }
  }
  return etfDistanceOfProduct({ rows: K, cols: K, data: p }, K);
}
