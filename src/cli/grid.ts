import { Command, CommanderError, Option } from 'commander';
import { availableParallelism } from 'node:os';
import { BACKEND_PREFERENCES } from '../deep/backend/initBackend.js';
import { expandPlan, type GridRun, type TrainFlagSet } from '../grid/expand.js';
import { GridDir, type Manifest } from '../grid/gridDir.js';
import { GridError } from '../grid/gridError.js';
import { runLocal } from '../grid/localExecutor.js';
import { readPlan } from '../grid/plan.js';
import { buildReport, writeReport } from '../grid/report.js';
import { readJobs, sbatchScript, slurmStates, submitArray, ACTIVE_STATES, type SlurmResources, type SlurmTaskState } from '../grid/slurm.js';
import { runStatus, type RunStatus } from '../grid/status.js';
import { mlncBin } from '../io/packageInfo.js';
import { withRunLock } from '../run/lock.js';
import { UserError } from '../util/userError.js';
import { formatTable, fmt } from './format.js';
import { parseChoice, parseNumberFlag } from './parse.js';
import { parseCounts, registerTrain, trainConfigFromFlags, workerPlan } from './train.js';

/** Some runs of a grid failed: the grid command exits with 1 after saying which (the runs' own errors are in their logs). */
export class GridRunsFailedError extends UserError {
  constructor(message: string) {
    super(message, { exitCode: 1 });
  }
}

/** `mlnc train`'s flags, read from the train command itself (defined once, in train.ts). */
export function trainFlagSet(): TrainFlagSet {
  const program = new Command('mlnc').exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  registerTrain(program);
  const train = program.commands.find((c) => c.name() === 'train') as Command;
  const kinds = new Map<string, 'value' | 'switch'>();
  for (const o of train.options) if (o.long) kinds.set(o.long.replace(/^--/, ''), o.required || o.optional ? 'value' : 'switch');
  return {
    kinds,
    check(args) {
      let flags: Parameters<typeof trainConfigFromFlags>[0] | undefined;
      // A copy: commander hands out its own option store, which the reset below clears.
      train.action((f: NonNullable<typeof flags>) => { flags = { ...f }; });
      try {
        program.parse(['train', ...args], { from: 'user' });
      } catch (err) {
        if (err instanceof CommanderError) throw new GridError(err.message.replace(/^error: /, ''));
        throw err;
      } finally {
        // Commander keeps parsed values on the command: a fresh parse must not see the previous run's flags.
        for (const o of train.options) train.setOptionValue(o.attributeName(), o.defaultValue);
      }
      if (!flags) throw new GridError('the train flags did not parse');
      trainConfigFromFlags(flags);
      parseChoice('--backend', flags.backend, BACKEND_PREFERENCES);
      workerPlan(flags.workers, 'wasm', undefined);
      if (flags.counts !== undefined) parseCounts('--counts', flags.counts);
    },
  };
}

interface RunFlags {
  out: string;
  executor: string;
  jobs?: string;
  dryRun?: boolean;
  partition?: string;
  time?: string;
  cpusPerTask?: string;
  mem?: string;
  gres?: string;
  account?: string;
  qos?: string;
}

const log = (m: string) => process.stderr.write(`${m}\n`);

/** How long a grid command waits for another one's hold on the grid directory (a manifest write, a submission). */
const GRID_LOCK_WAIT_SECONDS = 120;

function workersOf(run: GridRun): number {
  return typeof run.values.workers === 'number' ? run.values.workers : Number(run.values.workers ?? 1) || 1;
}

/** Local default: as many concurrent runs as the cores hold, each run using `workers` threads (1 unless the plan says). */
export function defaultJobs(runs: readonly GridRun[]): number {
  const per = Math.max(1, ...runs.map(workersOf));
  return Math.max(1, Math.floor(availableParallelism() / per));
}

function slurmResources(f: RunFlags, manifest: Pick<Manifest, 'plan'>, runs: readonly GridRun[]): SlurmResources {
  const p = manifest.plan.slurm ?? {};
  const int = (flag: string, raw: string | undefined) => (raw === undefined ? undefined : parseNumberFlag(flag, raw, { integer: true, positive: true }));
  const nonEmpty = (flag: string, raw: string | undefined) => {
    if (raw !== undefined && raw.trim() === '') throw new GridError(`${flag} is empty`);
    return raw;
  };
  return {
    ...p,
    partition: nonEmpty('--partition', f.partition) ?? p.partition,
    time: nonEmpty('--time', f.time) ?? p.time,
    mem: nonEmpty('--mem', f.mem) ?? p.mem,
    gres: nonEmpty('--gres', f.gres) ?? p.gres,
    account: nonEmpty('--account', f.account) ?? p.account,
    qos: nonEmpty('--qos', f.qos) ?? p.qos,
    cpusPerTask: int('--cpus-per-task', f.cpusPerTask) ?? p.cpusPerTask ?? Math.max(1, ...runs.map(workersOf)),
    arrayLimit: int('--jobs', f.jobs) ?? p.arrayLimit,
  };
}

