/**
 * `runTraining`: trains a model with SGD + momentum under the PAL loss, measures neural collapse every `ncEvery` epochs
 * and writes the run directory (src/run): config.json, one metrics.jsonl line per epoch, and checkpoints (see
 * checkpointPolicy.ts). Starting or resuming is startOrResume.ts', the steps are a StepRunner's, and every early stop
 * is worded in stops.ts; what remains is the epoch loop.
 */
import * as tf from '@tensorflow/tfjs';
import { openRunDir, TrainConfigSchema, type MetricsLine } from '../../run/index.js';
import { saveCheckpoint } from '../checkpoint/checkpoint.js';
import { checkpointEpoch, isNcEpoch } from './checkpointPolicy.js';
import { fingerprintOf, runConfigRecord } from './config.js';
import { trainEpoch } from './epoch.js';
import { StepRunnerCrashError, TrainingError } from './errors.js';
import { measure, ncLineFields, NonFiniteOutputError } from './measure.js';
import { MetricsLog } from './metricsLog.js';
import type { RunOptions, RunResult } from './runOptions.js';
import { cosineLr } from './schedule.js';
import { discardSetUp, startOrResume, stoppedBeforeFirstCheckpoint } from './startOrResume.js';
import { singleProcessSteps, type StepRunner } from './stepRunner.js';
import { crashedStop, divergedStop } from './stops.js';
import { checkImages, type TrainingImages } from './types.js';
import { withRunLock } from '../../run/lock.js';

export async function runTraining(opts: RunOptions): Promise<RunResult> {
  // One writer per run directory for the whole run (a concurrent --resume would interleave two trajectories).
  return withRunLock(opts.runDir, () => trainLocked(opts));
}

async function trainLocked(opts: RunOptions): Promise<RunResult> {
  const config = TrainConfigSchema.parse(opts.config);
  const { train, test } = opts;
  const hooks = opts.hooks ?? {};
  const log = (m: string) => hooks.log?.(m);
  checkSplits(train, test);
  const K = train.K;
  const inputShape = [train.height, train.width, train.channels] as const;
  const fingerprint = fingerprintOf(config, K, inputShape);
  const dir = openRunDir(opts.runDir);
  const steps = opts.steps ?? singleProcessSteps;
  const plan = steps.plan(config, opts.backend);
  let resume = !!opts.resume;
  if (resume && stoppedBeforeFirstCheckpoint(dir)) {
    log(`${dir.path} was stopped before its first checkpoint: starting it afresh with its saved settings`);
    discardSetUp(dir);
    resume = false;
  }
  const s = await startOrResume({ dir, config, K, inputShape, fingerprint, resume, log });
  const { built, sgd, rng } = s;
  const model = built.model;
  if (!resume) {
    dir.writeConfig(runConfigRecord({ ...opts, config, K, inputShape, built, dataParallel: plan, fingerprint }));
  }
  const metrics = new MetricsLog(dir, s.lines, hooks.onEpochEnd);
  let elapsed = s.elapsed;
  const save = (epoch: number) => checkpointEpoch(dir, epoch, config, (path) =>
    saveCheckpoint(path, model, sgd, { epoch, rng: rng.state(), fingerprint, elapsedSeconds: elapsed }));
  const diverged = (what: string, lr: number) => divergedStop(what, lr, dir.newestCheckpoint());
  const crashed = (epoch: number) => (err: unknown) => {
    throw err instanceof StepRunnerCrashError ? crashedStop(err, epoch, dir.newestCheckpoint()) : err;
  };
  /** The NC fields of an epoch's line, measured in inference mode; outputs that overflow are a diverged run. */
  const ncFields = async (epoch: number, lr: number): Promise<Partial<MetricsLine>> => {
    try {
      const m = await measure(model, train, test, config.evalBatchSize, config.loss);
      return { trainEvalLoss: m.trainEvalLoss, ...ncLineFields(m.nc), ...(m.test ? { test: m.test } : {}) };
    } catch (err) {
      throw err instanceof NonFiniteOutputError ? diverged(`${err.message} after epoch ${epoch}`, lr) : err;
    }
  };

  let runner: StepRunner | undefined;
  try {
    if (s.startEpoch === 0 && !resume) {
      const t0 = performance.now();
      const m = await measure(model, train, test, config.evalBatchSize, config.loss);
      metrics.append({ epoch: 0, trainLoss: m.trainEvalLoss, seconds: (performance.now() - t0) / 1000, lr: cosineLr(0, config.epochs, config.lr), ...ncLineFields(m.nc), ...(m.test ? { test: m.test } : {}) });
      await save(0);
    }
    if (s.startEpoch < config.epochs) {
      runner = await steps.start({ model, sgd, config, train, backend: opts.backend, log }).catch(crashed(s.startEpoch + 1));
    }
    for (let epoch = s.startEpoch + 1, ran = 0; runner && epoch <= config.epochs; epoch++, ran++) {
      if (opts.stopAfterEpochs !== undefined && ran >= opts.stopAfterEpochs) break;
      const t0 = performance.now();
      const lr = cosineLr(epoch - 1, config.epochs, config.lr);
      const totals = await trainEpoch({
        runner, train, rng, epoch, lr, batchSize: config.batchSize, onStart: hooks.onEpochStart, onBatch: hooks.onBatch,
        onNonFinite: (what) => diverged(what, lr),
      }).catch(crashed(epoch));
      // The last update of the epoch is not followed by a forward pass: check the weights themselves before saving them.
      if (!(await weightsFinite(model))) throw diverged(`the weights became non-finite during epoch ${epoch}`, lr);
      const line: MetricsLine = {
        epoch, trainLoss: totals.trainLoss, trainPenalty: totals.trainPenalty, trainAccuracy: totals.trainAccuracy, lr,
        imagesPerSecond: totals.images / ((performance.now() - t0) / 1000),
        ...(isNcEpoch(epoch, config) ? await ncFields(epoch, lr) : {}),
      };
      line.seconds = (performance.now() - t0) / 1000;
      elapsed += line.seconds;
      line.elapsedSeconds = elapsed;
      metrics.append(line);
      await save(epoch);
    }
    return {
      runDir: opts.runDir, metricsPath: dir.file('metrics'), configPath: dir.file('config'), checkpointsDir: dir.checkpointsDir,
      lastEpoch: metrics.lines[metrics.lines.length - 1]?.epoch ?? s.startEpoch, lines: metrics.lines,
      trainableParams: built.trainableParams, totalParams: built.totalParams, seconds: elapsed,
    };
  } finally {
    await runner?.dispose();
    sgd.dispose();
    model.dispose();
  }
}

function checkSplits(train: TrainingImages, test: TrainingImages | undefined): void {
  checkImages(train, 'training set');
  if (!test) return;
  checkImages(test, 'test set');
  if (test.K !== train.K || test.height !== train.height || test.width !== train.width || test.channels !== train.channels) {
    throw new TrainingError('the test set has another K or image shape than the training set');
  }
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
