import { availableParallelism, totalmem } from 'node:os';
import type { Command } from 'commander';
import { writeJsonAtomic, stringifyFinite } from '../io/atomicWrite.js';
import { assertWritableFile } from '../io/outputPath.js';
import { balancedDesign, balancedDesignSize, MAX_DESIGN_SAMPLES, ufmMemoryEstimate } from '../ufm/design.js';
import { createParallelUfmObjective } from '../parallel/parallelUfmObjective.js';
import { NonFiniteObjectiveError } from '../ufm/errors.js';
import {
  DEFAULT_UFM_CONFIG, runUfmExperiment, ufmProblemOf, UFM_OPTIMIZERS,
  type UfmExperimentConfig, type UfmReport,
} from '../ufm/experiment.js';
import { PAL_LOSSES } from '../ufm/pal.js';
import { formatTable, fmt } from './format.js';
import { parseChoice, parseNumberFlag, parsePerSet } from './parse.js';
import { UsageError } from './usageError.js';

export interface UfmFlags {
  classes?: string;
  dim?: string;
  perSet?: string;
  lambdaW?: string;
  lambdaH?: string;
  lambdaB?: string;
  loss?: string;
  optimizer?: string;
  tol?: string;
  maxIter?: string;
  seed?: string;
  lr?: string;
  momentum?: string;
  recordEvery?: string;
  threads?: string;
  json?: boolean;
  out?: string;
}

/** Flags → a validated experiment config (defaults from DEFAULT_UFM_CONFIG); every problem is a UsageError. */
export function ufmConfigFromFlags(flags: UfmFlags): UfmExperimentConfig {
  const D = DEFAULT_UFM_CONFIG;
  const K = flags.classes === undefined ? D.K : parseNumberFlag('--classes', flags.classes, { integer: true });
  if (K < 2) throw new UsageError(`--classes must be at least 2, got ${K}`);
  const d = flags.dim === undefined ? D.d : parseNumberFlag('--dim', flags.dim, { integer: true, min: 1 });
  const perSet = flags.perSet === undefined ? D.perSet : parsePerSet(flags.perSet);
  for (const [m, n] of Object.entries(perSet)) {
    const mult = Number(m);
    if (mult < 1 || mult > K) throw new UsageError(`--per-set: multiplicity ${mult} is outside 1..K = 1..${K}`);
    if (n < 1) throw new UsageError(`--per-set: the count for multiplicity ${mult} must be at least 1, got ${n}`);
  }
  if (!(1 in perSet)) throw new UsageError('--per-set must include multiplicity 1 (e.g. 1:3,2:2)');
  const lambda = (flag: string, raw: string | undefined, dflt: number) =>
    raw === undefined ? dflt : parseNumberFlag(flag, raw, { min: 0 });
  const optimizer = flags.optimizer === undefined ? D.optimizer : parseChoice('--optimizer', flags.optimizer, UFM_OPTIMIZERS);
  const config: UfmExperimentConfig = {
    K,
    d,
    perSet,
    lambdaW: lambda('--lambda-w', flags.lambdaW, D.lambdaW),
    lambdaH: lambda('--lambda-h', flags.lambdaH, D.lambdaH),
    lambdaB: lambda('--lambda-b', flags.lambdaB, D.lambdaB),
    loss: flags.loss === undefined ? D.loss : parseChoice('--loss', flags.loss, PAL_LOSSES),
    optimizer,
    tol: flags.tol === undefined ? D.tol : parseNumberFlag('--tol', flags.tol, { min: 0 }),
    maxIter: flags.maxIter === undefined ? D.maxIter : parseNumberFlag('--max-iter', flags.maxIter, { integer: true, min: 0 }),
    seed: flags.seed === undefined ? D.seed : parseNumberFlag('--seed', flags.seed, { integer: true, min: 0 }),
    lr: flags.lr === undefined ? D.lr : parseNumberFlag('--lr', flags.lr, { positive: true }),
    momentum: flags.momentum === undefined ? D.momentum : parseNumberFlag('--momentum', flags.momentum, { min: 0 }),
    recordEvery: flags.recordEvery === undefined ? D.recordEvery
      : parseNumberFlag('--record-every', flags.recordEvery, { integer: true, min: 1 }),
  };
  if (config.momentum >= 1) throw new UsageError(`--momentum must be below 1, got ${config.momentum}`);
  checkMemory(config);
  return config;
}

