/**
 * The layout of RUN_DIR/checkpoints. A checkpoint is a directory:
 *
 *   model.json      topology and weight manifest (the tfjs "layers-model" format)
 *   weights.bin     every weight, float32, in the manifest's order
 *   optimizer.bin   the SGD velocities, float32, in the order of state.json's `optimizer` list
 *   state.json      epoch, RNG state, the run's fingerprint; written last
 *
 * `epoch-NNNN` is kept for every NC epoch (every ncEvery epochs and the last); `last` holds the newest other epoch, so
 * a killed run loses at most the epoch in progress. A checkpoint is built under a temporary name and renamed into
 * place, so it either exists completely or not at all. Writing and loading the tfjs parts is src/deep/checkpoint's.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RngState } from '../util/rng.js';
import { RunDirError } from './errors.js';

export const CHECKPOINT_FILES = {
  model: 'model.json',
  weights: 'weights.bin',
  optimizer: 'optimizer.bin',
  state: 'state.json',
} as const;

export const CHECKPOINT_FORMAT = 'mlnc-checkpoint-1';

/** The checkpoint after the newest epoch that is not an NC epoch. */
export const LAST_CHECKPOINT = 'last';

export interface CheckpointState {
  format: typeof CHECKPOINT_FORMAT;
  /** Epochs completed. */
  epoch: number;
  /** RNG state after `epoch` epochs (it drives the next epoch's shuffle). */
  rng: RngState;
  /** What must match for a resume (architecture, data shape, loss, schedule, ...). */
  fingerprint: Record<string, unknown>;
  optimizer: { name: string; shape: number[] }[];
  /** Training wall-clock seconds up to this checkpoint (summed over resumes). */
  elapsedSeconds?: number;
  savedAt: string;
}

export interface CheckpointEntry {
  dir: string;
  epoch: number;
  name: string;
}

/** `epoch-0005`: the name of an NC epoch's checkpoint. */
export function epochDirName(epoch: number): string {
  return `epoch-${String(epoch).padStart(4, '0')}`;
}

/** Where a partial checkpoint is built before it is renamed into place (see src/deep/checkpoint). */
export function checkpointTempDir(dir: string): string {
  return `${dir}.tmp-${process.pid}`;
}

/** Where a replaced checkpoint waits until its successor is in place. */
export function checkpointOldDir(dir: string): string {
  return `${dir}.old-${process.pid}`;
}

/** Reads and checks state.json; throws RunDirError naming the directory when it is missing or malformed. */
export function readCheckpointState(dir: string): CheckpointState {
  let state: CheckpointState;
  try {
    state = JSON.parse(readFileSync(join(dir, CHECKPOINT_FILES.state), 'utf8')) as CheckpointState;
  } catch (err) {
    throw new RunDirError(`checkpoint ${dir} is unreadable: ${(err as Error).message.split('\n')[0]}`);
  }
  const ok = state && state.format === CHECKPOINT_FORMAT && Number.isInteger(state.epoch) && state.epoch >= 0 &&
    Array.isArray(state.rng) && state.rng.length === 4 && Array.isArray(state.optimizer) && typeof state.fingerprint === 'object';
  if (!ok) throw new RunDirError(`checkpoint ${dir} is corrupt: ${CHECKPOINT_FILES.state} lacks a valid format/epoch/rng/optimizer`);
  return state;
}

/** Complete checkpoint directories under `root` (those with a state.json), sorted by epoch; `last` included. */
export function listCheckpoints(root: string): CheckpointEntry[] {
  if (!existsSync(root)) return [];
  const out: CheckpointEntry[] = [];
  for (const name of readdirSync(root)) {
    if (!/^epoch-\d+$/.test(name) && name !== LAST_CHECKPOINT) continue;
    const dir = join(root, name);
    if (!existsSync(join(dir, CHECKPOINT_FILES.state))) continue;
    let epoch: number;
    try {
      epoch = readCheckpointState(dir).epoch;
    } catch {
      epoch = name === LAST_CHECKPOINT ? -1 : Number(name.slice(6));
    }
    out.push({ dir, epoch, name });
  }
  return out.sort((a, b) => a.epoch - b.epoch || (a.name === LAST_CHECKPOINT ? 1 : -1));
}
