import type { MetricsLine } from '../../run/index.js';
import type { Rng } from '../../util/rng.js';
import { topMExactMatch } from '../evaluate/setMetrics.js';
import { batchesOf, epochOrder } from './batches.js';
import type { StepRunner } from './stepRunner.js';
import type { BatchProgress } from './runOptions.js';
import type { TrainingImages } from './types.js';

export interface EpochInput {
  runner: StepRunner;
  train: TrainingImages;
  rng: Rng;
  epoch: number;
  batchSize: number;
  lr: number;
  /** Before the first batch. */
  onStart?(epoch: number, batches: number): void;
  onBatch?(p: BatchProgress): void;
  /** Called with "the loss became NaN at epoch E, batch B" when a batch's loss or penalty is not finite. */
  onNonFinite(what: string): Error;
}

/** The training-mode part of an epoch's metrics line. */
export type EpochTotals = Required<Pick<MetricsLine, 'trainLoss' | 'trainPenalty' | 'trainAccuracy'>> & { images: number };

/**
 * One pass over the training set in a fresh order drawn from the run's RNG: every batch stepped by `runner`, the loss,
 * the penalty and the top-m accuracy of the training-mode forward passes summed along the way; then the runner's
 * state is brought back to the main thread's model.
 */
export async function trainEpoch(input: EpochInput): Promise<EpochTotals> {
  const { runner, train, epoch, lr } = input;
  const t0 = performance.now();
  const order = epochOrder(input.rng, train.labels.length);
  const batches = [...batchesOf(order, input.batchSize)];
  input.onStart?.(epoch, batches.length);
  let lossSum = 0, penSum = 0, accSum = 0, seen = 0;
  for (let b = 0; b < batches.length; b++) {
    const idx = batches[b];
    // The next batch's indices let a runner gather its pixels while it waits.
    const r = await runner.step(idx, lr, batches[b + 1]);
    if (!Number.isFinite(r.loss) || !Number.isFinite(r.penalty)) throw input.onNonFinite(`the loss became ${r.loss} at epoch ${epoch}, batch ${b + 1}`);
    const n = idx.length;
    lossSum += r.loss * n;
    penSum += r.penalty;
    accSum += topMExactMatch(r.logits, Array.from(idx, (i) => train.labels[i]), train.K) * n;
    seen += n;
    input.onBatch?.({ epoch, batch: b + 1, batches: batches.length, loss: lossSum / seen, accuracy: accSum / seen, imagesPerSecond: seen / ((performance.now() - t0) / 1000) });
  }
  // Evaluation and the checkpoint read the main thread's model: bring it up to date.
  await runner.sync();
  return { trainLoss: lossSum / seen, trainPenalty: penSum / batches.length, trainAccuracy: accSum / seen, images: seen };
}
