import type { Command } from 'commander';
import { writeJsonAtomic, stringifyFinite } from '../io/atomicWrite.js';
import { assertWritableFile } from '../io/outputPath.js';
import { runTaskPool } from '../parallel/taskPool.js';
import { workerEntryUrl } from '../parallel/workerEntry.js';
import { runUfmExperiment, type UfmExperimentConfig, type UfmReport } from '../ufm/experiment.js';
import {
  SWEEP_PARAMS, sweepConfigAt, sweepGrid, sweepTheory, sweepUfmPoint, sweepXLabel,
  type SweepResult, type SweepSpec,
} from '../ufm/sweep.js';
import { formatTable, fmt } from './format.js';
import { parseChoice, parseNumberFlag } from './parse.js';
import { addUfmOptions, ufmConfigFromFlags, type UfmFlags } from './ufm.js';
import { UsageError } from './usageError.js';

export interface SweepFlags extends UfmFlags {
  param?: string;
  from?: string;
  to?: string;
  points?: string;
  theoryPoints?: string;
  workers?: string;
  untieLambdaW?: boolean;
}

export const DEFAULT_SWEEP_OUT = 'runs/ufm-sweep.json';

export function sweepSpecFromFlags(flags: SweepFlags): SweepSpec {
  const param = flags.param === undefined ? 'lambda-h' : parseChoice('--param', flags.param, SWEEP_PARAMS);
  const from = flags.from === undefined ? (param === 'lambda-h' ? 1e-4 : 0.05) : parseNumberFlag('--from', flags.from, { positive: true });
  const to = flags.to === undefined ? (param === 'lambda-h' ? 3e-2 : 2) : parseNumberFlag('--to', flags.to, { positive: true });
  if (!(to > from)) throw new UsageError(`--to (${to}) must be greater than --from (${from})`);
  const points = flags.points === undefined ? 8 : parseNumberFlag('--points', flags.points, { integer: true, min: 2 });
  const theoryPoints = flags.theoryPoints === undefined ? 60
    : parseNumberFlag('--theory-points', flags.theoryPoints, { integer: true, min: 2 });
  return { param, from, to, points, theoryPoints, tieLambdaW: !flags.untieLambdaW };
}

/** Theory curve on a dense grid, optimizer points on the coarse grid, run over `workers` threads. */
export async function runSweep(base: UfmExperimentConfig, spec: SweepSpec, workers?: number): Promise<SweepResult> {
  let xs: number[];
  try {
    xs = sweepGrid(spec, base, spec.points);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const configs = xs.map((x) => sweepConfigAt(spec, base, x));
  const reports = await runTaskPool<UfmExperimentConfig, UfmReport>(configs, {
    workerUrl: workerEntryUrl('parallel/ufmWorker'),
    inline: runUfmExperiment,
    workers,
  });
  return {
    param: spec.param,
    xLabel: sweepXLabel(spec.param),
    theory: sweepTheory(spec, base),
    ufm: reports.map((r, i) => sweepUfmPoint(xs[i], r)),
    base,
    spec,
  };
}

export function formatSweep(r: SweepResult): string {
  const ms = Object.keys(r.ufm[0]?.rho ?? {});
  const rows: string[][] = [[r.param, ...ms.flatMap((m) => [`ρ̂_${m} optimizer`, `ρ_${m} theory`]), 'objective rel. diff', 'stop']];
  for (const p of r.ufm) {
    rows.push([
      fmt(p.x, 4),
      // At a trivial optimum (W = H = 0) the measured ρ̂ is a ratio of rounding-sized residuals: not shown.
      ...ms.flatMap((m) => (p.trivial ? ['– (W = H = 0)', '–'] : [fmt(p.rho[m], 7), fmt(p.theoryRho[m] ?? null, 7)])),
      fmt(Math.abs(p.objective - p.theoryObjective) / p.theoryObjective, 2, true),
      p.stopReason,
    ]);
  }
  return formatTable(rows);
}

export async function runSweepCommand(flags: SweepFlags): Promise<void> {
  const base = ufmConfigFromFlags(flags);
  const spec = sweepSpecFromFlags(flags);
  const workers = flags.workers === undefined ? undefined : parseNumberFlag('--workers', flags.workers, { integer: true, min: 1 });
  const out = flags.out ?? DEFAULT_SWEEP_OUT;
  // Before the sweep, not after: a bad --out must not cost the whole sweep.
  assertWritableFile(out);
  const result = await runSweep(base, spec, workers);
  const json = stringifyFinite(result);
  writeJsonAtomic(out, result);
  if (flags.json) process.stdout.write(`${json}\n`);
  else process.stdout.write(`${formatSweep(result)}\n\nwrote ${out}\n`);
}

export function registerSweep(ufm: Command): Command {
  return addUfmOptions(
    ufm.command('sweep').description('run the UFM over a grid of one parameter (the data behind the ρ_m figure)'),
  )
    .option('--param <name>', 'lambda-h (λ_H = λ_W on a log grid) | ratio (n₂/n₁, n₁ fixed) (default: lambda-h)')
    .option('--from <x>', 'first grid value (default: 1e-4 for lambda-h, 0.05 for ratio)')
    .option('--to <x>', 'last grid value (default: 3e-2 for lambda-h, 2 for ratio)')
    .option('--points <n>', 'optimizer runs on the grid (default: 8)')
    .option('--theory-points <n>', 'theory curve points (default: 60)')
    .option('--untie-lambda-w', 'keep λ_W fixed while λ_H is swept')
    .option('--workers <n>', 'worker threads (default: one per core)')
    .action(async (flags: SweepFlags) => runSweepCommand(flags));
}
