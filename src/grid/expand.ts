/**
 * Plan → runs. Deterministic: the product of the axes in the order the plan lists them (first axis outermost, so the
 * last one varies fastest), minus the excluded runs, then the included ones in their order (a duplicate of an earlier
 * run is dropped). Each run's directory name is built from the values that vary across the grid, in axis order:
 * `loss=pal-n_lambda-h=0.0001_seed=2` — stable (the same plan always gives the same names) and readable.
 */
import { createHash } from 'node:crypto';
import { GridError } from './gridError.js';
import type { Assignment, AxisValue, FlagValue, Plan } from './plan.js';

/** What the grid needs to know about `mlnc train`'s flags (supplied by the CLI, which defines them). */
export interface TrainFlagSet {
  /** Flag name (without "--") → whether it takes a value or is a switch. */
  readonly kinds: ReadonlyMap<string, 'value' | 'switch'>;
  /** Checks one run's argument list as `mlnc train` would, throwing a one-line error. */
  check(args: readonly string[]): void;
}

/** Flags the grid sets itself. */
const GRID_OWNED = new Set(['out', 'resume', 'help']);

/**
 * Every grid run is single-process unless the plan sets `workers`: BatchNorm statistics depend on the shard count, so
 * pinning it keeps a run's numbers independent of the machine (and of local versus Slurm execution).
 */
export const DEFAULT_RUN_WORKERS = 1;

export interface GridRun {
  /** Directory name under GRID_DIR/runs, unique in the grid. */
  name: string;
  /** Every flag the plan gives this run (base, axes, include), with its value. */
  values: Assignment;
  /** `mlnc train` arguments for a fresh start (without --out). */
  args: string[];
}

export interface Expansion {
  runs: GridRun[];
  /** The flags whose values differ between runs (they make up the names), in name order. */
  varying: string[];
}

function isBundle(v: AxisValue): v is Assignment {
  return typeof v === 'object' && !Array.isArray(v);
}

/** The flags one axis value sets. */
function axisAssignment(key: string, v: AxisValue): Assignment {
  return isBundle(v) ? v : { [key]: v };
}

/**
 * The flags that name an axis's runs: the axis itself when it is a flag (also when its values are bundles that all
 * set it, such as a dataset with its data folder), else the flags that differ between its bundles.
 */
function namingFlags(key: string, values: readonly AxisValue[]): string[] {
  if (!values.some(isBundle)) return [key];
  const bundles = values.map((v) => axisAssignment(key, v));
  if (bundles.every((b) => key in b)) return [key];
  const flags = [...new Set(bundles.flatMap((b) => Object.keys(b)))];
  return flags.filter((f) => bundles.some((b) => !sameValue(b[f], bundles[0][f])));
}

function sameValue(a: AxisValue | undefined, b: AxisValue | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function checkFlagNames(a: Assignment, where: string, flags: TrainFlagSet): void {
  for (const [key, value] of Object.entries(a)) {
    if (GRID_OWNED.has(key)) throw new GridError(`${where}: "${key}" is set by the grid for every run; remove it from the plan`);
    const kind = flags.kinds.get(key);
    if (!kind) {
      const hint = key.startsWith('-') ? ` (write flag names without dashes: "${key.replace(/^-+/, '')}")` : '';
      throw new GridError(`${where}: unknown mlnc train flag "${key}"${hint}; known flags: ${[...flags.kinds.keys()].filter((k) => !GRID_OWNED.has(k)).join(', ')}`);
    }
    if (kind === 'switch' && typeof value !== 'boolean') throw new GridError(`${where}: "${key}" is a switch: give true or false, not ${JSON.stringify(value)}`);
    if (kind === 'value' && typeof value === 'boolean') throw new GridError(`${where}: "${key}" takes a value, not ${value}`);
    if (typeof value === 'string' && value.trim() === '') throw new GridError(`${where}: "${key}" is empty`);
  }
}

/** The `mlnc train` arguments of one run: `--key value`, switches only when true, lists joined with commas. */
export function trainArgs(values: Assignment, flags: TrainFlagSet): string[] {
  const args: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (flags.kinds.get(key) === 'switch') {
      if (value === true) args.push(`--${key}`);
    } else {
      args.push(`--${key}`, Array.isArray(value) ? value.join(',') : String(value));
    }
  }
  return args;
}

