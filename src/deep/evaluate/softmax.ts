/** Row i of a row-major N×K logit matrix as a max-shifted softmax (never overflows). */
export function softmaxRow(logits: ArrayLike<number>, i: number, K: number, out: Float64Array): Float64Array {
  let max = -Infinity;
  for (let k = 0; k < K; k++) max = Math.max(max, logits[i * K + k]);
  let sum = 0;
  for (let k = 0; k < K; k++) {
    out[k] = Math.exp(logits[i * K + k] - max);
    sum += out[k];
  }
  for (let k = 0; k < K; k++) out[k] /= sum;
  return out;
}

/** Class indices of row i sorted by logit, largest first (ties by lower index). */
export function rankRow(logits: ArrayLike<number>, i: number, K: number): number[] {
  const idx = Array.from({ length: K }, (_, k) => k);
  return idx.sort((a, b) => logits[i * K + b] - logits[i * K + a] || a - b);
}

export function checkLogits(logits: ArrayLike<number>, n: number, K: number): void {
  if (!Number.isInteger(K) || K < 2) throw new Error(`K must be an integer ≥ 2, got ${K}`);
  if (logits.length !== n * K) throw new Error(`logits have ${logits.length} entries, expected ${n}×${K}`);
  for (let i = 0; i < logits.length; i++) {
    if (!Number.isFinite(logits[i])) throw new Error(`logit ${i} is not finite (${logits[i]})`);
  }
}
