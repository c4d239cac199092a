/**
 * The multi-label unconstrained feature model objective (Li et al. 2024) and its analytic gradient, in float64:
 *   f(W, H, b) = (1/N) Σ_i c_m·PAL(W h_i + b, S_i) + (λ_W/2)‖W‖² + (λ_H/2)‖H‖² + (λ_b/2)‖b‖²,
 * with G = [c_m(m·softmax(z_i) − 1_{S_i})]_i / N:  ∇W = Gᵀ-weighted sum of h_i + λ_W W, ∇h_i = Wᵀ g_i + λ_H h_i,
 * ∇b = Σ_i g_i + λ_b b.
 *
 * All variables live in ONE flat vector x = [W (K×d row-major), H (N×d row-major: one row per sample, the features
 * layout), b (K)] so that generic optimisers can work on it. This is the hot path: one pass over the samples computes
 * the logits, the softmax, and both gradient contributions while h_i is in cache; nothing is allocated per call.
 */
import { matrix, type LabelSet, type Matrix } from '../geometry/types.js';
import { palWeight, type PalLoss } from './pal.js';

export interface UfmProblem {
  readonly K: number;
  readonly d: number;
  /** Per-sample label sets (length N), classes in 0..K-1. */
  readonly labels: readonly LabelSet[];
  readonly loss: PalLoss;
  readonly lambdaW: number;
  readonly lambdaH: number;
  readonly lambdaB: number;
}

/** f and ∇f: writes the gradient into `grad` (same length as x) and returns f (possibly non-finite: check it). */
export type ObjectiveFunction = (x: Float64Array, grad: Float64Array) => number;

export interface UfmObjective {
  readonly problem: UfmProblem;
  readonly N: number;
  /** Length of x: K·d + N·d + K. */
  readonly size: number;
  /** Offsets of the blocks of x. */
  readonly offsetW: number;
  readonly offsetH: number;
  readonly offsetB: number;
  readonly evaluate: ObjectiveFunction;
  /** f alone (still one pass; uses an internal gradient buffer). */
  value(x: Float64Array): number;
}

/** Throws a one-line Error if the problem is malformed. */
export function validateUfmProblem(p: UfmProblem): void {
  if (!Number.isInteger(p.K) || p.K < 2) throw new Error(`UFM: K must be an integer ≥ 2, got ${p.K}`);
  if (!Number.isInteger(p.d) || p.d < 1) throw new Error(`UFM: d must be a positive integer, got ${p.d}`);
  if (p.labels.length === 0) throw new Error('UFM: no samples');
  palWeight(p.loss, 1);
  for (const [name, v] of [['lambdaW', p.lambdaW], ['lambdaH', p.lambdaH], ['lambdaB', p.lambdaB]] as const) {
    if (!Number.isFinite(v) || v < 0) throw new Error(`UFM: ${name} must be a finite number ≥ 0, got ${v}`);
  }
}

export function ufmSize(p: Pick<UfmProblem, 'K' | 'd'>, N: number): number {
  return p.K * p.d + N * p.d + p.K;
}

