import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../io/atomicWrite.js';
import { readMetricsJsonl } from '../../io/metricsJsonl.js';
import type { AdapterInfo } from '../backend/webgpu.js';
import { listCheckpoints, loadCheckpointModel, readCheckpointState } from '../checkpoint/checkpoint.js';
import { TrainConfigSchema, type TrainConfig } from './config.js';
import { nullNonFinite } from './finite.js';
import { measure, ncLineFields } from './measure.js';
import { CHECKPOINTS_DIR, CONFIG_FILE, METRICS_FILE, TrainingError } from './run.js';
import type { TrainingImages } from './types.js';

/**
 * `mlnc validate` (counterpart of the public code's validate_nc.py): loads every checkpoint of a run, recomputes every
 * NC metric on the training set and every test-set metric, and writes one summary, RUN_DIR/validate.json. Where the
 * run logged the same epoch, the summary also states the largest difference between logged and recomputed values (0
 * on the backend that trained the run, since inference is deterministic).
 */
export const VALIDATE_FILE = 'validate.json';

export function readRunConfig(runDir: string): TrainConfig {
  const path = join(runDir, CONFIG_FILE);
  if (!existsSync(path)) throw new TrainingError(`${runDir} holds no run (no ${CONFIG_FILE})`);
  let raw: unknown;
  try {
    raw = (JSON.parse(readFileSync(path, 'utf8')) as { train?: unknown }).train;
  } catch (err) {
    throw new TrainingError(`${path} is not valid JSON (${(err as Error).message.split('\n')[0]})`);
  }
  const parsed = TrainConfigSchema.safeParse(raw);
  if (!parsed.success) throw new TrainingError(`${path} holds no valid training config`);
  return parsed.data;
}

export interface ValidateOptions {
  runDir: string;
  train: TrainingImages;
  test?: TrainingImages;
  backend: string;
  /** On webgpu: the adapter the metrics were recomputed on, recorded in validate.json. */
  adapter?: AdapterInfo;
  onCheckpoint?(epoch: number, dir: string): void;
}

export interface ValidateSummary {
  runDir: string;
  backend: string;
  adapter?: AdapterInfo;
  config: TrainConfig;
  checkpoints: Record<string, unknown>[];
  /** Largest |logged − recomputed| over the headline NC metrics of epochs present in both. */
  maxDifferenceFromLog: number | null;
}

export async function validateRun(opts: ValidateOptions): Promise<{ summary: ValidateSummary; path: string }> {
  const { runDir, train, test } = opts;
  const config = readRunConfig(runDir);
  const ckpts = listCheckpoints(join(runDir, CHECKPOINTS_DIR));
  if (ckpts.length === 0) throw new TrainingError(`${join(runDir, CHECKPOINTS_DIR)} holds no complete checkpoint`);
  const logged = new Map<number, Record<string, unknown>>();
  const metricsPath = join(runDir, METRICS_FILE);
  // The shared reader: a damaged line is an error here too, as in train --resume, compare and figures.
  if (existsSync(metricsPath)) for (const l of readMetricsJsonl(metricsPath)) logged.set(l.epoch as number, l);
  const rows: Record<string, unknown>[] = [];
  let maxDiff: number | null = null;
  for (const c of ckpts) {
    const state = readCheckpointState(c.dir);
    opts.onCheckpoint?.(state.epoch, c.dir);
    const model = await loadCheckpointModel(c.dir);
    try {
      if (model.inputs[0].shape.slice(1).join('x') !== [train.height, train.width, train.channels].join('x') || (model.outputs[0].shape[1] as number) !== train.K) {
        throw new TrainingError(`checkpoint ${c.dir} does not fit the data (input ${model.inputs[0].shape.slice(1).join('×')}, K ${model.outputs[0].shape[1]})`);
      }
      const m = await measure(model, train, test, config.evalBatchSize, config.loss);
      const row: Record<string, unknown> = { epoch: state.epoch, checkpoint: c.name, trainEvalLoss: m.trainEvalLoss, ...ncLineFields(m.nc), ...(m.test ? { test: m.test } : {}) };
      const log = logged.get(state.epoch);
      if (log && typeof log.nc1 === 'number') {
        for (const k of ['nc1', 'nc2W', 'nc2H', 'nc3', 'tagAngle'] as const) {
          const a = log[k];
          const b = row[k];
          if (typeof a === 'number' && typeof b === 'number') maxDiff = Math.max(maxDiff ?? 0, Math.abs(a - b));
        }
      }
      rows.push(nullNonFinite(row).value as Record<string, unknown>);
    } finally {
      model.dispose();
    }
  }
  const summary: ValidateSummary = { runDir, backend: opts.backend, ...(opts.adapter === undefined ? {} : { adapter: opts.adapter }), config, checkpoints: rows, maxDifferenceFromLog: maxDiff };
  const path = join(runDir, VALIDATE_FILE);
  writeJsonAtomic(path, summary);
  return { summary, path };
}
