import * as tf from '@tensorflow/tfjs';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../../io/atomicWrite.js';
import type { RngState } from '../../util/rng.js';
import type { MomentumSgd } from '../train/sgd.js';
import { fileSystemHandler } from './fsHandler.js';

/**
 * A training checkpoint is a directory: model.json + weights.bin (topology and weights through our fs IOHandler),
 * optimizer.bin (the SGD velocities, float32, in the order of state.json's `optimizer` list) and state.json (epoch,
 * RNG state, run fingerprint), written last. The directory is built under a temporary name and renamed into place, so a
 * checkpoint either exists completely or not at all.
 */
export const STATE_JSON = 'state.json';
export const OPTIMIZER_BIN = 'optimizer.bin';
export const CHECKPOINT_FORMAT = 'mlnc-checkpoint-1';

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

export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
}

export function epochDirName(epoch: number): string {
  return `epoch-${String(epoch).padStart(4, '0')}`;
}

/** Writes a complete checkpoint directory at `dir` (replacing one that is there). */
export async function saveCheckpoint(
  dir: string, model: tf.LayersModel, sgd: MomentumSgd, state: Omit<CheckpointState, 'format' | 'optimizer' | 'savedAt'>,
): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  await model.save(fileSystemHandler(tmp));
  const velocities = await sgd.stateArrays();
  const total = velocities.reduce((s, v) => s + v.data.length, 0);
  const buf = new Float32Array(total);
  let off = 0;
  for (const v of velocities) {
    buf.set(v.data, off);
    off += v.data.length;
  }
  writeFileAtomic(join(tmp, OPTIMIZER_BIN), new Uint8Array(buf.buffer));
  const full: CheckpointState = {
    format: CHECKPOINT_FORMAT,
    ...state,
    optimizer: velocities.map((v) => ({ name: v.name, shape: v.shape })),
    savedAt: new Date().toISOString(),
  };
  writeJsonAtomic(join(tmp, STATE_JSON), full);
  const old = `${dir}.old-${process.pid}`;
  if (existsSync(dir)) renameSync(dir, old);
  renameSync(tmp, dir);
  rmSync(old, { recursive: true, force: true });
}

/** Reads and checks state.json; throws CheckpointError naming the directory when it is missing or malformed. */
export function readCheckpointState(dir: string): CheckpointState {
  let state: CheckpointState;
  try {
    state = JSON.parse(readFileSync(join(dir, STATE_JSON), 'utf8')) as CheckpointState;
  } catch (err) {
    throw new CheckpointError(`checkpoint ${dir} is unreadable: ${(err as Error).message.split('\n')[0]}`);
  }
  const ok = state && state.format === CHECKPOINT_FORMAT && Number.isInteger(state.epoch) && state.epoch >= 0 &&
    Array.isArray(state.rng) && state.rng.length === 4 && Array.isArray(state.optimizer) && typeof state.fingerprint === 'object';
  if (!ok) throw new CheckpointError(`checkpoint ${dir} is corrupt: ${STATE_JSON} lacks a valid format/epoch/rng/optimizer`);
  return state;
}

/** Loads the model of a checkpoint; throws CheckpointError when the files are corrupt. */
export async function loadCheckpointModel(dir: string): Promise<tf.LayersModel> {
  try {
    return await tf.loadLayersModel(fileSystemHandler(dir));
  } catch (err) {
    throw new CheckpointError(`checkpoint ${dir} is corrupt: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** Reads optimizer.bin as named velocity arrays matching state.optimizer. */
export function loadOptimizerArrays(dir: string, state: CheckpointState): { name: string; shape: number[]; data: Float32Array }[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(join(dir, OPTIMIZER_BIN));
  } catch (err) {
    throw new CheckpointError(`checkpoint ${dir} is corrupt: ${(err as Error).message.split('\n')[0]}`);
  }
  const total = state.optimizer.reduce((s, o) => s + o.shape.reduce((a, b) => a * b, 1), 0);
  if (bytes.byteLength !== total * 4) {
    throw new CheckpointError(`checkpoint ${dir} is corrupt: ${OPTIMIZER_BIN} has ${bytes.byteLength} bytes, expected ${total * 4}`);
  }
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  let off = 0;
  return state.optimizer.map((o) => {
    const size = o.shape.reduce((a, b) => a * b, 1);
    const data = all.slice(off, off + size);
    off += size;
    return { name: o.name, shape: o.shape, data };
  });
}

/**
 * Restores a checkpoint's SGD velocities into `sgd`. Every failure is one CheckpointError that names the checkpoint
 * once: loadOptimizerArrays' own errors already do, and the optimizer's (a velocity missing or of another shape) are
 * prefixed here.
 */
export function restoreOptimizerState(dir: string, state: CheckpointState, sgd: MomentumSgd): void {
  const arrays = loadOptimizerArrays(dir, state);
  try {
    sgd.loadStateArrays(arrays);
  } catch (err) {
    throw new CheckpointError(`checkpoint ${dir} does not match this run: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** Complete checkpoint directories under `root` (those with a state.json), sorted by epoch; `last` included. */
export function listCheckpoints(root: string): { dir: string; epoch: number; name: string }[] {
  if (!existsSync(root)) return [];
  const out: { dir: string; epoch: number; name: string }[] = [];
  for (const name of readdirSync(root)) {
    if (!/^epoch-\d+$/.test(name) && name !== 'last') continue;
    const dir = join(root, name);
    if (!existsSync(join(dir, STATE_JSON))) continue;
    let epoch: number;
    try {
      epoch = readCheckpointState(dir).epoch;
    } catch {
      epoch = name === 'last' ? -1 : Number(name.slice(6));
    }
    out.push({ dir, epoch, name });
  }
  return out.sort((a, b) => a.epoch - b.epoch || (a.name === 'last' ? 1 : -1));
}