/** Slurm's view of the grid's submitted runs; none when nothing was submitted. */
function slurmView(grid: GridDir): Map<string, SlurmTaskState> {
  if (readJobs(grid).length === 0) return new Map();
  try {
    return slurmStates(grid);
  } catch (err) {
    // A grid directory looked at away from the cluster: the run directories still say most of it.
    if (!(err instanceof GridError)) throw err;
    log(`${err.message}; the states below come from the run directories alone`);
    return new Map();
  }
}

export async function gridRunCommand(planPath: string, f: RunFlags): Promise<void> {
  const executor = parseChoice('--executor', f.executor, ['local', 'slurm'] as const);
  const { plan, name } = readPlan(planPath);
  const expansion = expandPlan(plan, planPath, trainFlagSet());
  const grid = new GridDir(f.out);
  const node = process.execPath;
  const bin = mlncBin();
  if (f.dryRun) {
    if (executor !== 'slurm') throw new GridError('--dry-run prints the Slurm job script: use it with --executor slurm');
    const manifest = { name, plan, cwd: process.cwd(), varying: expansion.varying, runs: expansion.runs } as Manifest;
    const todo = expansion.runs.filter((r) => runStatus(grid, r).state !== 'done');
    if (todo.length === 0) {
      log('every run is done: nothing would be submitted');
      return;
    }
    process.stdout.write(sbatchScript({ grid, manifest, runs: todo, resources: slurmResources(f, manifest, todo), node, bin }));
    return;
  }
  // The grid directory's lock guards its own files (manifest, Slurm job list) for moments: wait for another holder.
  const manifest = await withRunLock(grid.root, () => grid.writeManifest({ name, planFile: planPath, plan, expansion, cwd: process.cwd() }), { waitSeconds: GRID_LOCK_WAIT_SECONDS });
  log(`grid ${name}: ${manifest.runs.length} runs in ${grid.root}`);
  if (executor === 'local') {
    const jobs = f.jobs === undefined ? defaultJobs(manifest.runs) : parseNumberFlag('--jobs', f.jobs, { integer: true, positive: true });
    const s = await runLocal(grid, manifest.runs, { jobs, cwd: manifest.cwd, node, bin, log });
    process.stdout.write(`${s.done.length} run(s) trained, ${s.skipped.length} already done, ${s.elsewhere.length} left to other processes, ${s.failed.length} failed\n`);
    if (s.failed.length) {
      throw new GridRunsFailedError(`${s.failed.length} run(s) failed: ${s.failed.map((x) => `${x.name} (${x.reason})`).join('; ')}; logs in ${grid.root}/logs; rerun mlnc grid run to retry`);
    }
    if (process.exitCode === 130) throw new GridRunsFailedError('interrupted; rerun mlnc grid run to continue');
    return;
  }
  // Slurm: with the grid directory locked, so that two submissions never both submit a run.
  await withRunLock(grid.root, () => {
    const slurm = slurmView(grid);
    const todo: GridRun[] = [];
    for (const run of manifest.runs) {
      const s = runStatus(grid, run, slurm.get(run.name));
      const queued = s.slurm && ACTIVE_STATES.has(s.slurm.state);
      if (s.state === 'done' || s.state === 'running' || queued) {
        if (s.state !== 'done') log(`${run.name}: ${s.state} (${s.detail}); not submitted again`);
        continue;
      }
      todo.push(run);
    }
    if (todo.length === 0) {
      process.stdout.write('nothing to submit: every run is done, running or queued\n');
      return;
    }
    const job = submitArray({ grid, manifest, runs: todo, resources: slurmResources(f, manifest, todo), node, bin });
    process.stdout.write(`submitted Slurm job ${job.jobId}: ${todo.length} array task(s) (${job.script}); follow it with mlnc grid status ${grid.root}\n`);
  }, { waitSeconds: GRID_LOCK_WAIT_SECONDS });
}

function statusTable(statuses: readonly RunStatus[]): string {
  const rows = [['run', 'state', 'epoch', 'NC1', 'NC2_W', 'NC2_H', 'NC3', 'detail']];
  for (const s of statuses) {
    const v = (k: 'nc1' | 'nc2W' | 'nc2H' | 'nc3') => fmt(s.lastNc?.[k] ?? null, 3);
    rows.push([s.name, s.state, s.epoch === null ? '–' : `${s.epoch}/${s.epochs ?? '?'}`, v('nc1'), v('nc2W'), v('nc2H'), v('nc3'), s.detail]);
  }
  return formatTable(rows);
}