/** Refuses a design whose UFM would not fit in this machine's memory, before allocating anything. */
function checkMemory(config: UfmExperimentConfig): void {
  const N = balancedDesignSize(config.K, config.perSet);
  if (N > MAX_DESIGN_SAMPLES) {
    throw new UsageError(`the design has ${N.toExponential(2)} samples, more than the ${MAX_DESIGN_SAMPLES.toExponential(0)} mlnc enumerates`);
  }
  const est = ufmMemoryEstimate(config.K, config.d, N, config.optimizer === 'gd' ? { history: 0, workVectors: 3 } : {});
  const available = totalmem();
  if (est.total > available) {
    throw new UsageError(
      `the design needs about ${(est.total / 2 ** 30).toFixed(1)} GiB (N = ${N}, d = ${config.d}) but this machine has ` +
      `${(available / 2 ** 30).toFixed(1)} GiB; reduce --per-set, --classes or --dim`,
    );
  }
}

export function perSetText(perSet: Readonly<Record<number, number>>): string {
  return Object.entries(perSet).map(([m, n]) => `${m}:${n}`).join(',');
}

/** The human-readable report: theory vs optimizer vs difference, then the NC metrics. */
export function formatUfmReport(r: UfmReport): string {
  const c = r.config;
  const lines: string[] = [];
  lines.push(
    `UFM  K=${c.K}  d=${c.d}  per-set ${perSetText(c.perSet)}  (N=${r.N})  loss ${c.loss}  ` +
    `λ_W=${c.lambdaW} λ_H=${c.lambdaH} λ_b=${c.lambdaB}  seed ${c.seed}`,
  );
  lines.push(
    `${c.optimizer}: stopped on ${r.stopReason} after ${r.iterations} iterations (${r.evaluations} evaluations), ` +
    `max|∇| = ${r.maxAbsGrad.toExponential(2)}, ${r.seconds.toFixed(3)} s`,
  );
  if (r.theory.trivial) lines.push('theory: regularisation is so strong that the zero solution W = H = 0 is the global minimum');
  lines.push('');
  const rows: string[][] = [['quantity', 'theory', 'optimizer', 'rel. difference']];
  rows.push(['objective', fmt(r.theory.objective, 10), fmt(r.objective, 10), fmt(r.difference.objective, 2, true)]);
  rows.push(['‖w_k‖ (mean)', fmt(r.theory.wNorm, 8), fmt(r.wNorm, 8), r.difference.wNorm === null ? '–' : fmt(r.difference.wNorm, 2, true)]);
  for (const m of Object.keys(r.rho)) {
    const t = r.theory.rho[m];
    // At W = H = 0 the measured ρ̂ is a ratio of rounding-sized residuals, not a geometry.
    const measured = r.theory.trivial ? '– (W = H = 0)' : fmt(r.rho[m], 8);
    rows.push([`ρ_${m}`, t === undefined ? '–' : fmt(t, 8), measured, m in r.difference.rho ? fmt(r.difference.rho[m], 2, true) : '–']);
  }
  lines.push(formatTable(rows));
  lines.push('');
  const m = r.metrics;
  const metricRows: string[][] = [['NC metric', 'value', 'meaning']];
  metricRows.push(['NC1', fmt(m.nc1, 2, true), 'within-class variability (0 = collapse)']);
  metricRows.push(['NC2_W', fmt(m.nc2W, 2, true), 'distance of W from a simplex ETF']);
  metricRows.push(['NC2_H', fmt(m.nc2H, 2, true), 'distance of centred class means from a simplex ETF']);
  metricRows.push(['NC3', fmt(m.nc3, 2, true), 'self-duality: distance of W·M̃ᵀ from the ETF']);
  metricRows.push(['tag angle', fmt(m.tagAngle, 2, true), 'pair means vs μ_a + μ_b (original metric, 0 = aligned)']);
  for (const [mult, st] of Object.entries(m.rhoStats)) {
    metricRows.push([`ρ̂_${mult} spread`, fmt(st.std, 2, true), `std of ρ̂ over ${st.count} label sets; direction error ${fmt(st.directionErrorDeg, 2, true)}°`]);
  }
  metricRows.push(['‖b‖', fmt(m.bNorm, 2, true), 'bias norm (theory: 0)']);
  lines.push(formatTable(metricRows));
  if (r.theory.trivial) lines.push('(the optimum is W = H = 0: these metrics describe rounding-sized residuals, not a geometry)');
  if (m.undefinedReason) lines.push(`NC metrics undefined: ${m.undefinedReason}`);
  return lines.join('\n');
}

