import type { LabelSet, Matrix } from './types.js';
import { groupByLabelSet } from './labelSets.js';
import { labelSetMeans, classMeansFromSetMeans, globalMean } from './means.js';
import { nc1 } from './nc1.js';
import { nc2H, nc2HUncentred, nc2W } from './nc2.js';
import { nc3 } from './nc3.js';
import { tagAngle, tagScale, summarizeTagScale } from './tagwise.js';

export interface NcInput {
  features: Matrix;                 // N×d, one row per sample
  labels: readonly LabelSet[];      // length N
  K: number;
  classifier?: Matrix;              // W, K×d (optional: NC2_W / NC3 / wNorm are null without it)
  bias?: ArrayLike<number>;         // b, length K (bNorm null without it)
  theoryRho?: Readonly<Record<string, number>>; // multiplicity ("2","3",...) -> predicted ρ_m
}
export interface RhoStats { mean: number; std: number; count: number; directionErrorDeg: number; relErr: number | null; }
export interface NcReport {
  nc1: number; nc2W: number | null; nc2H: number; nc2HUncentred: number; nc3: number | null;
  tagAngle: number | null;          // null when there are no multiplicity-2 sets
  rho: Record<string, RhoStats>;    // keyed by multiplicity as a string, for every m ≥ 2 present (m < K: at m = K, a_S = 0)
  wNorm: number | null;             // mean row norm of W
  bNorm: number | null;             // ‖b‖₂
}

/**
 * Every neural-collapse metric of one feature set (Papyan, Han, Donoho 2020; Li et al. 2024, multi-label):
 * one pass over the features for the label-set means, one over the multiplicity-1 features for NC1; everything
 * else works on K×d or G×d means. ρ̂ statistics are per multiplicity; `std` is the population standard deviation
 * over label sets, `relErr` = |mean − ρ_m|/ρ_m where `theoryRho` has m.
 * @example
 * // Collapsed features of K = 3 classes: one sample on each ETF row e_k, the pair {0, 1} at 1.5·(e_0 + e_1)/2.
 * const E = canonicalEtf(3);
 * const pair = E.data.subarray(0, 3).map((v, t) => 0.75 * (v + E.data[3 + t]));
 * const features = matrix(4, 3, Float64Array.of(...E.data, ...pair));
 * const nc = ncMetrics({ features, labels: [[0], [1], [2], [0, 1]], K: 3, classifier: E });
 * nc.nc1; // → 0
 * nc.nc2W; // ≈ 0.0000000
 * nc.rho['2'].mean; // ≈ 1.5000000
 */
export function ncMetrics(input: NcInput): NcReport {
  const { features, labels, K, classifier, bias, theoryRho } = input;
  if (!Number.isInteger(K) || K < 2) throw new Error(`ncMetrics: K = ${K} must be an integer ≥ 2`);
  const { rows: N, cols: d } = features;
  if (features.data.length !== N * d) {
    throw new Error(`ncMetrics: features have ${features.data.length} entries, expected N×d = ${N}×${d}`);
  }
  if (labels.length !== N) throw new Error(`ncMetrics: labels have length ${labels.length} but features have N = ${N} rows`);
  if (classifier !== undefined) {
    if (classifier.rows !== K || classifier.cols !== d) {
      throw new Error(`ncMetrics: classifier is ${classifier.rows}×${classifier.cols}, expected K×d = ${K}×${d}`);
    }
    assertFinite(classifier.data, 'classifier');
  }
  if (bias !== undefined) {
    if (bias.length !== K) throw new Error(`ncMetrics: bias has length ${bias.length}, expected K = ${K}`);
    assertFinite(bias, 'bias');
  }

  const groups = groupByLabelSet(labels, K);
  const setMeans = labelSetMeans(features, groups);
  const cm = classMeansFromSetMeans(setMeans, groups);
  const muG = globalMean(cm);

  const rho: Record<string, RhoStats> = {};
  for (const [m, s] of summarizeTagScale(tagScale(setMeans, groups, cm, muG))) {
    const key = String(m);
    const theory = theoryRho?.[key];
    if (theory !== undefined && !(Number.isFinite(theory) && theory !== 0)) {
      throw new Error(`ncMetrics: theoryRho["${key}"] = ${theory} must be a finite nonzero number`);
    }
    rho[key] = { ...s, relErr: theory === undefined ? null : Math.abs(s.mean - theory) / Math.abs(theory) };
  }

  let wNorm: number | null = null;
  if (classifier !== undefined) {
    const w = classifier.data;
    let total = 0;
    for (let k = 0; k < K; k++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += w[k * d + t] * w[k * d + t];
      total += Math.sqrt(s);
    }
    wNorm = total / K;
  }
  let bNorm: number | null = null;
  if (bias !== undefined) {
    let s = 0;
    for (let k = 0; k < K; k++) s += bias[k] * bias[k];
    bNorm = Math.sqrt(s);
  }

  return {
    nc1: nc1(features, groups, { classMeans: cm }),
    nc2W: classifier === undefined ? null : nc2W(classifier, K),
    nc2H: nc2H(cm),
    nc2HUncentred: nc2HUncentred(cm),
    nc3: classifier === undefined ? null : nc3(classifier, cm),
    tagAngle: tagAngle(setMeans, groups, cm),
    rho,
    wNorm,
    bNorm,
  };
}

function assertFinite(x: ArrayLike<number>, what: string): void {
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) throw new Error(`ncMetrics: ${what} has a non-finite entry at index ${i}`);
  }
}
