/**
 * Runs for `mlnc figures` without arguments: complete training runs found under runs/ (newest learned-classifier and
 * newest fixed-ETF run), or else two short runs trained here on the small MLab-MNIST preset.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { openRunDir, RunDirError, type RunDir } from '../run/index.js';
import { readTrainingRun, type TrainingRun } from './runDir.js';

const hasCheckpoint = (run: RunDir) => run.has('finalFeatures') || run.epochCheckpoints().length > 0;

/** Complete runs under root (config.json, metrics.jsonl with test metrics, a checkpoint), newest first. */
export function discoverRuns(root: string): TrainingRun[] {
  if (!existsSync(root)) return [];
  const out: { run: TrainingRun; mtime: number }[] = [];
  for (const name of readdirSync(root)) {
    const dir = openRunDir(resolve(root, name));
    if (!dir.isDirectory() || !hasCheckpoint(dir)) continue;
    try {
      const run = readTrainingRun(dir.path);
      const last = run.lines[run.lines.length - 1];
      // A finished run: its last line is the last epoch and carries test metrics.
      if (last.epoch !== run.config.epochs || !last.test) continue;
      out.push({ run, mtime: statSync(dir.file('metrics')).mtimeMs });
    } catch {
      // not a (complete) training run
    }
  }
  return out.sort((a, b) => b.mtime - a.mtime).map((x) => x.run);
}

/** The newest learned and the newest fixed-ETF run, or null when either kind is missing. */
export function pickDefaultPair(runs: readonly TrainingRun[]): [TrainingRun, TrainingRun] | null {
  const learned = runs.find((r) => !r.config.fixedEtf);
  const fixed = runs.find((r) => r.config.fixedEtf && (!learned || (r.config.dataset === learned.config.dataset && r.config.loss === learned.config.loss)));
  return learned && fixed ? [learned, fixed] : null;
}

export interface ShortRunOptions {
  root: string;
  epochs: number;
  backend?: string;
  log?: (message: string) => void;
}

/** Trains a learned-classifier and a fixed-ETF run (default recipe, fewer epochs, NC every epoch); returns their dirs. */
export async function trainShortRuns(opts: ShortRunOptions): Promise<string[]> {
  const { describeBackend, initBackend } = await import('../deep/backend/initBackend.js');
  const { loadDataset } = await import('../deep/data/index.js');
  const { runTraining } = await import('../deep/train/run.js');
  const { DEFAULT_TRAIN_CONFIG } = await import('../deep/train/config.js');
  const backend = await initBackend((opts.backend ?? 'auto') as Parameters<typeof initBackend>[0]);
  const base = { ...DEFAULT_TRAIN_CONFIG, epochs: opts.epochs, ncEvery: 1 };
  const splits = await loadDataset({ dataset: base.dataset, preset: base.preset, seed: base.seed });
  const dirs: string[] = [];
  for (const fixedEtf of [false, true]) {
    const dir = openRunDir(resolve(opts.root, `figures-${fixedEtf ? 'fixed-etf' : 'learned'}-${opts.epochs}ep`));
    if (dir.holdsRun()) throw new RunDirError(`${dir.path} holds an incomplete run; delete it or pass run directories`);
    opts.log?.(`training ${fixedEtf ? 'a fixed-ETF' : 'a learned'}-classifier run for ${opts.epochs} epochs into ${dir.path} (backend ${describeBackend(backend)})`);
    await runTraining({
      config: { ...base, fixedEtf }, train: splits.train, test: splits.test, runDir: dir.path, backend: backend.name, kernels: backend.kernels, adapter: backend.adapter,
      datasetRecipe: splits.train.recipe, dataOptions: {},
      hooks: { onEpochEnd: (l) => opts.log?.(`  epoch ${l.epoch}: loss ${typeof l.trainLoss === 'number' ? l.trainLoss.toFixed(3) : l.trainLoss}, ${typeof l.seconds === 'number' ? l.seconds.toFixed(1) : '?'} s`) },
    });
    dirs.push(dir.path);
  }
  return dirs;
}
