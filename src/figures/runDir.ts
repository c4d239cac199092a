/** Reading a training run directory (config.json + metrics.jsonl, written by `mlnc train`) with one-line errors. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { TrainConfigSchema, type TrainConfig } from '../deep/train/config.js';
import { readMetricsJsonl } from '../io/metricsJsonl.js';
import { RunInputError } from './errors.js';

export interface TrainingRun {
  readonly dir: string;
  readonly name: string;
  readonly config: TrainConfig;
  /** The whole config.json (K, trainSamples, trainableParams, lambdaHConvention, dataOptions, ...). */
  readonly meta: Record<string, unknown>;
  /** metrics.jsonl, one object per epoch. */
  readonly lines: readonly Record<string, unknown>[];
}

export function readTrainingRun(dirArg: string): TrainingRun {
  const dir = resolve(dirArg);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new RunInputError(`run directory ${dir} does not exist`);
  const configPath = join(dir, 'config.json');
  if (!existsSync(configPath)) throw new RunInputError(`${dir} holds no training run (no config.json)`);
  let meta: Record<string, unknown>;
  try {
    meta = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new RunInputError(`${configPath} is not valid JSON (${(err as Error).message.split('\n')[0]})`);
  }
  const parsed = TrainConfigSchema.safeParse(meta.train);
  if (!parsed.success) throw new RunInputError(`${configPath} holds no valid training config under "train"`);
  const metricsPath = join(dir, 'metrics.jsonl');
  if (!existsSync(metricsPath)) throw new RunInputError(`${dir} has no metrics.jsonl (was the run started?)`);
  const lines = readMetricsJsonl(metricsPath);
  if (lines.length === 0) throw new RunInputError(`${metricsPath} is empty`);
  return { dir, name: basename(dir), config: parsed.data, meta, lines };
}

/** A short legend label: "learned W" / "fixed ETF", with the loss and epochs. */
export function runLabel(run: TrainingRun): string {
  const c = run.config;
  return `${c.fixedEtf ? 'fixed ETF classifier' : 'learned classifier'} (${c.arch}, ${c.loss}, ${c.epochs} ep.)`;
}

