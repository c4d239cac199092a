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

/** Where the blocks of x = [W, H, b] lie, shared by the whole-pass objective and the per-range kernel. */
export interface UfmLayout {
  readonly problem: UfmProblem;
  readonly N: number;
  /** Length of x: K·d + N·d + K. */
  readonly size: number;
  /** Offsets of the blocks of x. */
  readonly offsetW: number;
  readonly offsetH: number;
  readonly offsetB: number;
}

export interface UfmObjective extends UfmLayout {
  readonly evaluate: ObjectiveFunction;
  /** f alone (still one pass; uses an internal gradient buffer). */
  value(x: Float64Array): number;
}

/**
 * Throws a one-line Error if the problem is malformed.
 * @example
 * const problem: UfmProblem = { K: 4, d: 6, labels: [[0]], loss: 'pal', lambdaW: 5e-3, lambdaH: 5e-3, lambdaB: -1 };
 * let message = '';
 * try { validateUfmProblem(problem); } catch (err) { message = (err as Error).message; }
 * message; // → 'UFM: lambdaB must be a finite number ≥ 0, got -1'
 */
export function validateUfmProblem(p: UfmProblem): void {
  if (!Number.isInteger(p.K) || p.K < 2) throw new Error(`UFM: K must be an integer ≥ 2, got ${p.K}`);
  if (!Number.isInteger(p.d) || p.d < 1) throw new Error(`UFM: d must be a positive integer, got ${p.d}`);
  if (p.labels.length === 0) throw new Error('UFM: no samples');
  palWeight(p.loss, 1);
  for (const [name, v] of [['lambdaW', p.lambdaW], ['lambdaH', p.lambdaH], ['lambdaB', p.lambdaB]] as const) {
    if (!Number.isFinite(v) || v < 0) throw new Error(`UFM: ${name} must be a finite number ≥ 0, got ${v}`);
  }
}

/**
 * Length of x = [W, H, b]: K·d + N·d + K.
 * @example
 * ufmSize({ K: 4, d: 6 }, 24); // → 172
 */
export function ufmSize(p: Pick<UfmProblem, 'K' | 'd'>, N: number): number {
  return p.K * p.d + N * p.d + p.K;
}

/**
 * The per-sample part of the objective over a range of samples, for callers that split [0, N) between threads
 * (src/parallel). Holds its own scratch buffers: one kernel per thread.
 */
export interface UfmKernel extends UfmLayout {
  /**
   * Samples [i0, i1) (i0 even, so that samples pair up as in a whole pass): writes ∇h_i = λ_H h_i + Wᵀ g_i into the
   * rows of `grad` (disjoint between ranges), ADDS Σ_i g_i h_iᵀ into partial[wAt .. wAt + K·d) and Σ_i g_i into
   * partial[bAt .. bAt + K), and stores sums[0] = Σ_i c_m·PAL_i / N, sums[1] = Σ_i ‖h_i‖². Reads x only.
   */
  evaluateRange(
    x: Float64Array, grad: Float64Array, i0: number, i1: number,
    partial: Float64Array, wAt: number, bAt: number, sums: Float64Array,
  ): void;
  /** grad's W and b blocks := λ_W W and λ_b b; sums[0] = ‖W‖², sums[1] = ‖b‖². */
  startWB(x: Float64Array, grad: Float64Array, sums: Float64Array): void;
}

/**
 * The per-sample work of the objective over any range of samples, with its own scratch buffers (one per thread).
 * @example
 * // at logits near 0 every sample's PAL is about m·log K, so the data term is about (12·log 4 + 12·2·log 4)/24
 * const problem: UfmProblem = { K: 4, d: 6, labels: balancedDesign(4, { 1: 3, 2: 2 }).labels, loss: 'pal', lambdaW: 5e-3, lambdaH: 5e-3, lambdaB: 1e-2 };
 * const kernel = ufmKernel(problem);
 * const x = randomUfmPoint(problem, new Rng(1), 1e-3);
 * const grad = new Float64Array(kernel.size), partial = new Float64Array(kernel.size), sums = new Float64Array(2);
 * kernel.evaluateRange(x, grad, 0, kernel.N, partial, kernel.offsetW, kernel.offsetB, sums);
 * sums[0]; // ≈ 2.0794
 */
