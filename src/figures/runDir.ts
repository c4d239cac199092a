/** A finished or running training run as compare and figures read it: config.json and metrics.jsonl, validated. */
import { basename } from 'node:path';
import { openRunDir, RUN_FILES, RunDirError, type MetricsLine, type RunDir, type StoredRunConfig, type TrainConfig } from '../run/index.js';

export interface TrainingRun {
  /** The run directory, absolute. */
  readonly dir: string;
  readonly name: string;
  /** Its reader and writer (file paths, checkpoints, cached outputs). */
  readonly files: RunDir;
  readonly config: TrainConfig;
  /** The whole config.json (K, trainSamples, trainableParams, lambdaHConvention, dataOptions, ...). */
  readonly meta: StoredRunConfig;
  /** metrics.jsonl, one object per epoch. */
  readonly lines: readonly MetricsLine[];
}

export function readTrainingRun(dirArg: string): TrainingRun {
  const files = openRunDir(dirArg);
  files.requireDirectory();
  const meta = files.readConfig();
  if (!files.has('metrics')) throw new RunDirError(`${files.path} has no ${RUN_FILES.metrics} (was the run started?)`);
  const lines = files.readMetrics();
  if (lines.length === 0) throw new RunDirError(`${files.file('metrics')} is empty`);
  return { dir: files.path, name: basename(files.path), files, config: meta.train, meta, lines };
}

/** A short legend label: "learned W" / "fixed ETF", with the loss and epochs. */
export function runLabel(run: TrainingRun): string {
  const c = run.config;
  return `${c.fixedEtf ? 'fixed ETF classifier' : 'learned classifier'} (${c.arch}, ${c.loss}, ${c.epochs} ep.)`;
}