export function gridStatuses(grid: GridDir, manifest: Manifest): RunStatus[] {
  const slurm = slurmView(grid);
  return manifest.runs.map((r) => runStatus(grid, r, slurm.get(r.name)));
}

export async function gridStatusCommand(dir: string, f: { json?: boolean }): Promise<void> {
  const grid = new GridDir(dir);
  const manifest = grid.readManifest();
  const statuses = gridStatuses(grid, manifest);
  if (f.json) {
    process.stdout.write(`${JSON.stringify(statuses.map(({ progress: _p, ...s }) => s), null, 2)}\n`);
    return;
  }
  const counts = ['done', 'running', 'pending', 'failed', 'stale'].map((k) => `${statuses.filter((s) => s.state === k).length} ${k}`).join(', ');
  process.stdout.write(`${statusTable(statuses)}\n\ngrid ${manifest.name}: ${statuses.length} runs: ${counts}\n`);
}

export async function gridReportCommand(dir: string, f: { groupBy?: string; png: boolean; json?: boolean }): Promise<void> {
  const grid = new GridDir(dir);
  const manifest = grid.readManifest();
  const built = buildReport(manifest, gridStatuses(grid, manifest), f.groupBy);
  const written = await withRunLock(grid.reportDir, () => writeReport(grid, built, { png: f.png }), { waitSeconds: GRID_LOCK_WAIT_SECONDS });
  if (f.json) process.stdout.write(`${JSON.stringify(built.report, null, 2)}\n`);
  const r = built.report;
  log(`${r.runsFinished} of ${r.runsTotal} runs finished${r.missing.length ? `; missing: ${r.missing.map((m) => `${m.name} (${m.state})`).join(', ')}` : ''}`);
  for (const w of written) log(`wrote ${w}`);
}

export function registerGrid(program: Command): void {
  const grid = program.command('grid').description('experiment grids: many training runs from one plan, on this machine or on a Slurm cluster');
  grid
    .command('run')
    .description('run every run of a plan (JSON or YAML); a rerun skips finished runs and resumes unfinished ones')
    .argument('<plan>', 'plan file: train (shared flags), axes (flag → values), exclude, include, name, slurm')
    .requiredOption('--out <grid-dir>', 'grid directory (manifest, runs/, logs/, state/, slurm/, report/)')
    .addOption(new Option('--executor <name>', 'local: child processes on this machine; slurm: one sbatch job array').choices(['local', 'slurm']).default('local'))
    .option('--jobs <n>', 'at most n runs at once (local default: cores ÷ workers per run; slurm: the array\'s % limit, default none)')
    .option('--dry-run', 'slurm: print the job script and submit nothing')
    .option('--partition <name>', 'slurm: #SBATCH --partition')
    .option('--time <limit>', 'slurm: #SBATCH --time per run, e.g. 04:00:00')
    .option('--cpus-per-task <n>', 'slurm: #SBATCH --cpus-per-task (default: the runs\' workers, 1)')
    .option('--mem <size>', 'slurm: #SBATCH --mem, e.g. 8G')
    .option('--gres <spec>', 'slurm: #SBATCH --gres, e.g. gpu:1')
    .option('--account <name>', 'slurm: #SBATCH --account')
    .option('--qos <name>', 'slurm: #SBATCH --qos')
    .action(async (plan: string, f: RunFlags) => gridRunCommand(plan, f));
  grid
    .command('status')
    .description('each run\'s state (pending, running, done, failed, stale), epoch and last NC line; asks squeue and scontrol for submitted runs')
    .argument('<grid-dir>', 'a directory written by mlnc grid run')
    .option('--json', 'print JSON')
    .action(async (dir: string, f: { json?: boolean }) => gridStatusCommand(dir, f));
  grid
    .command('report')
    .description('aggregate the finished runs over seeds: mean ± sd tables, NC curves with seed bands, learned vs fixed-ETF table; writes GRID_DIR/report/')
    .argument('<grid-dir>', 'a directory written by mlnc grid run')
    .option('--group-by <flag>', 'the axis whose values get one NC curve each (default: the first varying flag other than seed)')
    .option('--no-png', 'write SVG figures only')
    .option('--json', 'print the report JSON')
    .action(async (dir: string, f: { groupBy?: string; png: boolean; json?: boolean }) => gridReportCommand(dir, f));
}
