/**
 * Sample designs for the multi-label unconstrained feature model (UFM): which label sets occur and how often.
 *
 * Balanced within multiplicity (Li et al. 2024, multi-label UFM): every one of the C(K, m) label sets of size m
 * has n_m samples, so N_m = n_m·C(K, m) and N = Σ_m N_m. Counts may differ between multiplicities; multiplicity 1
 * must be present. An explicit design lists label sets with their own counts (for imbalanced experiments).
 * Samples are grouped by label set, label sets in the order given (balanced: by multiplicity, then lexicographic).
 */
import { labelSet, type LabelSet } from '../geometry/types.js';

/** One label set of a design and how many samples carry it. */
export interface LabelSetCount {
  readonly set: LabelSet;
  readonly count: number;
}

export interface UfmDesign {
  /** Number of classes. */
  readonly K: number;
  /** Distinct label sets with their sample counts, in sample order. */
  readonly sets: readonly LabelSetCount[];
  /** Per-sample label sets (length N), samples grouped by set; identical sets share one frozen array. */
  readonly labels: readonly LabelSet[];
  /** Number of samples. */
  readonly N: number;
  /** N_m: number of samples of each multiplicity m that occurs. */
  readonly samplesPerMultiplicity: Readonly<Record<number, number>>;
  /** n_m of a balanced design (samples per label set of size m); null for an explicit design. */
  readonly perSetCount: Readonly<Record<number, number>> | null;
}

/** Largest design we are willing to enumerate sample by sample (label arrays alone would exhaust memory beyond). */
export const MAX_DESIGN_SAMPLES = 50_000_000;

/**
 * Binomial coefficient C(n, k) as a float (exact while below 2^53).
 * @example
 * binomial(5, 2); // → 10
 */
export function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  const kk = Math.min(k, n - k);
  let c = 1;
  for (let i = 1; i <= kk; i++) c = (c * (n - kk + i)) / i;
  return Math.round(c);
}

/**
 * All label sets of size m over classes 0..K-1 in lexicographic order.
 * @example
 * combinations(3, 2); // → [[0, 1], [0, 2], [1, 2]]
 */
export function combinations(K: number, m: number): LabelSet[] {
  if (!Number.isInteger(K) || K < 1) throw new Error(`combinations: K must be a positive integer, got ${K}`);
  if (!Number.isInteger(m) || m < 1 || m > K) throw new Error(`combinations: multiplicity must be in 1..${K}, got ${m}`);
  const out: LabelSet[] = [];
  const idx = Array.from({ length: m }, (_, i) => i);
  while (true) {
    out.push(Object.freeze(idx.slice()));
    let i = m - 1;
    while (i >= 0 && idx[i] === K - m + i) i--;
    if (i < 0) return out;
    idx[i]++;
    for (let j = i + 1; j < m; j++) idx[j] = idx[j - 1] + 1;
  }
}

function checkK(K: number): void {
  if (!Number.isInteger(K) || K < 2) throw new Error(`design: K must be an integer ≥ 2, got ${K}`);
}

function checkCount(count: number, what: string): void {
  if (!Number.isInteger(count) || count < 1) throw new Error(`design: ${what} must be a positive integer, got ${count}`);
}

/** Validated entries (multiplicity, n_m) of a balanced design, sorted by multiplicity. */
function balancedEntries(K: number, perSetCount: Readonly<Record<number, number>>): [number, number][] {
  checkK(K);
  const entries = Object.entries(perSetCount).map(([m, n]) => [Number(m), n] as [number, number]);
  if (entries.length === 0) throw new Error('design: no multiplicities given');
  for (const [m, n] of entries) {
    if (!Number.isInteger(m) || m < 1 || m > K) throw new Error(`design: multiplicity ${m} is not in 1..K = 1..${K}`);
    checkCount(n, `count per label set of multiplicity ${m}`);
  }
  if (!entries.some(([m]) => m === 1)) throw new Error('design: multiplicity 1 must be present');
  return entries.sort((a, b) => a[0] - b[0]);
}

/**
 * N of a balanced design without enumerating it (for memory checks before building anything).
 * @example
 * balancedDesignSize(4, { 1: 3, 2: 2 }); // → 24
 */
export function balancedDesignSize(K: number, perSetCount: Readonly<Record<number, number>>): number {
  return balancedEntries(K, perSetCount).reduce((acc, [m, n]) => acc + n * binomial(K, m), 0);
}

