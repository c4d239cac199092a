/**
 * The network's logit gap per multiplicity: for each sample, the mean in-set logit minus the mean out-of-set logit,
 * averaged over the samples of each multiplicity (the UFM's two-valued logits have exactly this gap, γ_m·α = u_m·s).
 */
import type { LabelSet } from '../geometry/types.js';

export function logitGapsByMultiplicity(logits: ArrayLike<number>, labels: readonly LabelSet[], K: number): Record<string, number> {
  const N = labels.length;
  if (logits.length !== N * K) throw new Error(`logit gap: ${logits.length} logits for ${N} samples × K = ${K}`);
  const sum = new Map<number, number>();
  const cnt = new Map<number, number>();
  for (let i = 0; i < N; i++) {
    const S = labels[i];
    const m = S.length;
    if (m >= K) continue; // no out-of-set logits
    let all = 0;
    let inSet = 0;
    for (let k = 0; k < K; k++) {
      const z = logits[i * K + k];
      if (!Number.isFinite(z)) throw new Error(`logit gap: sample ${i} has a non-finite logit (${z})`);
      all += z;
    }
    for (const k of S) inSet += logits[i * K + k];
    const gap = inSet / m - (all - inSet) / (K - m);
    sum.set(m, (sum.get(m) ?? 0) + gap);
    cnt.set(m, (cnt.get(m) ?? 0) + 1);
  }
  const out: Record<string, number> = {};
  for (const m of [...sum.keys()].sort((a, b) => a - b)) out[String(m)] = (sum.get(m) as number) / (cnt.get(m) as number);
  return out;
}

/** Logits W·h_i + b of row-major features (N×d) and classifier (K×d). */
export function logitsOf(features: ArrayLike<number>, N: number, d: number, W: ArrayLike<number>, b: ArrayLike<number>, K: number): Float64Array {
  const z = new Float64Array(N * K);
  for (let i = 0; i < N; i++) {
    for (let k = 0; k < K; k++) {
      let s = b[k];
      for (let t = 0; t < d; t++) s += W[k * d + t] * features[i * d + t];
      z[i * K + k] = s;
    }
  }
  return z;
}