export function ufmKernel(problem: UfmProblem): UfmKernel {
  validateUfmProblem(problem);
  const { K, d, labels, lambdaW, lambdaH, lambdaB } = problem;
  const N = labels.length;
  const invN = 1 / N;
  // Flattened label sets: classes of sample i are setIndex[setStart[i] .. setStart[i+1]).
  const setStart = new Int32Array(N + 1);
  let total = 0;
  for (let i = 0; i < N; i++) total += labels[i].length;
  const setIndex = new Int32Array(total);
  const weight = new Float64Array(N); // c_m / N: the 1/N of the mean is folded into the per-sample weight
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
  // Logits and loss gradients of two samples at a time: z[0..K), g[0..K) for the first, z[K..2K), g[K..2K) for the second.
  const z = new Float64Array(2 * K);
  const g = new Float64Array(2 * K);

  /** Turns the logits z[off..off+K) of sample i into g = c_m(m·softmax − 1_S)/N; returns c_m·PAL/N. */
  const lossGradient = (i: number, off: number): number => {
    let zmax = -Infinity;
    for (let k = 0; k < K; k++) if (z[off + k] > zmax) zmax = z[off + k];
    // Stable softmax: shift by the largest logit.
    let sum = 0;
    for (let k = 0; k < K; k++) {
      const e = Math.exp(z[off + k] - zmax);
      g[off + k] = e;
      sum += e;
    }
    const lse = zmax + Math.log(sum);
    const m = mult[i];
    const c = weight[i];
    const scale = (c * m) / sum;
    for (let k = 0; k < K; k++) g[off + k] *= scale;
    let picked = 0;
    for (let p = setStart[i], end = setStart[i + 1]; p < end; p++) {
      const s = setIndex[p];
      picked += z[off + s];
      g[off + s] -= c;
    }
    return c * (m * lse - picked);
  };

  const evaluateRange: UfmKernel['evaluateRange'] = (x, grad, i0, i1, partial, wAt, bAt, sums) => {
    let loss = 0;
    let hsq = 0;
    // Samples in pairs (a, b): each load of a row of W serves both samples, each load of h_a, h_b two rows of W.
    let i = i0;
    for (; i + 1 < i1; i += 2) {
      const ha = offsetH + i * d;
      const hb = ha + d;
      let k = 0;
      for (; k + 1 < K; k += 2) {
        const w0 = k * d, w1 = w0 + d;
        let a0 = 0, a1 = 0, b0 = 0, b1 = 0;
        for (let j = 0; j < d; j++) {
          const p = x[ha + j], q = x[hb + j], u = x[w0 + j], v = x[w1 + j];
          a0 += u * p;
          a1 += v * p;
          b0 += u * q;
          b1 += v * q;
        }
        z[k] = x[offsetB + k] + a0;
        z[k + 1] = x[offsetB + k + 1] + a1;
        z[K + k] = x[offsetB + k] + b0;
        z[K + k + 1] = x[offsetB + k + 1] + b1;
      }
      if (k < K) {
        const w0 = k * d;
        let a0 = 0, b0 = 0;
        for (let j = 0; j < d; j++) {
          const u = x[w0 + j];
          a0 += u * x[ha + j];
          b0 += u * x[hb + j];
        }
        z[k] = x[offsetB + k] + a0;
        z[K + k] = x[offsetB + k] + b0;
      }
      loss += lossGradient(i, 0) + lossGradient(i + 1, K);
      // ∇h = λ_H h + Σ_k g_k w_k and ∇w_k += g_k h, in the same sweep over h_a, h_b.
      for (let j = 0; j < d; j++) {
        const p = x[ha + j], q = x[hb + j];
        hsq += p * p + q * q;
        grad[ha + j] = lambdaH * p;
        grad[hb + j] = lambdaH * q;
      }
      for (k = 0; k < K; k++) partial[bAt + k] += g[k] + g[K + k];
      for (k = 0; k + 1 < K; k += 2) {
        const ga0 = g[k], ga1 = g[k + 1], gb0 = g[K + k], gb1 = g[K + k + 1];
        const w0 = k * d, w1 = w0 + d;
        for (let j = 0; j < d; j++) {
          const p = x[ha + j], q = x[hb + j], u = x[w0 + j], v = x[w1 + j];
          grad[ha + j] += ga0 * u + ga1 * v;
          grad[hb + j] += gb0 * u + gb1 * v;
          partial[wAt + w0 + j] += ga0 * p + gb0 * q;
          partial[wAt + w1 + j] += ga1 * p + gb1 * q;
        }
      }
      if (k < K) {
        const ga = g[k], gb = g[K + k], w0 = k * d;
        for (let j = 0; j < d; j++) {
          const u = x[w0 + j];
          grad[ha + j] += ga * u;
          grad[hb + j] += gb * u;
          partial[wAt + w0 + j] += ga * x[ha + j] + gb * x[hb + j];
        }
      }
    }
    if (i < i1) {
      // The last sample of an odd-length range, alone.
      const ha = offsetH + i * d;
      for (let k = 0; k < K; k++) {
        const w0 = k * d;
        let a0 = 0;
        for (let j = 0; j < d; j++) a0 += x[w0 + j] * x[ha + j];
        z[k] = x[offsetB + k] + a0;
      }
      loss += lossGradient(i, 0);
      for (let j = 0; j < d; j++) {
        const p = x[ha + j];
        hsq += p * p;
        grad[ha + j] = lambdaH * p;
      }
      for (let k = 0; k < K; k++) {
        const ga = g[k], w0 = k * d;
        partial[bAt + k] += ga;
        for (let j = 0; j < d; j++) {
          grad[ha + j] += ga * x[w0 + j];
          partial[wAt + w0 + j] += ga * x[ha + j];
        }
      }
    }
    sums[0] = loss;
    sums[1] = hsq;
  };

  const startWB: UfmKernel['startWB'] = (x, grad, sums) => {
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
    sums[0] = wsq;
    sums[1] = bsq;
  };

  return { problem, N, size, offsetW, offsetH, offsetB, evaluateRange, startWB };
}

