import type { LabelSet } from '../../geometry/types.js';
import { checkLogits, rankRow, softmaxRow } from './softmax.js';

/**
 * Multi-label test-set metrics on logits and true label sets. Pure functions (no tfjs) so they are unit-testable.
 * Logits are row-major N×K.
 */

/**
 * Mean over samples of Σ_{k∈S} softmax(z)_k — what the public code calls "IoU" (it is not an intersection over union:
 * it is the softmax mass on the true set, in [0, 1], and equals 1 only in the limit of infinitely separated logits).
 */
export function trueSetSoftmaxMass(logits: ArrayLike<number>, labels: readonly LabelSet[], K: number): number {
  const n = labels.length;
  checkLogits(logits, n, K);
  const p = new Float64Array(K);
  let total = 0;
  for (let i = 0; i < n; i++) {
    softmaxRow(logits, i, K, p);
    for (const k of labels[i]) total += p[k];
  }
  return total / n;
}

/** Top-m decoding with the ORACLE multiplicity m = |S| (the true set size is given to the decoder). */
export function topMDecode(logits: ArrayLike<number>, i: number, K: number, m: number): number[] {
  return rankRow(logits, i, K).slice(0, m).sort((a, b) => a - b);
}

/**
 * Largest-gap decoding, needing no oracle and no threshold: sort the logits in decreasing order z_(1) ≥ … ≥ z_(K) and
 * predict the top j classes where j ∈ 1..K−1 maximises the gap z_(j) − z_(j+1) (the smallest such j on ties).
 * Why: at the PAL optimum the logits of a sample with label set S take exactly two values, in-set above out-of-set, so
 * the largest gap sits right after the m-th logit; it is shift- and scale-invariant, as PAL's geometry is.
 */
export function largestGapDecode(logits: ArrayLike<number>, i: number, K: number): number[] {
  const order = rankRow(logits, i, K);
  let best = 1;
  let bestGap = -Infinity;
  for (let j = 1; j < K; j++) {
    const gap = logits[i * K + order[j - 1]] - logits[i * K + order[j]];
    if (gap > bestGap) {
      bestGap = gap;
      best = j;
    }
  }
  return order.slice(0, best).sort((a, b) => a - b);
}

function sameSet(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Fraction of samples whose oracle-m top-m decoding equals the true set exactly. */
export function topMExactMatch(logits: ArrayLike<number>, labels: readonly LabelSet[], K: number): number {
  checkLogits(logits, labels.length, K);
  let hits = 0;
  labels.forEach((S, i) => {
    if (sameSet(topMDecode(logits, i, K, S.length), S)) hits++;
  });
  return hits / labels.length;
}

export interface DecisionMetrics {
  /** Fraction of samples whose predicted set equals the true set. */
  exactMatch: number;
  /** Mean over samples and classes of [k predicted] ≠ [k true]. */
  hammingLoss: number;
  /** 2TP/(2TP + FP + FN) over all (sample, class) pairs. */
  microF1: number;
  /** Mean over classes of the per-class F1; a class with no true and no predicted positives is left out of the mean. */
  macroF1: number;
}

/** Exact match, Hamming loss and micro/macro F1 of given predicted sets against the true sets. */
export function decisionMetrics(predicted: readonly (readonly number[])[], labels: readonly LabelSet[], K: number): DecisionMetrics {
  const n = labels.length;
  if (predicted.length !== n) throw new Error(`${predicted.length} predictions for ${n} samples`);
  if (n === 0) throw new Error('decisionMetrics: no samples');
  const tp = new Float64Array(K);
  const fp = new Float64Array(K);
  const fn = new Float64Array(K);
  let exact = 0;
  let wrong = 0;
  for (let i = 0; i < n; i++) {
    const pred = new Set(predicted[i]);
    const truth = new Set(labels[i]);
    for (const k of pred) if (!Number.isInteger(k) || k < 0 || k >= K) throw new Error(`predicted class ${k} outside 0..${K - 1}`);
    let ok = pred.size === truth.size;
    for (let k = 0; k < K; k++) {
      const p = pred.has(k);
      const t = truth.has(k);
      if (p && t) tp[k]++;
      else if (p) { fp[k]++; wrong++; ok = false; }
      else if (t) { fn[k]++; wrong++; ok = false; }
    }
    if (ok) exact++;
  }
  let TP = 0, FP = 0, FN = 0, f1Sum = 0, f1Count = 0;
  for (let k = 0; k < K; k++) {
    TP += tp[k]; FP += fp[k]; FN += fn[k];
    const denom = 2 * tp[k] + fp[k] + fn[k];
    if (denom > 0) {
      f1Sum += (2 * tp[k]) / denom;
      f1Count++;
    }
  }
  return {
    exactMatch: exact / n,
    hammingLoss: wrong / (n * K),
    microF1: 2 * TP + FP + FN > 0 ? (2 * TP) / (2 * TP + FP + FN) : 1,
    macroF1: f1Count > 0 ? f1Sum / f1Count : 1,
  };
}

/** Decision metrics of the largest-gap decoder (no oracle). */
export function largestGapMetrics(logits: ArrayLike<number>, labels: readonly LabelSet[], K: number): DecisionMetrics {
  checkLogits(logits, labels.length, K);
  return decisionMetrics(labels.map((_, i) => largestGapDecode(logits, i, K)), labels, K);
}
