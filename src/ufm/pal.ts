/**
 * Pick-all-label (PAL) cross-entropy (Li et al. 2024): for logits z ∈ R^K and a label set S with m = |S|,
 *   PAL(z, S) = Σ_{k∈S} −log softmax(z)_k = m·LSE(z) − Σ_{k∈S} z_k,   ∂PAL/∂z = m·softmax(z) − 1_S.
 * `pal-n` weights it by c_m = 1/m (soft-target cross-entropy with target 1_S/m); `pal` has c_m = 1 (target 1_S).
 */
import type { LabelSet } from '../geometry/types.js';

/** The PAL weightings, c_m = 1 (`pal`) and c_m = 1/m (`pal-n`); the one list of loss names. */
export const PAL_LOSSES = ['pal', 'pal-n'] as const;
export type PalLoss = (typeof PAL_LOSSES)[number];

/** The weight c_m of a sample of multiplicity m. */
export function palWeight(loss: PalLoss, m: number): number {
  if (loss === 'pal') return 1;
  if (loss === 'pal-n') return 1 / m;
  throw new Error(`unknown loss '${String(loss)}' (expected 'pal' or 'pal-n')`);
}

/** log Σ_k exp(z_k), shifted by the maximum so that it never overflows. */
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

/** c_m·PAL(z, S). */
export function palValue(z: ArrayLike<number>, S: LabelSet, loss: PalLoss = 'pal'): number {
  checkSet(S, z.length);
  const m = S.length;
  let picked = 0;
  for (const k of S) picked += z[k];
  return palWeight(loss, m) * (m * logSumExp(z) - picked);
}

/** Writes c_m·(m·softmax(z) − 1_S) into `out` (length K) and returns c_m·PAL(z, S). */
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
