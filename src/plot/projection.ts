/**
 * The 2-D frame of the geometry picture: the plane of the top-2 principal directions of the centred class means
 * M̃ (rows μ_k − μ_G), found from the K×K Gram matrix M̃M̃ᵀ (no d×d matrix) with ml-matrix's symmetric
 * eigensolver, the one src/geometry/nc1.ts uses.
 */
import { EigenvalueDecomposition, Matrix as MlMatrix } from 'ml-matrix';
import { centreRows, globalMean, gram, type Matrix } from '../geometry/index.js';
import { FigureDataError } from './figureDataError.js';

export interface Projection2D {
  /** Origin of the picture (the mean of the class means, μ_G). */
  readonly center: Float64Array;
  /** Orthonormal directions u₁, u₂ in feature space. */
  readonly u1: Float64Array;
  readonly u2: Float64Array;
  /** Fraction of the centred class means' squared norm captured by the two directions (1 when K = 3). */
  readonly captured: number;
}

/** Eigenvalues of M̃M̃ᵀ below this fraction of its trace count as zero (the means span fewer than two directions). */
const RANK_TOL = 1e-12;

/**
 * The plane: the span of u_r ∝ M̃ᵀv_r for the top-2 eigenvectors v_r of M̃M̃ᵀ (the top-2 right singular vectors of M̃).
 * The axes inside it: u₁ points at class 0's centred mean and u₂ is oriented towards class 1, so every panel has the
 * same orientation, even when the top eigenvalues tie (an exact ETF) and the eigenbasis itself is arbitrary.
 * A plane the means do not fill (rank < 2) is completed with coordinate axes orthogonal to what they span.
 */
export function classMeanProjection(classMeans: Matrix): Projection2D {
  const { rows: K, cols: d } = classMeans;
  if (d < 2) throw new FigureDataError('geometry: features need at least 2 dimensions');
  const center = globalMean(classMeans);
  const Mt = centreRows(classMeans, center);
  const g = gram(Mt);
  let total = 0;
  for (let k = 0; k < K; k++) total += g[k * K + k];
  const plane = principalPlane(Mt, g);
  for (let j = 0; plane.length < 2 && j < d; j++) {
    const e = new Float64Array(d);
    e[j] = 1;
    const n = orthonormalise(e, plane);
    if (n > 1e-6) plane.push(e);
  }
  // u₁: class 0's centred mean within the plane (falling back to the leading direction when it is orthogonal to it).
  const m0 = Mt.data.subarray(0, d);
  const a = dot(m0, plane[0]);
  const b = dot(m0, plane[1]);
  const r = Math.hypot(a, b);
  const [c, s] = r > 1e-12 * Math.sqrt(Math.max(total, 1e-300)) ? [a / r, b / r] : [1, 0];
  const u1 = plane[0].map((x, j) => c * x + s * plane[1][j]);
  let u2 = plane[0].map((x, j) => -s * x + c * plane[1][j]);
  if (K > 1 && dot(Mt.data.subarray(d, 2 * d), u2) < 0) u2 = u2.map((x) => -x);
  let kept = 0;
  for (let k = 0; k < K; k++) {
    const m = Mt.data.subarray(k * d, (k + 1) * d);
    kept += dot(m, u1) ** 2 + dot(m, u2) ** 2;
  }
  return { center, u1, u2, captured: total > 0 ? kept / total : 1 };
}

/** Orthonormal u_r ∝ M̃ᵀv_r for the (at most two) largest eigenvalues of the Gram matrix above RANK_TOL·trace. */
function principalPlane(Mt: Matrix<Float64Array>, g: Float64Array): Float64Array[] {
  const { rows: K, cols: d, data: m } = Mt;
  const S = new MlMatrix(K, K);
  let total = 0;
  for (let i = 0; i < K; i++) {
    total += g[i * K + i];
    for (let j = 0; j < K; j++) S.set(i, j, g[i * K + j]);
  }
  const evd = new EigenvalueDecomposition(S, { assumeSymmetric: true });
  const lambda = evd.realEigenvalues;
  const order = lambda.map((_, r) => r).sort((p, q) => lambda[q] - lambda[p]);
  const plane: Float64Array[] = [];
  for (const r of order.slice(0, 2)) {
    if (!(lambda[r] > RANK_TOL * Math.max(total, 1e-300))) break;
    const u = new Float64Array(d);
    for (let k = 0; k < K; k++) {
      const v = evd.eigenvectorMatrix.get(k, r);
      for (let t = 0; t < d; t++) u[t] += v * m[k * d + t];
    }
    if (orthonormalise(u, plane) > 1e-12) plane.push(u);
  }
  return plane;
}

/** Removes from v its components along the orthonormal vectors in `basis`, normalises it in place, returns its norm. */
function orthonormalise(v: Float64Array, basis: readonly Float64Array[]): number {
  for (const p of basis) {
    const c = dot(v, p);
    for (let j = 0; j < v.length; j++) v[j] -= c * p[j];
  }
  const n = Math.sqrt(dot(v, v));
  if (n > 0) for (let j = 0; j < v.length; j++) v[j] /= n;
  return n;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
}

/** Coordinates of v − center (or of v itself when centred = false) on (u₁, u₂). */
export function project(p: Projection2D, v: ArrayLike<number>, centred = true): [number, number] {
  let x = 0;
  let y = 0;
  for (let j = 0; j < p.center.length; j++) {
    const w = centred ? v[j] - p.center[j] : v[j];
    x += w * p.u1[j];
    y += w * p.u2[j];
  }
  return [x, y];
}