/** Below this many feature entries (N·d) one evaluation is too short for a second thread to pay. */
const PARALLEL_OBJECTIVE_MIN_ENTRIES = 1 << 20;

/** Threads of the objective: --threads, or every core for designs with N·d ≥ 2^20 and one thread otherwise. */
export function objectiveThreads(config: UfmExperimentConfig, flag: string | undefined): number {
  if (flag !== undefined) return parseNumberFlag('--threads', flag, { integer: true, min: 1 });
  const N = balancedDesignSize(config.K, config.perSet);
  return N * config.d >= PARALLEL_OBJECTIVE_MIN_ENTRIES ? availableParallelism() : 1;
}

export async function runUfmCommand(flags: UfmFlags): Promise<void> {
  const config = ufmConfigFromFlags(flags);
  if (config.d < config.K - 1) {
    process.stderr.write(
      `mlnc: warning: d = ${config.d} < K − 1 = ${config.K - 1}: the simplex-ETF theorem does not apply; ` +
      'the theory column is what d ≥ K − 1 would give\n',
    );
  }
  const threads = objectiveThreads(config, flags.threads);
  // Before the optimizer runs, not after: a bad --out must not cost the whole computation.
  if (flags.out) assertWritableFile(flags.out);
  let report: UfmReport;
  const parallel = threads > 1 ? createParallelUfmObjective(ufmProblemOf(config, balancedDesign(config.K, config.perSet)), { threads }) : null;
  try {
    if (parallel) await parallel.init();
    report = { ...runUfmExperiment(config, parallel ? { evaluate: parallel.evaluate } : {}), threads };
  } catch (err) {
    if (err instanceof NonFiniteObjectiveError) {
      throw new UsageError(`the objective became non-finite (${err.message}); lower --lr or the regularisation`);
    }
    throw err;
  } finally {
    await parallel?.dispose();
  }
  const json = stringifyFinite(report);
  if (flags.out) writeJsonAtomic(flags.out, report);
  if (flags.json) {
    process.stdout.write(`${json}\n`);
  } else {
    process.stdout.write(`${formatUfmReport(report)}\n`);
    if (flags.out) process.stdout.write(`\nwrote ${flags.out}\n`);
  }
}

/** The flags shared by `mlnc ufm` and `mlnc ufm sweep` (the base configuration). */
export function addUfmOptions(cmd: Command): Command {
  const D = DEFAULT_UFM_CONFIG;
  return cmd
    .option('--classes <K>', `number of classes K (default: ${D.K})`)
    .option('--dim <d>', `feature dimension d (default: ${D.d})`)
    .option('--per-set <spec>', `samples per label set of each multiplicity, e.g. 1:3,2:2 (default: ${perSetText(D.perSet)})`)
    .option('--lambda-w <x>', `weight decay λ_W (default: ${D.lambdaW})`)
    .option('--lambda-h <x>', `feature decay λ_H (default: ${D.lambdaH})`)
    .option('--lambda-b <x>', `bias decay λ_b (default: ${D.lambdaB})`)
    .option('--loss <name>', `${PAL_LOSSES.join(' | ')} (default: ${D.loss})`)
    .option('--optimizer <name>', `lbfgs (certify optima) | gd (dynamics) (default: ${D.optimizer})`)
    .option('--tol <x>', `stop when max|∇| ≤ tol (default: ${D.tol})`)
    .option('--max-iter <n>', `iteration budget (default: ${D.maxIter})`)
    .option('--seed <n>', `seed of the random start (default: ${D.seed})`)
    .option('--lr <x>', `gd: step size (default: ${D.lr})`)
    .option('--momentum <x>', `gd: Nesterov momentum, 0 for plain gradient descent (default: ${D.momentum})`)
    .option('--record-every <n>', `gd: record NC metrics every n iterations (default: ${D.recordEvery})`)
    .option('--json', 'print exactly one JSON object on stdout')
    .option('--out <file>', 'also write the JSON report to FILE (atomically)');
}

/** Registers `mlnc ufm` and returns it, for its subcommand `sweep` (sweep.ts). */
export function registerUfm(program: Command): Command {
  return addUfmOptions(
    program.command('ufm').description('minimise the multi-label UFM with the PAL loss and compare the optimum with the theory'),
  )
    .option('--threads <n>', 'threads of each objective evaluation (default: every core when N·d ≥ 2^20, else 1)')
    .action(async (flags: UfmFlags) => runUfmCommand(flags));
}
