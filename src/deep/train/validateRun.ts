/**
 * `mlnc validate` (counterpart of the public code's validate_nc.py): loads every checkpoint of a run, recomputes every
 * NC metric on the training set and every test-set metric, and writes one summary, RUN_DIR/validate.json. Where the
 * run logged the same epoch, the summary also states the largest difference between logged and recomputed values (0
 * on the backend that trained the run, since inference is deterministic).
 */
import { openRunDir, readCheckpointState, RunDirError, type MetricsLine, type TrainConfig } from '../../run/index.js';
import type { AdapterInfo } from '../backend/webgpu.js';
import { loadCheckpointModel } from '../checkpoint/checkpoint.js';
import { nullNonFinite } from './finite.js';
import { measure, ncLineFields } from './measure.js';
import type { TrainingImages } from './types.js';
import { withRunLock } from '../../run/lock.js';

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

/** Recomputes every checkpoint's metrics with the run directory locked (validate.json is written into it). */
export async function validateRun(opts: ValidateOptions): Promise<{ summary: ValidateSummary; path: string }> {
  return withRunLock(opts.runDir, () => validateLocked(opts));
}

async function validateLocked(opts: ValidateOptions): Promise<{ summary: ValidateSummary; path: string }> {
  const { runDir, train, test } = opts;
  const dir = openRunDir(runDir);
  const config = dir.readTrainConfig();
  const ckpts = dir.checkpoints();
  if (ckpts.length === 0) throw new RunDirError(`${dir.checkpointsDir} holds no complete checkpoint`);
  const logged = new Map<number, MetricsLine>();
  // The shared reader: a damaged line is an error here too, as in train --resume, compare and figures.
  for (const l of dir.readMetrics()) logged.set(l.epoch, l);
  const rows: Record<string, unknown>[] = [];
  let maxDiff: number | null = null;
  for (const c of ckpts) {
    const state = readCheckpointState(c.dir);
    opts.onCheckpoint?.(state.epoch, c.dir);
    const model = await loadCheckpointModel(c.dir);
    try {
      if (model.inputs[0].shape.slice(1).join('x') !== [train.height, train.width, train.channels].join('x') || (model.outputs[0].shape[1] as number) !== train.K) {
        throw new RunDirError(`checkpoint ${c.dir} does not fit the data (input ${model.inputs[0].shape.slice(1).join('×')}, K ${model.outputs[0].shape[1]})`);
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
  return { summary, path: dir.writeJson('validate', summary) };
}
