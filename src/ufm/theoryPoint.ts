/**
 * The predicted optimum (W, H, b) of the multi-label UFM in any feature dimension d ≥ K−1, built from the reduced
 * solution: W = s·E with E a simplex ETF embedded in R^d (EEᵀ = I − 11ᵀ/K, i.e. unit-norm ETF rows scaled by
 * sqrt((K−1)/K)), in a random orientation when an Rng is given; h_S = u_m·Σ_{k∈S} e_k for every sample with label
 * set S (Li et al. 2024: collapse to label-set means that are scaled tag-wise averages); b = 0.
 */
import { etfEmbedding } from '../geometry/etf.js';
import type { LabelSet } from '../geometry/types.js';
import type { Rng } from '../util/rng.js';
import type { TheoryOptimum } from './theory.js';

/**
 * The predicted optimum x = [W, H, b] of the theory for these samples in dimension d (see the file comment).
 * @example
 * const design = balancedDesign(4, { 1: 3, 2: 2 });
 * const t = solveUfmTheory({ K: 4, perSetCount: { 1: 3, 2: 2 }, loss: 'pal', lambdaW: 5e-3, lambdaH: 5e-3 });
 * const x = theoryPoint(t, design.labels, 6, new Rng(1)); // [W, H, b], randomly oriented in R^6
 * const nc = ncMetrics({ features: unpackUfm({ K: 4, d: 6 }, design.N, x).H, labels: design.labels, K: 4 });
 * nc.rho['2'].mean; // ≈ 1.7508648
 */
export function theoryPoint(
  theory: TheoryOptimum,
  labels: readonly LabelSet[],
  d: number,
  rng?: Rng,
): Float64Array {
  const { K } = theory;
  if (!Number.isInteger(d) || d < K - 1) throw new Error(`theory point: d = ${d} must be an integer ≥ K − 1 = ${K - 1}`);
  const uOf = new Map(theory.multiplicities.map((mm) => [mm.m, mm.u]));
  const N = labels.length;
  const x = new Float64Array(K * d + N * d + K);
  if (theory.trivial) return x;
  const unit = etfEmbedding(K, d, rng).data; // unit-norm rows
  const e = Float64Array.from(unit, (v) => v * Math.sqrt((K - 1) / K));
  for (let j = 0; j < K * d; j++) x[j] = theory.s * e[j];
  for (let i = 0; i < N; i++) {
    const S = labels[i];
    const u = uOf.get(S.length);
    if (u === undefined) throw new Error(`theory point: sample ${i} has multiplicity ${S.length}, which the theory does not cover`);
    const hi = K * d + i * d;
    for (const k of S) {
      if (!Number.isInteger(k) || k < 0 || k >= K) throw new Error(`theory point: sample ${i} has label ${k}, not in 0..${K - 1}`);
      for (let t = 0; t < d; t++) x[hi + t] += u * e[k * d + t];
    }
  }
  return x;
}
