import * as tf from '@tensorflow/tfjs';
import { existsSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { stringifyFinite, writeFileAtomic, writeJsonAtomic } from '../../io/atomicWrite.js';
import { readMetricsJsonl } from '../../io/metricsJsonl.js';
import { Rng } from '../../util/rng.js';
import {
  CheckpointError, epochDirName, listCheckpoints, loadCheckpointModel, readCheckpointState, restoreOptimizerState, saveCheckpoint,
} from '../checkpoint/checkpoint.js';
import type { BackendPreference } from '../backend/initBackend.js';
import type { AdapterInfo } from '../backend/webgpu.js';
import { topMExactMatch } from '../evaluate/setMetrics.js';
import {
  BATCHNORM_SEMANTICS, createParallelTrainer, topologySource, WorkerCrashError, type FaultInjection, type ParallelTrainer,
} from '../parallel/trainer.js';
import { loadNamedWeights, namedWeights } from '../parallel/weights.js';
import { buildModel, initWeights, type BuiltModel } from '../models/index.js';
import { batchesOf, epochOrder, makeBatch } from './batches.js';
import { CONVENTIONS, fingerprintOf, TrainConfigSchema, type TrainConfig } from './config.js';
import { describeEpochsChange, recordEpochsChange, withoutEpochs, type EpochsChange } from './epochsChange.js';
import { nullNonFinite } from './finite.js';
import { measure, ncLineFields, NonFiniteOutputError } from './measure.js';
import { cosineLr } from './schedule.js';
import { MomentumSgd } from './sgd.js';
import { trainableParams, trainStep } from './step.js';
import { checkImages, type TrainingImages } from './types.js';

/** A user-fixable training failure; exitCode 2 makes the CLI print it as one line. */
export class TrainingError extends Error {
  override readonly name = 'TrainingError';
  readonly exitCode = 2;
}

export interface BatchProgress {
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
  accuracy: number;
  imagesPerSecond: number;
}

export interface RunHooks {
  onEpochStart?(epoch: number, batches: number): void;
  onBatch?(p: BatchProgress): void;
  onEpochEnd?(line: Record<string, unknown>): void;
  log?(message: string): void;
}

export interface RunOptions {
  config: TrainConfig;
  train: TrainingImages;
  test?: TrainingImages;
  runDir: string;
  /** Continue from the newest checkpoint in runDir instead of starting fresh. */
  resume?: boolean;
  /** Recorded in config.json. */
  backend: string;
  /** Which conv kernels the wasm backend ran (BackendInfo.kernels), recorded in config.json. */
  kernels?: string;
  /** On webgpu: the adapter the run trained on (BackendInfo.adapter), recorded in config.json. */
  adapter?: AdapterInfo;
  datasetRecipe?: unknown;
  /** How the data was loaded (data dir, counts), so that `mlnc validate` can load the same data. */
  dataOptions?: Record<string, unknown>;
  hooks?: RunHooks;
  /** Stop (as if killed) after this many epochs of this invocation; for tests of resume. */
  stopAfterEpochs?: number;
  /** Worker threads for a data-parallel run (config.shards > 1); ignored otherwise. */
  parallel?: ParallelRunOptions;
}

export interface ParallelRunOptions {
  /** Worker threads (default: min(cores, shards)); more than the run's shard count is capped to it. */
  workers?: number;
  /** Backend inside the workers (default 'wasm', or 'cpu' when the run's own backend is cpu). */
  backend?: BackendPreference;
  /** The compiled worker entry (default: next to src/deep/parallel/trainer.js). */
  workerUrl?: URL;
  /** Test hook: make a worker fail (see src/deep/parallel). */
  faultInjection?: FaultInjection;
}

export interface RunResult {
  runDir: string;
  metricsPath: string;
  configPath: string;
  checkpointsDir: string;
  lastEpoch: number;
  lines: Record<string, unknown>[];
  trainableParams: number;
  totalParams: number;
  seconds: number;
}

export const METRICS_FILE = 'metrics.jsonl';
export const CONFIG_FILE = 'config.json';
export const CHECKPOINTS_DIR = 'checkpoints';

function readLines(path: string): Record<string, unknown>[] {
  return existsSync(path) ? readMetricsJsonl(path) : [];
}

function writeLines(path: string, lines: Record<string, unknown>[]): void {
  writeFileAtomic(path, lines.map((l) => stringifyFinite(l, 0)).join('\n') + (lines.length ? '\n' : ''));
}

/** Whether every weight is finite, in one asynchronous read (a GPU backend cannot read synchronously). */
async function weightsFinite(model: tf.LayersModel): Promise<boolean> {
  const flags = tf.tidy(() => tf.stack(model.weights.map((w) => tf.all(tf.isFinite(w.read())))));
  try {
    return (await flags.data()).every((f) => f === 1);
  } finally {
    flags.dispose();
  }
}

/** Copies checkpoint weights into the freshly built model after checking every weight's name and shape. */
function copyWeights(from: tf.LayersModel, to: tf.LayersModel, dir: string): void {
  const src = from.weights;
  const dst = to.weights;
  const byName = new Map(src.map((w) => [w.originalName, w]));
  if (src.length !== dst.length) {
    throw new CheckpointError(`checkpoint ${dir} does not match this run: it has ${src.length} weight tensors, the model ${dst.length}`);
  }
  for (const w of dst) {
    const s = byName.get(w.originalName);
    if (!s || s.shape.join('x') !== w.shape.join('x')) {
      throw new CheckpointError(`checkpoint ${dir} does not match this run: weight ${w.originalName} is missing or has another shape`);
    }
    w.write(s.read());
  }
}

/**
 * Trains a model with SGD + momentum under the PAL loss, measuring neural collapse every `ncEvery` epochs, writing
 * RUN_DIR/config.json, RUN_DIR/metrics.jsonl (one JSON line per epoch) and checkpoints (RUN_DIR/checkpoints/epoch-NNNN
 * every ncEvery epochs and at the end, plus RUN_DIR/checkpoints/last after every other epoch, so a killed run loses at
 * most the epoch in progress). Resume restores weights, BatchNorm statistics, momentum buffers and the RNG state, so a
 * resumed run continues exactly like an uninterrupted one.
 */
export async function runTraining(opts: RunOptions): Promise<RunResult> {
  const config = TrainConfigSchema.parse(opts.config);
  const { train, test, runDir } = opts;
  const hooks = opts.hooks ?? {};
  checkImages(train, 'training set');
  if (test) {
    checkImages(test, 'test set');
    if (test.K !== train.K || test.height !== train.height || test.width !== train.width || test.channels !== train.channels) {
      throw new TrainingError('the test set has another K or image shape than the training set');
    }
  }
  const K = train.K;
  const inputShape = [train.height, train.width, train.channels] as const;
  const fingerprint = fingerprintOf(config, K, inputShape);
  const configPath = join(runDir, CONFIG_FILE);
  const metricsPath = join(runDir, METRICS_FILE);
  const ckptRoot = join(runDir, CHECKPOINTS_DIR);

  let built: BuiltModel;
  try {
    built = buildModel({ arch: config.arch, inputShape, K, width: config.width, depth: config.depth, fixedEtf: config.fixedEtf, fixDim: config.fixDim });
  } catch (err) {
    throw new TrainingError((err as Error).message);
  }
  const { model } = built;
  hooks.log?.(`model ${config.arch} (width ${built.spec.width}${config.fixDim ? ', fix-dim' : ''}${config.fixedEtf ? ', fixed ETF classifier' : ''}): feature dimension ${built.featureDim}, ${built.trainableParams} trainable of ${built.totalParams} parameters`);
  const sgd = new MomentumSgd(trainableParams(model), { momentum: config.momentum, weightDecay: config.weightDecay });
  let rng: Rng;
  let startEpoch: number;
  let lines: Record<string, unknown>[];
  let elapsed = 0;
  let epochsChange: EpochsChange | undefined;

  try {
    if (opts.resume) {
      if (!existsSync(configPath)) throw new TrainingError(`--resume: ${runDir} holds no run (no ${CONFIG_FILE})`);
      const ckpts = listCheckpoints(ckptRoot);
      if (ckpts.length === 0) throw new TrainingError(`--resume: ${ckptRoot} holds no complete checkpoint`);
      const latest = ckpts[ckpts.length - 1];
      const state = readCheckpointState(latest.dir);
      // Everything but the epoch total must match; a new total only changes the schedule of the epochs still to train.
      if (JSON.stringify(withoutEpochs(state.fingerprint)) !== JSON.stringify(withoutEpochs(fingerprint))) {
        throw new CheckpointError(`checkpoint ${latest.dir} does not match this run's settings (saved ${JSON.stringify(state.fingerprint)})`);
      }
      if (config.epochs < state.epoch) {
        throw new TrainingError(`--epochs ${config.epochs} is below the ${state.epoch} epochs ${runDir} has already trained; give at least ${state.epoch}`);
      }
      const savedTotal = state.fingerprint.epochs;
      if (typeof savedTotal === 'number' && savedTotal !== config.epochs) {
        epochsChange = { atEpoch: state.epoch, from: savedTotal, to: config.epochs };
      }
      const loaded = await loadCheckpointModel(latest.dir);
      try {
        copyWeights(loaded, model, latest.dir);
      } finally {
        loaded.dispose();
      }
      restoreOptimizerState(latest.dir, state, sgd);
      rng = new Rng(state.rng);
      startEpoch = state.epoch;
      elapsed = state.elapsedSeconds ?? 0;
      // Lines past the checkpoint belong to the lost epoch and will be written again.
      lines = readLines(metricsPath).filter((l) => typeof l.epoch === 'number' && l.epoch <= startEpoch);
      writeLines(metricsPath, lines);
      if (epochsChange) {
        try {
          recordEpochsChange(configPath, config, fingerprint, epochsChange);
        } catch (err) {
          throw err instanceof SyntaxError ? new TrainingError(`${configPath} is not valid JSON; the run directory is damaged`) : err;
        }
        hooks.log?.(describeEpochsChange(epochsChange, config.lr));
      }
      hooks.log?.(`resuming ${runDir} from ${latest.dir} (epoch ${startEpoch} of ${config.epochs})`);
    } else {
      if (existsSync(configPath) || existsSync(metricsPath)) {
        throw new TrainingError(`${runDir} already holds a run; pass --resume to continue it, or choose another --out`);
      }
      rng = new Rng(config.seed);
      initWeights(model, rng);
      startEpoch = 0;
      lines = [];
    }
  } catch (err) {
    sgd.dispose();
    model.dispose();
    throw err;
  }

  const shards = config.shards ?? 1;
  const workers = shards > 1 ? Math.max(1, Math.min(opts.parallel?.workers ?? availableParallelism(), shards)) : 1;
  const workerBackend: BackendPreference = opts.parallel?.backend ?? (opts.backend === 'cpu' ? 'cpu' : 'wasm');
  const dataParallel = shards > 1
    ? { shards, workers, workerBackend, batchNorm: BATCHNORM_SEMANTICS }
    : { shards: 1, workers: 1, batchNorm: 'whole-batch statistics (single process)' };

  if (!opts.resume) {
    writeJsonAtomic(configPath, {
      train: config,
      K,
      inputShape,
      backend: opts.backend,
      ...(opts.kernels === undefined ? {} : { kernels: opts.kernels }),
      ...(opts.adapter === undefined ? {} : { adapter: opts.adapter }),
      loss: config.loss,
      lambdaHConvention: CONVENTIONS.featurePenalty,
      conventions: CONVENTIONS,
      featureDim: built.featureDim,
      trainableParams: built.trainableParams,
      totalParams: built.totalParams,
      trainSamples: train.labels.length,
      testSamples: test?.labels.length ?? 0,
      dataset: opts.datasetRecipe ?? { name: train.name ?? config.dataset },
      dataOptions: opts.dataOptions ?? {},
      dataParallel,
      fingerprint,
      createdAt: new Date().toISOString(),
    });
  }

  const save = async (epoch: number, name: string) => {
    await saveCheckpoint(join(ckptRoot, name), model, sgd, { epoch, rng: rng.state(), fingerprint, elapsedSeconds: elapsed });
  };
  const record = (line: Record<string, unknown>) => {
    const { value, nonFinite } = nullNonFinite(line);
    const clean = value as Record<string, unknown>;
    if (nonFinite.length) clean.nonFinite = nonFinite;
    lines.push(clean);
    writeLines(metricsPath, lines);
    hooks.onEpochEnd?.(clean);
  };

  let trainer: ParallelTrainer | undefined;
  /** Brings the workers' weights, BatchNorm statistics and momentum to the main thread's model (for evaluation and checkpoints). */
  const pull = async () => {
    if (!trainer) return;
    loadNamedWeights(model, await trainer.getWeights(), 'weights from the training workers');
    sgd.loadStateArrays(await trainer.getOptimizerState());
  };
  const crashed = (err: WorkerCrashError, epoch: number) => {
    const kept = listCheckpoints(ckptRoot).pop();
    return new TrainingError(
      `${err.message} (epoch ${epoch}); the run stopped without saving this epoch${kept ? `, the last checkpoint is ${kept.dir}` : ''}; continue it with --resume`,
    );
  };

  try {
    if (startEpoch === 0 && !opts.resume) {
      const t0 = performance.now();
      const m = await measure(model, train, test, config.evalBatchSize, config.loss);
      record({ epoch: 0, trainLoss: m.trainEvalLoss, seconds: (performance.now() - t0) / 1000, lr: cosineLr(0, config.epochs, config.lr), ...ncLineFields(m.nc), ...(m.test ? { test: m.test } : {}) });
      await save(0, epochDirName(0));
    }
    const N = train.labels.length;
    if (shards > 1 && startEpoch < config.epochs) {
      trainer = await createParallelTrainer({
        workers, shards, model: topologySource(model), weights: namedWeights(model), optimizerState: await sgd.stateArrays(),
        dataset: train, loss: config.loss, lambdaH: config.lambdaH, sgd: { momentum: config.momentum, weightDecay: config.weightDecay },
        backend: workerBackend, maxBatch: config.batchSize, workerUrl: opts.parallel?.workerUrl, faultInjection: opts.parallel?.faultInjection,
      }).catch((err: unknown) => {
        throw err instanceof WorkerCrashError ? crashed(err, startEpoch + 1) : err;
      });
      hooks.log?.(`data-parallel training: ${workers} worker thread(s) on ${trainer.backend}, ${shards} logical shards per batch (BatchNorm statistics per shard)`);
    }
    let ranThisCall = 0;
    for (let epoch = startEpoch + 1; epoch <= config.epochs; epoch++) {
      if (opts.stopAfterEpochs !== undefined && ranThisCall >= opts.stopAfterEpochs) break;
      const t0 = performance.now();
      const lr = cosineLr(epoch - 1, config.epochs, config.lr);
      const order = epochOrder(rng, N);
      const nBatches = Math.ceil(N / config.batchSize);
      hooks.onEpochStart?.(epoch, nBatches);
      let lossSum = 0, penSum = 0, accSum = 0, seen = 0, b = 0;
      const batches = [...batchesOf(order, config.batchSize)];
      for (const idx of batches) {
        let r;
        if (trainer) {
          try {
            // The next batch's indices let the workers gather its pixels while they wait for each other.
            r = await trainer.step(idx, lr, batches[b + 1]);
          } catch (err) {
            throw err instanceof WorkerCrashError ? crashed(err, epoch) : err;
          }
        } else {
          const { x, y } = makeBatch(train, idx);
          try {
            r = await trainStep(model, sgd, x, y, { loss: config.loss, lambdaH: config.lambdaH, lr });
          } finally {
            tf.dispose([x, y]);
          }
        }
        if (!Number.isFinite(r.loss) || !Number.isFinite(r.penalty)) {
          const kept = listCheckpoints(ckptRoot).pop();
          throw new TrainingError(
            `the loss became ${r.loss} at epoch ${epoch}, batch ${b + 1} (lr ${lr.toPrecision(3)}); the run stopped without saving this epoch` +
            `${kept ? `, the last good checkpoint is ${kept.dir}` : ''}; lower the learning rate (--lr) and start a new run (another --out)`,
          );
        }
        const n = idx.length;
        lossSum += r.loss * n;
        penSum += r.penalty;
        accSum += topMExactMatch(r.logits, Array.from(idx, (i) => train.labels[i]), K) * n;
        seen += n;
        b++;
        hooks.onBatch?.({ epoch, batch: b, batches: nBatches, loss: lossSum / seen, accuracy: accSum / seen, imagesPerSecond: seen / ((performance.now() - t0) / 1000) });
      }
      await pull();
      // The last update of the epoch is not followed by a forward pass: check the weights themselves before saving them.
      if (!(await weightsFinite(model))) {
        const kept = listCheckpoints(ckptRoot).pop();
        throw new TrainingError(
          `the weights became non-finite during epoch ${epoch} (lr ${lr.toPrecision(3)}); the run stopped without saving this epoch` +
          `${kept ? `, the last good checkpoint is ${kept.dir}` : ''}; lower the learning rate (--lr) and start a new run (another --out)`,
        );
      }
      const trainSeconds = (performance.now() - t0) / 1000;
      const line: Record<string, unknown> = {
        epoch, trainLoss: lossSum / seen, trainPenalty: penSum / nBatches, trainAccuracy: accSum / seen, lr,
        imagesPerSecond: seen / trainSeconds,
      };
      const isNc = epoch % config.ncEvery === 0 || epoch === config.epochs;
      if (isNc) {
        let m;
        try {
          m = await measure(model, train, test, config.evalBatchSize, config.loss);
        } catch (err) {
          if (!(err instanceof NonFiniteOutputError)) throw err;
          const kept = listCheckpoints(ckptRoot).pop();
          throw new TrainingError(
            `${err.message} after epoch ${epoch} (lr ${lr.toPrecision(3)}); the run stopped without saving this epoch` +
            `${kept ? `, the last good checkpoint is ${kept.dir}` : ''}; lower the learning rate (--lr) and start a new run (another --out)`,
          );
        }
        Object.assign(line, { trainEvalLoss: m.trainEvalLoss, ...ncLineFields(m.nc), ...(m.test ? { test: m.test } : {}) });
      }
      const seconds = (performance.now() - t0) / 1000;
      elapsed += seconds;
      line.seconds = seconds;
      line.elapsedSeconds = elapsed;
      record(line);
      if (isNc) {
        await save(epoch, epochDirName(epoch));
        rmSync(join(ckptRoot, 'last'), { recursive: true, force: true });
      } else {
        await save(epoch, 'last');
      }
      ranThisCall++;
    }
    const lastEpoch = (lines[lines.length - 1]?.epoch as number) ?? startEpoch;
    return {
      runDir, metricsPath, configPath, checkpointsDir: ckptRoot, lastEpoch, lines,
      trainableParams: built.trainableParams, totalParams: built.totalParams, seconds: elapsed,
    };
  } finally {
    await trainer?.dispose();
    sgd.dispose();
    model.dispose();
  }
}
