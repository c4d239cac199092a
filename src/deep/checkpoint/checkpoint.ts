import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../../io/atomicWrite.js';
import {
  CHECKPOINT_FILES, CHECKPOINT_FORMAT, checkpointOldDir, checkpointTempDir, RunDirError, type CheckpointState,
} from '../../run/index.js';
import { fileSystemHandler } from './fsHandler.js';

/**
 * Writes and loads the tfjs parts of a training checkpoint (the layout is src/run/checkpoints.ts'): the model through
 * our fs IOHandler, the SGD velocities as one float32 buffer.
 */

/** A named float32 array: one optimizer velocity. */
export interface VelocityArray {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** The optimizer as a checkpoint sees it: velocities out, velocities in (src/deep/train/sgd.ts' MomentumSgd). */
export interface CheckpointableOptimizer {
  stateArrays(): Promise<VelocityArray[]>;
  loadStateArrays(state: readonly VelocityArray[]): void;
}

/** Writes a complete checkpoint directory at `dir` (replacing one that is there). */
export async function saveCheckpoint(
  dir: string, model: tf.LayersModel, optimizer: CheckpointableOptimizer, state: Omit<CheckpointState, 'format' | 'optimizer' | 'savedAt'>,
): Promise<void> {
  const tmp = checkpointTempDir(dir);
  rmSync(tmp, { recursive: true, force: true });
  await model.save(fileSystemHandler(tmp));
  const velocities = await optimizer.stateArrays();
  const total = velocities.reduce((s, v) => s + v.data.length, 0);
  const buf = new Float32Array(total);
  let off = 0;
  for (const v of velocities) {
    buf.set(v.data, off);
    off += v.data.length;
  }
  writeFileAtomic(join(tmp, CHECKPOINT_FILES.optimizer), new Uint8Array(buf.buffer));
  const full: CheckpointState = {
    format: CHECKPOINT_FORMAT,
    ...state,
    optimizer: velocities.map((v) => ({ name: v.name, shape: v.shape })),
    savedAt: new Date().toISOString(),
  };
  writeJsonAtomic(join(tmp, CHECKPOINT_FILES.state), full);
  const old = checkpointOldDir(dir);
  if (existsSync(dir)) renameSync(dir, old);
  renameSync(tmp, dir);
  rmSync(old, { recursive: true, force: true });
}

/** Loads the model of a checkpoint; throws RunDirError when the files are corrupt. */
export async function loadCheckpointModel(dir: string): Promise<tf.LayersModel> {
  try {
    return await tf.loadLayersModel(fileSystemHandler(dir));
  } catch (err) {
    throw new RunDirError(`checkpoint ${dir} is corrupt: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** Reads optimizer.bin as named velocity arrays matching state.optimizer. */
export function loadOptimizerArrays(dir: string, state: CheckpointState): VelocityArray[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(join(dir, CHECKPOINT_FILES.optimizer));
  } catch (err) {
    throw new RunDirError(`checkpoint ${dir} is corrupt: ${(err as Error).message.split('\n')[0]}`);
  }
  const total = state.optimizer.reduce((s, o) => s + o.shape.reduce((a, b) => a * b, 1), 0);
  if (bytes.byteLength !== total * 4) {
    throw new RunDirError(`checkpoint ${dir} is corrupt: ${CHECKPOINT_FILES.optimizer} has ${bytes.byteLength} bytes, expected ${total * 4}`);
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
 * Restores a checkpoint's SGD velocities into `optimizer`. Every failure is one RunDirError that names the checkpoint
 * once: loadOptimizerArrays' own errors already do, and the optimizer's (a velocity missing or of another shape) are
 * prefixed here.
 */
export function restoreOptimizerState(dir: string, state: CheckpointState, optimizer: CheckpointableOptimizer): void {
  const arrays = loadOptimizerArrays(dir, state);
  try {
    optimizer.loadStateArrays(arrays);
  } catch (err) {
    throw new RunDirError(`checkpoint ${dir} does not match this run: ${(err as Error).message.split('\n')[0]}`);
  }
}
