/**
 * Aggregation over seeds (pure): runs that differ only in `seed` form one group; every final metric becomes
 * mean ± sd over the group's seeds (sd: the sample standard deviation, n − 1 in the denominator; none for one seed),
 * and every NC metric's history becomes a mean curve with the seeds' range as its band.
 */
import type { NcRecord } from '../plot/index.js';
import type { MetricsLine } from '../run/index.js';
import type { Assignment, FlagValue } from './plan.js';

export const SEED_FLAG = 'seed';

/** One finished run, as the report needs it. */
export interface FinishedRun {
  name: string;
  values: Assignment;
  /** The final metrics line (the last epoch; it always carries NC and test metrics). */
  final: MetricsLine;
  /** Every NC line, in epoch order. */
  history: readonly MetricsLine[];
  trainableParams: number | null;
}

export interface Stat {
  mean: number;
  /** null for a single seed. */
  sd: number | null;
  n: number;
}

export interface MetricDef {
  key: string;
  label: string;
  get(run: FinishedRun): number | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const test = (run: FinishedRun) => run.final.test ?? {};

/** The final metrics of the report, in table order; ρ̂_m columns are added for every multiplicity present. */
export function metricDefs(runs: readonly FinishedRun[]): MetricDef[] {
  const ms = [...new Set(runs.flatMap((r) => Object.keys((r.final.rho ?? {}) as object)))].map(Number).filter((m) => Number.isInteger(m)).sort((a, b) => a - b);
  return [
    { key: 'nc1', label: 'NC1', get: (r) => num(r.final.nc1) },
    { key: 'nc2W', label: 'NC2_W', get: (r) => num(r.final.nc2W) },
    { key: 'nc2H', label: 'NC2_H', get: (r) => num(r.final.nc2H) },
    { key: 'nc3', label: 'NC3', get: (r) => num(r.final.nc3) },
    { key: 'tagAngle', label: 'tag angle', get: (r) => num(r.final.tagAngle) },
    ...ms.map((m) => ({ key: `rho${m}`, label: `ρ̂_${m}`, get: (r: FinishedRun) => num(r.final.rho?.[m]) })),
    { key: 'trainLoss', label: 'train loss', get: (r) => num(r.final.trainLoss) },
    { key: 'testExactTopM', label: 'test exact (top-m)', get: (r) => num(test(r).topMExactMatchOracleM) },
    { key: 'testExactGap', label: 'test exact (gap)', get: (r) => num(test(r).largestGap?.exactMatch) },
    { key: 'testMicroF1', label: 'test micro-F1', get: (r) => num(test(r).largestGap?.microF1) },
    { key: 'testPrototype', label: 'test prototype', get: (r) => num(test(r).prototypes?.classMeans) },
    { key: 'trainableParams', label: 'trainable params', get: (r) => r.trainableParams },
  ];
}

export function stat(values: readonly number[]): Stat | null {
  const n = values.length;
  if (n === 0) return null;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n < 2 ? null : Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  return { mean, sd, n };
}

export interface Group {
  /** The values of the varying flags other than seed. */
  key: Assignment;
  label: string;
  seeds: FlagValue[];
  runs: string[];
  metrics: Record<string, Stat | null>;
}

/** The flags a group is keyed by: every varying flag except seed. */
export function groupFlags(varying: readonly string[]): string[] {
  return varying.filter((k) => k !== SEED_FLAG);
}

export function labelOf(key: Assignment, flags: readonly string[]): string {
  return flags.length === 0 ? 'all runs' : flags.map((k) => `${k}=${JSON.stringify(key[k] ?? null)}`).join(', ');
}

/** Groups the runs by their non-seed values, in the order the runs come (the plan's order). */
export function groupRuns(runs: readonly FinishedRun[], varying: readonly string[]): { group: Group; members: FinishedRun[] }[] {
  const flags = groupFlags(varying);
  const defs = metricDefs(runs);
  const byKey = new Map<string, { key: Assignment; members: FinishedRun[] }>();
  for (const r of runs) {
    const key = Object.fromEntries(flags.map((k) => [k, r.values[k]])) as Assignment;
    const id = JSON.stringify(flags.map((k) => r.values[k] ?? null));
    const g = byKey.get(id) ?? { key, members: [] };
    g.members.push(r);
    byKey.set(id, g);
  }
  return [...byKey.values()].map(({ key, members }) => ({
    members,
    group: {
      key, label: labelOf(key, flags),
      seeds: members.map((m) => m.values[SEED_FLAG] ?? null).filter((s): s is FlagValue => s !== null),
      runs: members.map((m) => m.name),
      metrics: Object.fromEntries(defs.map((d) => [d.key, stat(members.map(d.get).filter((v): v is number => v !== null))])),
    },
  }));
}

const NC_KEYS = ['nc1', 'nc2W', 'nc2H', 'nc3', 'tagAngle'] as const;

/** Mean NC curve of a group and the range over its seeds, at the epochs every seed logged. */
export function seedBand(members: readonly FinishedRun[]): { records: NcRecord[]; lower: NcRecord[]; upper: NcRecord[] } {
  const epochSets = members.map((m) => new Set(m.history.map((l) => l.epoch as number)));
  const epochs = [...epochSets[0]].filter((e) => epochSets.every((s) => s.has(e))).sort((a, b) => a - b);
  const records: NcRecord[] = [];
  const lower: NcRecord[] = [];
  const upper: NcRecord[] = [];
  for (const e of epochs) {
    const lines = members.map((m) => m.history.find((l) => l.epoch === e) as MetricsLine);
    const mean: NcRecord = { step: e };
    const lo: NcRecord = { step: e };
    const hi: NcRecord = { step: e };
    for (const k of NC_KEYS) {
      const vs = lines.map((l) => num(l[k]));
      // A seed without the value (undefined metric) makes a gap rather than a mean over fewer seeds.
      if (vs.some((v) => v === null)) {
        mean[k] = lo[k] = hi[k] = null;
        continue;
      }
      const xs = vs as number[];
      mean[k] = xs.reduce((a, b) => a + b, 0) / xs.length;
      lo[k] = Math.min(...xs);
      hi[k] = Math.max(...xs);
    }
    records.push(mean);
    lower.push(lo);
    upper.push(hi);
  }
  return { records, lower, upper };
}