/**
 * The objective f(x) with its gradient over x = [W, H, b] (see the file comment), single-threaded.
 * @example
 * // at the theory's optimum the objective equals the reduced problem's (reference case A)
 * const design = balancedDesign(4, { 1: 3, 2: 2 });
 * const problem: UfmProblem = { K: 4, d: 6, labels: design.labels, loss: 'pal', lambdaW: 5e-3, lambdaH: 5e-3, lambdaB: 1e-2 };
 * const theory = solveUfmTheory({ K: 4, perSetCount: { 1: 3, 2: 2 }, loss: 'pal', lambdaW: 5e-3, lambdaH: 5e-3 });
 * ufmObjective(problem).value(theoryPoint(theory, design.labels, 6)); // ≈ 0.8947813933
 */
export function ufmObjective(problem: UfmProblem): UfmObjective {
  const kernel = ufmKernel(problem);
  const { size, offsetH, offsetB, N, offsetW } = kernel;
  const { lambdaW, lambdaH, lambdaB } = problem;
  const scratch = new Float64Array(size);
  const sums = new Float64Array(2);

  const evaluate: ObjectiveFunction = (x, grad) => {
    if (x.length !== size || grad.length !== size) {
      throw new Error(`UFM: x and grad must have length ${size}, got ${x.length} and ${grad.length}`);
    }
    // ∇W starts at λ_W W, ∇b at λ_b b.
    kernel.startWB(x, grad, sums);
    const wsq = sums[0], bsq = sums[1];
    // The whole range in one pass, ∇W and ∇b accumulated straight into grad (on top of λ_W W, λ_b b).
    kernel.evaluateRange(x, grad, 0, N, grad, offsetW, offsetB, sums);
    return sums[0] + 0.5 * (lambdaW * wsq + lambdaH * sums[1] + lambdaB * bsq);
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

/**
 * Views (no copies) of the blocks of x: W (K×d), H (N×d, features layout), b (K).
 * @example
 * // K = 2, d = 2, N = 1: W is 2×2, H is 1×2, b has 2 entries
 * const { W, H, b } = unpackUfm({ K: 2, d: 2 }, 1, Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8));
 * W.data; // → [1, 2, 3, 4]
 * H.data; // → [5, 6]
 * b; // → [7, 8]
 */
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

/**
 * The flat vector [W, H, b] from its blocks (copied).
 * @example
 * packUfm(matrix(2, 2, Float64Array.of(1, 2, 3, 4)), matrix(1, 2, Float64Array.of(5, 6)), [7, 8]); // → [1, 2, 3, 4, 5, 6, 7, 8]
 */
export function packUfm(W: Matrix, H: Matrix, b: ArrayLike<number>): Float64Array {
  if (W.cols !== H.cols) throw new Error(`UFM: W has ${W.cols} columns but H has ${H.cols}`);
  if (b.length !== W.rows) throw new Error(`UFM: b has length ${b.length}, expected K = ${W.rows}`);
  const x = new Float64Array(W.data.length + H.data.length + b.length);
  x.set(W.data, 0);
  x.set(H.data, W.data.length);
  for (let k = 0; k < b.length; k++) x[W.data.length + H.data.length + k] = b[k];
  return x;
}

/**
 * max_j |v_j| (NaN if any entry is NaN).
 * @example
 * maxAbs(Float64Array.of(1, -3, 2)); // → 3
 */
export function maxAbs(v: Float64Array): number {
  let m = 0;
  for (let j = 0; j < v.length; j++) {
    const a = Math.abs(v[j]);
    if (a > m || a !== a) m = a;
  }
  return m;
}
