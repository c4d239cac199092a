import type { LabelSet } from './types.js';

/** Samples grouped by their label set. Groups are ordered by multiplicity, then lexicographically. */
export interface LabelSetGroups {
  readonly K: number;
  /** The distinct label sets, one per group. */
  readonly sets: readonly LabelSet[];
  /** Group index of every sample (length N). */
  readonly groupOf: Int32Array;
  /** Number of samples in every group. */
  readonly counts: Int32Array;
  /** |S| of every group. */
  readonly multiplicity: Int32Array;
  /** Group index of the singleton {k} for every class k, or −1 when class k has no multiplicity-1 sample. */
  readonly singletonGroup: Int32Array;
}

/**
 * Groups samples by label set. Every label set must be a sorted, duplicate-free array of class indices in 0..K−1
 * (as built by `labelSet`); anything else is an error, never silently re-sorted.
 * @example
 * const groups = groupByLabelSet([[0], [0, 1], [1], [0]], 2);
 * groups.sets; // → [[0], [1], [0, 1]]
 * groups.groupOf; // → [0, 2, 1, 0]
 * groups.counts; // → [2, 1, 1]
 */
export function groupByLabelSet(labels: readonly LabelSet[], K: number): LabelSetGroups {
  if (!Number.isInteger(K) || K < 2) throw new Error(`groupByLabelSet: K = ${K} must be an integer ≥ 2`);
  const N = labels.length;
  // First pass: a key for hashing only (label sets stay structured values): the bit mask Σ 2^k while it is an exact
  // double (K ≤ 52), else the joined string. Runs of the same array object skip validation and key building.
  const byKey = new Map<number | string, number>();
  const useMask = K <= 52;
  const firstSets: LabelSet[] = [];
  const provisional = new Int32Array(N);
  let last: LabelSet | undefined;
  let lastGroup = -1;
  for (let i = 0; i < N; i++) {
    const s = labels[i];
    if (s !== last) {
      validate(s, K, i);
      const key = useMask ? bitMask(s) : s.join(',');
      let g = byKey.get(key);
      if (g === undefined) {
        g = firstSets.length;
        byKey.set(key, g);
        firstSets.push(Object.freeze(s.slice()));
      }
      last = s;
      lastGroup = g;
    }
    provisional[i] = lastGroup;
  }
  // Canonical order: by multiplicity, then lexicographic, so results never depend on sample order.
  const order = firstSets.map((_, g) => g).sort((a, b) => compareSets(firstSets[a], firstSets[b]));
  const rank = new Int32Array(order.length);
  order.forEach((g, r) => { rank[g] = r; });
  const G = order.length;
  const sets = order.map((g) => firstSets[g]);
  const groupOf = new Int32Array(N);
  const counts = new Int32Array(G);
  for (let i = 0; i < N; i++) {
    const g = rank[provisional[i]];
    groupOf[i] = g;
    counts[g]++;
  }
  const multiplicity = Int32Array.from(sets, (s) => s.length);
  const singletonGroup = new Int32Array(K).fill(-1);
  sets.forEach((s, g) => { if (s.length === 1) singletonGroup[s[0]] = g; });
  return { K, sets, groupOf, counts, multiplicity, singletonGroup };
}

function validate(s: LabelSet, K: number, i: number): void {
  if (!Array.isArray(s) || s.length === 0) throw new Error(`label set of sample ${i} is empty or not an array`);
  for (let j = 0; j < s.length; j++) {
    const k = s[j];
    if (!Number.isInteger(k) || k < 0 || k >= K) {
      throw new Error(`label set of sample ${i} has ${k}, which is not a class index in 0..${K - 1}`);
    }
    if (j > 0 && k <= s[j - 1]) throw new Error(`label set of sample ${i} is not sorted and duplicate-free: [${s.join(', ')}]`);
  }
}

function bitMask(s: LabelSet): number {
  let m = 0;
  for (let j = 0; j < s.length; j++) m += 2 ** s[j];
  return m;
}

function compareSets(a: LabelSet, b: LabelSet): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return a[j] - b[j];
  return 0;
}