function namePart(key: string, value: FlagValue | undefined): string | null {
  // A run that leaves the flag at mlnc train's default (only possible through include) is named without it.
  if (value === undefined) return null;
  if (typeof value === 'boolean') return value ? key : `no-${key}`;
  const text = Array.isArray(value) ? value.join('+') : String(value);
  return `${key}=${text}`;
}

const MAX_NAME = 120;

/** The readable, file-system-safe directory name of one run. */
export function runName(values: Assignment, varying: readonly string[]): string {
  if (varying.length === 0) return 'run';
  const full = varying.map((k) => namePart(k, values[k])).filter((p) => p !== null).join('_').replace(/[^A-Za-z0-9._=+-]/g, '-');
  if (full.length <= MAX_NAME) return full;
  // Too long for comfort (and for some file systems): a readable head plus a hash of the whole keeps it unique.
  return `${full.slice(0, MAX_NAME - 13)}-${createHash('sha256').update(full).digest('hex').slice(0, 12)}`;
}

function product(axes: [string, AxisValue[]][]): Assignment[] {
  let out: Assignment[] = [{}];
  for (const [key, values] of axes) out = out.flatMap((a) => values.map((v) => ({ ...a, ...axisAssignment(key, v) })));
  return out;
}

/** Expands a checked plan into its runs, checking every run's flags as `mlnc train` would, before anything runs. */
export function expandPlan(plan: Plan, file: string, flags: TrainFlagSet): Expansion {
  checkFlagNames(plan.train, `${file}: train`, flags);
  const axes = Object.entries(plan.axes);
  for (const [key, values] of axes) {
    values.forEach((v, i) => checkFlagNames(axisAssignment(key, v), `${file}: axes.${key}${isBundle(v) ? `.${i}` : ''}`, flags));
    values.forEach((v, i) => {
      if (values.findIndex((w) => sameValue(v, w)) !== i) throw new GridError(`${file}: axes.${key} lists ${JSON.stringify(v)} twice`);
    });
  }
  plan.exclude.forEach((e, i) => checkFlagNames(e, `${file}: exclude.${i}`, flags));
  plan.include.forEach((e, i) => checkFlagNames(e, `${file}: include.${i}`, flags));
  const axisFlags = new Set(axes.flatMap(([key, values]) => values.flatMap((v) => Object.keys(axisAssignment(key, v)))));
  for (const [i, e] of plan.exclude.entries()) {
    for (const key of Object.keys(e)) {
      if (!axisFlags.has(key)) throw new GridError(`${file}: exclude.${i}: "${key}" is not set by any axis, so excluding on it is meaningless`);
    }
  }

  const base = { ...plan.train };
  if (!('workers' in base) && flags.kinds.has('workers')) base.workers = DEFAULT_RUN_WORKERS;
  const assignments: Assignment[] = [];
  const add = (a: Assignment) => {
    if (!assignments.some((b) => JSON.stringify(b) === JSON.stringify(a))) assignments.push(a);
  };
  const excluded = (a: Assignment) => plan.exclude.some((e) => Object.entries(e).every(([k, v]) => sameValue(a[k], v)));
  for (const a of product(axes)) if (!excluded(a)) add({ ...base, ...a });
  for (const inc of plan.include) add({ ...base, ...inc });
  if (assignments.length === 0) throw new GridError(`${file}: the plan has no runs (every combination is excluded)`);

  const keys = [...new Set(assignments.flatMap((a) => Object.keys(a)))];
  const varies = (k: string) => assignments.some((a) => !sameValue(a[k], assignments[0][k]));
  // Names: the axes in plan order (those with more than one value), then flags that only include varies.
  const varying = [...new Set([
    ...axes.filter(([, values]) => values.length > 1).flatMap(([key, values]) => namingFlags(key, values)),
    ...keys.filter((k) => !axisFlags.has(k)),
  ])].filter(varies);

  const runs: GridRun[] = [];
  const byName = new Map<string, Assignment>();
  for (const values of assignments) {
    const name = runName(values, varying);
    const other = byName.get(name);
    if (other) throw new GridError(`${file}: two runs get the directory name "${name}" (${JSON.stringify(other)} and ${JSON.stringify(values)}); make their values differ in more than punctuation`);
    byName.set(name, values);
    const args = trainArgs(values, flags);
    try {
      flags.check(args);
    } catch (err) {
      throw new GridError(`${file}: run ${name}: ${(err as Error).message.split('\n')[0]}`);
    }
    runs.push({ name, values, args });
  }
  return { runs, varying };
}
