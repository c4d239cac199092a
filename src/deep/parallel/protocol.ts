/** Messages between the coordinator (main thread) and its worker threads, and the data each worker starts with. */
import type { BackendPreference } from '../backend/initBackend.js';
import type { ModelSpec } from '../models/index.js';
import type { PalLoss } from '../../ufm/pal.js';
import type { SgdOptions } from '../train/sgd.js';
import type { SharedDataset } from './sharedDataset.js';
import type { NamedArray } from './weights.js';

/** How a worker builds its replica: from a model spec (src/deep/models) or from a tfjs topology (model.toJSON). */
export type ModelSource =
  | { kind: 'spec'; spec: ModelSpec }
  | {
      kind: 'topology';
      /** model.toJSON(null, false): a two-output model [logits N×K, features N×d]. */
      topology: object;
      /** Names of weights to mark non-trainable (per-variable trainability is not part of a topology). */
      frozen?: string[];
    };

/** Test hook: make one worker fail at a given step (1-based count of steps it has been sent). */
export interface FaultInjection {
  worker: number;
  atStep: number;
  /** 'throw': an uncaught exception in the worker; 'exit': the thread exits with code 3. */
  mode: 'throw' | 'exit';
}

export interface WorkerInit {
  index: number;
  workers: number;
  shards: number;
  backend: BackendPreference;
  model: ModelSource;
  weights: NamedArray[];
  loss: PalLoss;
  lambdaH: number;
  sgd: SgdOptions;
  dataset: SharedDataset;
  control: SharedArrayBuffer;
  faultInjection?: FaultInjection;
}

/** Shared buffers sized from the replica (sent once every worker reported its parameter counts). */
export interface StepBuffers {
  /** shards × paramCount float32: the gradient of each logical shard. */
  grads: SharedArrayBuffer;
  /** shards × statCount float32: the BatchNorm moving statistics after each shard's forward pass. */
  stats: SharedArrayBuffer;
  /** shards × 2 float64: Σ c_m·PAL over the shard and its feature penalty λ_H·Σ‖h‖². */
  shardLoss: SharedArrayBuffer;
  /** maxBatch × K float32: the batch logits, each shard writing its rows. */
  logits: SharedArrayBuffer;
  maxBatch: number;
}

export type ToWorker =
  | { type: 'buffers'; id: number; buffers: StepBuffers }
  | { type: 'step'; id: number; indices: Int32Array; lr: number; next?: Int32Array; apply: boolean }
  | { type: 'getWeights'; id: number }
  | { type: 'setWeights'; id: number; weights: NamedArray[] }
  | { type: 'getOptimizerState'; id: number }
  | { type: 'setOptimizerState'; id: number; state: NamedArray[] }
  | { type: 'getGradients'; id: number };

export type FromWorker =
  | { type: 'ready'; backend: string; paramCount: number; statCount: number; paramNames: string[] }
  | { type: 'done'; id: number }
  | { type: 'aborted'; id: number }
  | { type: 'reply'; id: number; result?: NamedArray[]; error?: string }
  | { type: 'fatal'; message: string };
