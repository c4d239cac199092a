/**
 * Pick-all-label (PAL) cross-entropy (Li et al. 2024): for logits z ∈ R^K and a label set S with m = |S|,
 *   PAL(z, S) = Σ_{k∈S} −log softmax(z)_k = m·LSE(z) − Σ_{k∈S} z_k,   ∂PAL/∂z = m·softmax(z) − 1_S.
 * `pal-n` weights it by c_m = 1/m (soft-target cross-entropy with target 1_S/m); `pal` has c_m = 1 (target 1_S).
 */
import type { LabelSet } from '../geometry/types.js';

/** The PAL weightings, c_m = 1 (`pal`) and c_m = 1/m (`pal-n`); the one list of loss names. */
export const PAL_LOSSES = ['pal', 'pal-n'] as const;
export type PalLoss = (typeof PAL_LOSSES)[number];

/**
 * The weight c_m of a sample of multiplicity m.
 * @example
 * palWeight('pal', 2); // → 1
 * palWeight('pal-n', 2); // → 0.5
 */
export function palWeight(loss: PalLoss, m: number): number {
  if (loss === 'pal') return 1;
  if (loss === 'pal-n') return 1 / m;
  throw new Error(`unknown loss '${String(loss)}' (expected 'pal' or 'pal-n')`);
}

/**
 * log Σ_k exp(z_k), shifted by the maximum so that it never overflows.
 * @example
 * logSumExp([0, 0]); // ≈ 0.6931472
 * logSumExp([1000, 1000]); // ≈ 1000.6931472
 */
export function logSumExp(z: ArrayLike<number>): number {
  let max = -Infinity;
  for (let k = 0; k < z.length; k++) if (z[k] > max) max = z[k];
  if (max === -Infinity || !Number.isFinite(max)) return max;
  let sum = 0;
  for (let k = 0; k < z.length; k++) sum += Math.exp(z[k] - max);
  return max + Math.log(sum);
}

function checkSet(S: LabelSet, K: number): void {
  if (S.length === 0) throw new Error('PAL: empty label set');
  for (const k of S) {
    if (!Number.isInteger(k) || k < 0 || k >= K) throw new Error(`PAL: label ${k} is not a class index in 0..${K - 1}`);
  }
}

/**
 * c_m·PAL(z, S).
 * @example
 * // equal logits over K = 3 classes: each picked label costs log 3
 * palValue([0, 0, 0], [0, 1]); // ≈ 2.1972246
 * palValue([0, 0, 0], [0, 1], 'pal-n'); // ≈ 1.0986123
 */
export function palValue(z: ArrayLike<number>, S: LabelSet, loss: PalLoss = 'pal'): number {
  checkSet(S, z.length);
  const m = S.length;
  let picked = 0;
  for (const k of S) picked += z[k];
  return palWeight(loss, m) * (m * logSumExp(z) - picked);
}

/**
 * Writes c_m·(m·softmax(z) − 1_S) into `out` (length K) and returns c_m·PAL(z, S).
 * @example
 * const g = new Float64Array(3);
 * palGradient([0, 0, 0], [0, 1], g); // ≈ 2.1972246
 * // m·softmax(z) − 1_S = 2/3 − 1 on the picked labels, 2/3 on the other
 * g; // ≈ [-0.3333333, -0.3333333, 0.6666667]
 */
export function palGradient(z: ArrayLike<number>, S: LabelSet, out: Float64Array, loss: PalLoss = 'pal'): number {
  const K = z.length;
  checkSet(S, K);
  if (out.length !== K) throw new Error(`PAL: gradient buffer has length ${out.length}, expected ${K}`);
  const m = S.length;
  const c = palWeight(loss, m);
  const lse = logSumExp(z);
  for (let k = 0; k < K; k++) out[k] = c * m * Math.exp(z[k] - lse);
  let picked = 0;
  for (const k of S) {
    picked += z[k];
    out[k] -= c;
  }
  return c * (m * lse - picked);
}
