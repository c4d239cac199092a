/**
 * A resume that changes the run's total epoch count (`mlnc train --resume --epochs N`). The cosine schedule is a
 * function of the total, so the epochs still to train follow the cosine over the new total, from the resumed epoch
 * on: lr_e = cosineLr(e − 1, N, lr0) for e > atEpoch, while the epochs already trained keep the rates they had. Extending a
 * finished run therefore restarts the learning rate from the floor lr0/1000 to cosineLr(atEpoch, N, lr0): the result
 * is not what a run trained for N epochs from the start would give, and config.json records the change (under
 * `epochsChanges`) so that nobody mistakes one for the other.
 */
import type { EpochsChange, RunDir, TrainConfig } from '../../run/index.js';
import { cosineLr } from './schedule.js';

/** A fingerprint without its epoch total: what must match when a resume may change --epochs. */
export function withoutEpochs(fp: Record<string, unknown>): Record<string, unknown> {
  const { epochs: _epochs, ...rest } = fp;
  return rest;
}

/** The one-line note printed when the total changes: the learning-rate jump, and what the run no longer equals. */
export function describeEpochsChange(c: EpochsChange, lr0: number): string {
  const before = cosineLr(Math.min(c.atEpoch, c.from), c.from, lr0);
  const after = cosineLr(c.atEpoch, c.to, lr0);
  return `changing the run's total from ${c.from} to ${c.to} epochs at epoch ${c.atEpoch}: the cosine learning-rate ` +
    `schedule is recomputed over ${c.to} epochs from epoch ${c.atEpoch + 1} on (next lr ${after.toPrecision(3)} instead of ` +
    `${before.toPrecision(3)}), so the run differs from one trained for ${c.to} epochs from the start (recorded in config.json)`;
}

/**
 * Rewrites config.json for the new total: `train` and `fingerprint` take the new epoch count (so later resumes,
 * validate and figures see it), and the change is appended to `epochsChanges`.
 */
export function recordEpochsChange(dir: RunDir, config: TrainConfig, fingerprint: Record<string, unknown>, c: EpochsChange): void {
  const meta = dir.readConfig();
  // Already recorded (a resume that stopped before its first new epoch was checkpointed): nothing to add.
  if (meta.train.epochs === c.to) return;
  const changes = meta.epochsChanges ?? [];
  dir.writeConfig({ ...meta, train: config, fingerprint, epochsChanges: [...changes, { ...c, changedAt: new Date().toISOString() }] });
}
