/** The label-set counts of a training set, and whether they form a balanced-within-multiplicity design. */
import type { LabelSet } from '../geometry/types.js';
import { binomial } from '../ufm/design.js';

export interface LabelSetCountSummary {
  readonly K: number;
  readonly N: number;
  /** Distinct label sets with their counts, by multiplicity then lexicographically. */
  readonly sets: readonly { set: LabelSet; count: number }[];
  /** Samples per multiplicity N_m. */
  readonly samplesPerMultiplicity: Readonly<Record<string, number>>;
  /** n_m when every one of the C(K, m) sets of each present multiplicity has the same count n_m; null otherwise. */
  readonly perSetCount: Readonly<Record<number, number>> | null;
  /** Why the design is not balanced (null when it is). */
  readonly imbalance: string | null;
}

export function countLabelSets(labels: readonly LabelSet[], K: number): LabelSetCountSummary {
  if (labels.length === 0) throw new Error('label-set counts: no samples');
  const byKey = new Map<string, { set: LabelSet; count: number }>();
  for (const S of labels) {
    if (S.length === 0) throw new Error('label-set counts: a sample has an empty label set');
    for (const k of S) if (!Number.isInteger(k) || k < 0 || k >= K) throw new Error(`label-set counts: label ${k} is not in 0..${K - 1}`);
    const key = S.join(',');
    const e = byKey.get(key);
    if (e) e.count++; else byKey.set(key, { set: S, count: 1 });
  }
  const sets = [...byKey.values()].sort((a, b) => a.set.length - b.set.length || cmpLex(a.set, b.set));
  const perM = new Map<number, number[]>();
  for (const { set, count } of sets) {
    const list = perM.get(set.length);
    if (list) list.push(count); else perM.set(set.length, [count]);
  }
  const samplesPerMultiplicity: Record<string, number> = {};
  let imbalance: string | null = null;
  const perSetCount: Record<number, number> = {};
  for (const [m, counts] of [...perM.entries()].sort((a, b) => a[0] - b[0])) {
    samplesPerMultiplicity[String(m)] = counts.reduce((a, c) => a + c, 0);
    const all = binomial(K, m);
    if (imbalance === null && counts.length !== all) imbalance = `only ${counts.length} of the ${all} label sets of size ${m} occur`;
    else if (imbalance === null && counts.some((c) => c !== counts[0])) {
      imbalance = `label sets of size ${m} have counts from ${Math.min(...counts)} to ${Math.max(...counts)}`;
    }
    perSetCount[m] = counts[0];
  }
  if (imbalance === null && !perM.has(1)) imbalance = 'no multiplicity-1 samples';
  return { K, N: labels.length, sets, samplesPerMultiplicity, perSetCount: imbalance === null ? perSetCount : null, imbalance };
}

function cmpLex(a: LabelSet, b: LabelSet): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}
