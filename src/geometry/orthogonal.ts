import { Matrix as MlMatrix, QrDecomposition } from 'ml-matrix';
import type { Matrix } from './types.js';
import type { Rng } from '../util/rng.js';

/**
 * A random n×k matrix with orthonormal columns (k ≤ n; k = n gives an orthogonal matrix), distributed uniformly
 * (Haar) on the Stiefel manifold: QR of an n×k standard Gaussian matrix with each column of Q multiplied by the sign
 * of the matching diagonal entry of R. Without the sign fix the result is biased (Mezzadri 2007).
 * @example
 * const Q = randomOrthogonal(3, new Rng(1)); // Haar-random 3×3 orthogonal matrix
 * angleDeg(Q.data.subarray(0, 3), Q.data.subarray(3, 6)); // ≈ 90.000000
 */
export function randomOrthogonal(n: number, rng: Rng, k: number = n): Matrix<Float64Array> {
  if (!Number.isInteger(n) || n < 1) throw new Error(`randomOrthogonal: n = ${n} must be a positive integer`);
  if (!Number.isInteger(k) || k < 1 || k > n) throw new Error(`randomOrthogonal: k = ${k} must be an integer in 1..${n}`);
  const g = new MlMatrix(n, k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) g.set(i, j, rng.normal());
  const qr = new QrDecomposition(g);
  const Q = qr.orthogonalMatrix;
  const R = qr.upperTriangularMatrix;
  const out = new Float64Array(n * k);
  for (let j = 0; j < k; j++) {
    const s = R.get(j, j) < 0 ? -1 : 1;
    for (let i = 0; i < n; i++) out[i * k + j] = s * Q.get(i, j);
  }
  return { rows: n, cols: k, data: out };
}
