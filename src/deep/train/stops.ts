/**
 * The ways a run stops early, each worded once. A diverged run (a non-finite loss, non-finite weights, inference-mode
 * outputs that overflow) keeps its last good checkpoint and asks for a smaller learning rate in a new run; a crashed
 * step runner keeps its last checkpoint and can be resumed.
 */
import type { CheckpointEntry } from '../../run/index.js';
import { TrainingError } from './errors.js';

/** `what` says what became non-finite and when, e.g. "the loss became NaN at epoch 3, batch 2". */
export function divergedStop(what: string, lr: number, kept: CheckpointEntry | undefined): TrainingError {
  return new TrainingError(
    `${what} (lr ${lr.toPrecision(3)}); the run stopped without saving this epoch` +
    `${kept ? `, the last good checkpoint is ${kept.dir}` : ''}; lower the learning rate (--lr) and start a new run (another --out)`,
  );
}

export function crashedStop(err: Error, epoch: number, kept: CheckpointEntry | undefined): TrainingError {
  return new TrainingError(
    `${err.message} (epoch ${epoch}); the run stopped without saving this epoch${kept ? `, the last checkpoint is ${kept.dir}` : ''}; continue it with --resume`,
  );
}