function buildDesign(K: number, sets: LabelSetCount[], perSetCount: Record<number, number> | null): UfmDesign {
  const N = sets.reduce((a, s) => a + s.count, 0);
  if (N > MAX_DESIGN_SAMPLES) throw new Error(`design: ${N} samples exceed the limit of ${MAX_DESIGN_SAMPLES}`);
  const labels: LabelSet[] = new Array(N);
  const perM: Record<number, number> = {};
  let i = 0;
  for (const { set, count } of sets) {
    for (let r = 0; r < count; r++) labels[i++] = set;
    perM[set.length] = (perM[set.length] ?? 0) + count;
  }
  return Object.freeze({
    K,
    sets: Object.freeze(sets),
    labels: Object.freeze(labels),
    N,
    samplesPerMultiplicity: Object.freeze(perM),
    perSetCount: perSetCount === null ? null : Object.freeze(perSetCount),
  });
}

/**
 * Balanced-within-multiplicity design: `perSetCount[m] = n_m` samples for each of the C(K, m) label sets of size m.
 * @example
 * const design = balancedDesign(3, { 1: 2, 2: 1 }); // 2 samples per class, 1 per pair
 * design.N; // → 9
 * design.labels; // → [[0], [0], [1], [1], [2], [2], [0, 1], [0, 2], [1, 2]]
 */
export function balancedDesign(K: number, perSetCount: Readonly<Record<number, number>>): UfmDesign {
  const entries = balancedEntries(K, perSetCount);
  const N = entries.reduce((acc, [m, n]) => acc + n * binomial(K, m), 0);
  if (N > MAX_DESIGN_SAMPLES) throw new Error(`design: ${N} samples exceed the limit of ${MAX_DESIGN_SAMPLES}`);
  const sets: LabelSetCount[] = [];
  for (const [m, n] of entries) for (const set of combinations(K, m)) sets.push(Object.freeze({ set, count: n }));
  return buildDesign(K, sets, Object.fromEntries(entries));
}

/**
 * Explicit design: each listed label set (classes in 0..K-1) with its own positive count; sets must be distinct.
 * @example
 * const design = explicitDesign(3, [{ set: [0], count: 2 }, { set: [1], count: 1 }, { set: [2], count: 1 }, { set: [2, 0], count: 1 }]);
 * design.labels; // → [[0], [0], [1], [2], [0, 2]]
 * design.perSetCount; // → null
 */
export function explicitDesign(K: number, sets: readonly { set: Iterable<number>; count: number }[]): UfmDesign {
  checkK(K);
  if (sets.length === 0) throw new Error('design: no label sets given');
  const seen = new Set<string>();
  const out: LabelSetCount[] = [];
  for (const entry of sets) {
    const set = labelSet(entry.set, K);
    const key = set.join(',');
    if (seen.has(key)) throw new Error(`design: label set {${key}} is listed twice`);
    seen.add(key);
    checkCount(entry.count, `count of label set {${key}}`);
    out.push(Object.freeze({ set, count: entry.count }));
  }
  if (!out.some((s) => s.set.length === 1)) throw new Error('design: multiplicity 1 must be present');
  return buildDesign(K, out, null);
}

/** Bytes the UFM problem needs in float64, by part; `total` is what a caller should compare with free memory. */
export interface UfmMemoryEstimate {
  /** Number of optimisation variables P = K·d + N·d + K. */
  readonly parameters: number;
  /** x = [W, H, b]. */
  readonly variables: number;
  /** The gradient buffer. */
  readonly gradient: number;
  /** Optimiser state: L-BFGS keeps `history` pairs (s, y) of length P plus ~4 work vectors. */
  readonly optimizer: number;
  /** Per-sample label bookkeeping of the objective (indices, offsets, weights). */
  readonly labels: number;
  readonly total: number;
}

/**
 * Memory estimate of fitting a UFM with K classes, d features and N samples by L-BFGS with `history` pairs
 * (work vectors: the caller's start, the trial point and gradient, the direction = 4). Gradient descent needs less:
 * pass history 0 and workVectors 1 (plain) or 3 (Nesterov: previous iterate and look-ahead point).
 * `meanMultiplicity` sizes the label index array.
 * @example
 * // the paper's size: K = 10, d = 512, N = 40 000
 * ufmMemoryEstimate(10, 512, 40_000).parameters; // → 20485130
 */
export function ufmMemoryEstimate(
  K: number,
  d: number,
  N: number,
  options: { history?: number; workVectors?: number; meanMultiplicity?: number } = {},
): UfmMemoryEstimate {
  for (const [name, v] of [['K', K], ['d', d], ['N', N]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`memory estimate: ${name} must be a positive integer, got ${v}`);
  }
  const history = options.history ?? 10;
  const work = options.workVectors ?? 4;
  const P = K * d + N * d + K;
  const variables = 8 * P;
  const gradient = 8 * P;
  const optimizer = 8 * P * (2 * history + work) + 16 * history;
  const labels = 4 * N * (options.meanMultiplicity ?? 2) + 4 * (N + 1) + 16 * N;
  return { parameters: P, variables, gradient, optimizer, labels, total: variables + gradient + optimizer + labels };
}