export function ufmObjective(problem: UfmProblem): UfmObjective {
  validateUfmProblem(problem);
  const { K, d, labels, lambdaW, lambdaH, lambdaB } = problem;
  const N = labels.length;
  const invN = 1 / N;
  // Flattened label sets: classes of sample i are setIndex[setStart[i] .. setStart[i+1]).
  const setStart = new Int32Array(N + 1);
  let total = 0;
  for (let i = 0; i < N; i++) total += labels[i].length;
  const setIndex = new Int32Array(total);
  const weight = new Float64Array(N); // c_m / N
  const mult = new Float64Array(N);
  let pos = 0;
  for (let i = 0; i < N; i++) {
    const S = labels[i];
    if (S.length === 0) throw new Error(`UFM: sample ${i} has an empty label set`);
    setStart[i] = pos;
    let prev = -1;
    for (const k of S) {
      if (!Number.isInteger(k) || k < 0 || k >= K) throw new Error(`UFM: sample ${i} has label ${k}, not in 0..${K - 1}`);
      if (k <= prev) throw new Error(`UFM: sample ${i} has an unsorted or repeated label set [${S.join(',')}]`);
      prev = k;
      setIndex[pos++] = k;
    }
    mult[i] = S.length;
    weight[i] = palWeight(problem.loss, S.length) * invN;
  }
  setStart[N] = pos;

  const offsetW = 0;
  const offsetH = K * d;
  const offsetB = K * d + N * d;
  const size = offsetB + K;
  const z = new Float64Array(K);
  const g = new Float64Array(K);
  const scratch = new Float64Array(size);

  const evaluate: ObjectiveFunction = (x, grad) => {
    if (x.length !== size || grad.length !== size) {
      throw new Error(`UFM: x and grad must have length ${size}, got ${x.length} and ${grad.length}`);
    }
    // ∇W starts at λ_W W; ‖W‖², ‖b‖² on the way.
    let wsq = 0;
    for (let j = 0; j < offsetH; j++) {
      const w = x[j];
      wsq += w * w;
      grad[j] = lambdaW * w;
    }
    let bsq = 0;
    for (let k = 0; k < K; k++) {
      const bk = x[offsetB + k];
      bsq += bk * bk;
      grad[offsetB + k] = lambdaB * bk;
    }
    let loss = 0;
    let hsq = 0;
    for (let i = 0; i < N; i++) {
      const hi = offsetH + i * d;
      // Logits z_k = b_k + <w_k, h_i>, four rows of W per sweep over h_i (h_j loaded once for four products).
      let k = 0;
      for (; k + 3 < K; k += 4) {
        const w0 = k * d, w1 = w0 + d, w2 = w1 + d, w3 = w2 + d;
        let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        for (let j = 0; j < d; j++) {
          const h = x[hi + j];
          a0 += x[w0 + j] * h;
          a1 += x[w1 + j] * h;
          a2 += x[w2 + j] * h;
          a3 += x[w3 + j] * h;
        }
        z[k] = x[offsetB + k] + a0;
        z[k + 1] = x[offsetB + k + 1] + a1;
        z[k + 2] = x[offsetB + k + 2] + a2;
        z[k + 3] = x[offsetB + k + 3] + a3;
      }
      for (; k < K; k++) {
        const w0 = k * d;
        let a0 = 0, a1 = 0;
        let j = 0;
        for (; j + 1 < d; j += 2) {
          a0 += x[w0 + j] * x[hi + j];
          a1 += x[w0 + j + 1] * x[hi + j + 1];
        }
        if (j < d) a0 += x[w0 + j] * x[hi + j];
        z[k] = x[offsetB + k] + a0 + a1;
      }
      let zmax = -Infinity;
      for (k = 0; k < K; k++) if (z[k] > zmax) zmax = z[k];
      // Stable softmax and PAL: c·(m·LSE(z) − Σ_S z_k).
      let sum = 0;
      for (k = 0; k < K; k++) {
        const e = Math.exp(z[k] - zmax);
        g[k] = e;
        sum += e;
      }
      const lse = zmax + Math.log(sum);
      const m = mult[i];
      const c = weight[i];
      const scale = (c * m) / sum;
      let picked = 0;
      for (k = 0; k < K; k++) g[k] *= scale;
      for (let p = setStart[i], end = setStart[i + 1]; p < end; p++) {
        const s = setIndex[p];
        picked += z[s];
        g[s] -= c;
      }
      loss += c * (m * lse - picked);
      // ∇h_i = λ_H h_i + Σ_k g_k w_k and ∇w_k += g_k h_i, in the same sweep over h_i.
      for (let j = 0; j < d; j++) {
        const h = x[hi + j];
        hsq += h * h;
        grad[hi + j] = lambdaH * h;
      }
      for (k = 0; k < K; k++) grad[offsetB + k] += g[k];
      for (k = 0; k + 3 < K; k += 4) {
        const g0 = g[k], g1 = g[k + 1], g2 = g[k + 2], g3 = g[k + 3];
        const w0 = k * d, w1 = w0 + d, w2 = w1 + d, w3 = w2 + d;
        for (let j = 0; j < d; j++) {
          const h = x[hi + j];
          grad[hi + j] += g0 * x[w0 + j] + g1 * x[w1 + j] + g2 * x[w2 + j] + g3 * x[w3 + j];
          grad[w0 + j] += g0 * h;
          grad[w1 + j] += g1 * h;
          grad[w2 + j] += g2 * h;
          grad[w3 + j] += g3 * h;
        }
      }
      for (; k < K; k++) {
        const gk = g[k];
        const w0 = k * d;
        for (let j = 0; j < d; j++) {
          grad[hi + j] += gk * x[w0 + j];
          grad[w0 + j] += gk * x[hi + j];
        }
      }
    }
    return loss + 0.5 * (lambdaW * wsq + lambdaH * hsq + lambdaB * bsq);
  };

  return {
    problem,
    N,
    size,
    offsetW,
    offsetH,
    offsetB,
    evaluate,
    value: (x) => evaluate(x, scratch),
  };
}

/** Views (no copies) of the blocks of x: W (K×d), H (N×d, features layout), b (K). */
export function unpackUfm(
  p: Pick<UfmProblem, 'K' | 'd'>,
  N: number,
  x: Float64Array,
): { W: Matrix<Float64Array>; H: Matrix<Float64Array>; b: Float64Array } {
  const { K, d } = p;
  if (x.length !== ufmSize(p, N)) throw new Error(`UFM: x has length ${x.length}, expected ${ufmSize(p, N)}`);
  return {
    W: matrix(K, d, x.subarray(0, K * d)),
    H: matrix(N, d, x.subarray(K * d, K * d + N * d)),
    b: x.subarray(K * d + N * d),
  };
}

/** The flat vector [W, H, b] from its blocks (copied). */
export function packUfm(W: Matrix, H: Matrix, b: ArrayLike<number>): Float64Array {
  if (W.cols !== H.cols) throw new Error(`UFM: W has ${W.cols} columns but H has ${H.cols}`);
  if (b.length !== W.rows) throw new Error(`UFM: b has length ${b.length}, expected K = ${W.rows}`);
  const x = new Float64Array(W.data.length + H.data.length + b.length);
  x.set(W.data, 0);
  x.set(H.data, W.data.length);
  for (let k = 0; k < b.length; k++) x[W.data.length + H.data.length + k] = b[k];
  return x;
}

/** max_j |v_j| (NaN if any entry is NaN). */
export function maxAbs(v: Float64Array): number {
  let m = 0;
  for (let j = 0; j < v.length; j++) {
    const a = Math.abs(v[j]);
    if (a > m || a !== a) m = a;
  }
  return m;
}
