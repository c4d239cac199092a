/**
 * The coordinator of data-parallel training: one worker thread per replica (each with its own tfjs backend, by default
 * wasm, which is single-threaded in Node), gradients averaged through shared memory (see replica.ts for the step and
 * its BatchNorm semantics), the dataset shared so that workers gather their own shards.
 *
 *   const trainer = await createParallelTrainer({ workers: 2, model: { kind: 'spec', spec }, weights, dataset, ... });
 *   const { loss, penalty, logits } = await trainer.step(batchIndices, lr, nextBatchIndices);
 *   const weights = await trainer.getWeights();   // for evaluation and checkpoints on the main thread
 *   await trainer.dispose();
 *
 * A worker that fails (uncaught error, failed step, unexpected exit) rejects the pending call, and every later one,
 * with WorkerCrashError naming it; the other workers are released from the barrier and the caller keeps whatever it
 * saved last.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { workerEntryUrl } from '../../parallel/workerEntry.js';
import type { BackendPreference } from '../backend/initBackend.js';
import type { PalLoss } from '../../ufm/pal.js';
import type { SgdOptions } from '../train/sgd.js';
import type { StepResult } from '../train/step.js';
import type { TrainingImages } from '../train/types.js';
import { abortBarrier, createControl } from './barrier.js';
import { WorkerCrashError } from './errors.js';
import type { FaultInjection, FromWorker, ModelSource, StepBuffers, ToWorker, WorkerInit } from './protocol.js';
import { checkShardCounts } from './shards.js';
import { shareDataset, type SharedDataset } from './sharedDataset.js';
import type { NamedArray } from './weights.js';

export { WorkerCrashError } from './errors.js';
export type { ModelSource, FaultInjection } from './protocol.js';
export type { NamedArray } from './weights.js';

/** Recorded in run configs: how BatchNorm behaves under data parallelism (see replica.ts for the reasons). */
export const BATCHNORM_SEMANTICS =
  'per-shard batch statistics (PyTorch DataParallel without SyncBN); the global batch is cut into `shards` contiguous ' +
  'logical shards, gradients are summed over shards in shard order, BatchNorm moving statistics are replaced after each ' +
  'step by the shard-size-weighted mean of the per-shard updates; the step depends on the shard count, not on the worker count';

export interface ParallelTrainerOptions {
  /** Worker threads (default: the number of cores). */
  workers?: number;
  /** Logical shards per global batch (default: workers; must be ≥ workers). Fixes the step's semantics. */
  shards?: number;
  model: ModelSource;
  /** Every weight of the model (trainable and not) by original name: all replicas start from these. */
  weights: NamedArray[];
  /** Momentum buffers to start from (resume); zero otherwise. */
  optimizerState?: NamedArray[];
  dataset: TrainingImages;
  loss: PalLoss;
  lambdaH: number;
  sgd: SgdOptions;
  /** Backend inside each worker (default 'wasm'). */
  backend?: BackendPreference;
  /** Largest global batch that step() will be given. */
  maxBatch: number;
  /** Test hook: make a worker fail at a given step. */
  faultInjection?: FaultInjection;
}

export interface ParallelTrainer {
  readonly workers: number;
  readonly shards: number;
  /** tf backend name inside the workers. */
  readonly backend: string;
  readonly paramCount: number;
  /** One SGD step on the global batch `indices` (dataset sample indices); `next` lets workers gather the next batch early. */
  step(indices: ArrayLike<number>, lr: number, next?: ArrayLike<number>): Promise<StepResult>;
  /** The reduced gradient of the loss on `indices`, without changing weights, statistics or momentum. */
  gradients(indices: ArrayLike<number>): Promise<NamedArray[]>;
  getWeights(): Promise<NamedArray[]>;
  setWeights(weights: NamedArray[]): Promise<void>;
  getOptimizerState(): Promise<NamedArray[]>;
  setOptimizerState(state: NamedArray[]): Promise<void>;
  dispose(): Promise<void>;
}

/** Default worker count: every core when there is more than one and the backend is wasm; 1 otherwise (tfjs-node is
 *  multi-threaded itself, and cpu is too slow to matter). */
export function defaultWorkerCount(backendKind: string, cores = availableParallelism()): number {
  return cores > 1 && backendKind === 'wasm' ? cores : 1;
}

/** A model's topology as a ModelSource (for models not described by a spec, e.g. the reference net). */
export function topologySource(model: tf.LayersModel): ModelSource {
  const frozen = model.weights.filter((w) => !w.trainable && !/moving_(mean|variance)$/.test(w.originalName)).map((w) => w.originalName);
  return { kind: 'topology', topology: model.toJSON(null, false) as object, frozen };
}

interface Pending {
  remaining: number;
  result?: NamedArray[];
  error?: string;
  resolve: (r: NamedArray[] | undefined) => void;
  reject: (e: Error) => void;
}

class Coordinator implements ParallelTrainer {
  readonly workers: number;
  readonly shards: number;
  backend = '';
  paramCount = 0;
  private readonly threads: Worker[] = [];
  private readonly control = createControl();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private crash?: WorkerCrashError;
  private disposed = false;
  private chain: Promise<unknown> = Promise.resolve();
  private buffers?: { shardLoss: Float64Array; logits: Float32Array };
  private readonly K: number;
  private readonly N: number;
  private readonly maxBatch: number;
  private onReady?: (i: number, m: Extract<FromWorker, { type: 'ready' }>) => void;

  constructor(private readonly opts: ParallelTrainerOptions) {
    this.workers = opts.workers ?? availableParallelism();
    this.shards = opts.shards ?? this.workers;
    checkShardCounts(this.workers, this.shards);
    if (!Number.isInteger(opts.maxBatch) || opts.maxBatch < 1) throw new Error(`maxBatch must be a positive integer, got ${opts.maxBatch}`);
    this.maxBatch = opts.maxBatch;
    this.K = opts.dataset.K;
    this.N = opts.dataset.labels.length;
  }

  async start(): Promise<void> {
    const dataset: SharedDataset = shareDataset(this.opts.dataset);
    const ready: Extract<FromWorker, { type: 'ready' }>[] = [];
    const allReady = new Promise<void>((resolve, reject) => {
      this.onReady = (i, m) => {
        ready[i] = m;
        if (ready.filter(Boolean).length === this.workers) resolve();
      };
      this.pending.set(0, { remaining: Infinity, resolve: () => undefined, reject });
    });
    const url = workerEntryUrl('deep/parallel/worker');
    for (let i = 0; i < this.workers; i++) {
      const init: WorkerInit = {
        index: i, workers: this.workers, shards: this.shards, backend: this.opts.backend ?? 'wasm', model: this.opts.model,
        weights: this.opts.weights, loss: this.opts.loss, lambdaH: this.opts.lambdaH, sgd: this.opts.sgd, dataset,
        control: this.control.buffer as SharedArrayBuffer, faultInjection: this.opts.faultInjection,
      };
      let w: Worker;
      try {
        w = new Worker(url.protocol === 'file:' ? fileURLToPath(url) : url, { workerData: init });
      } catch (err) {
        throw new Error(`cannot start training worker ${i} from ${url.href}: ${(err as Error).message} (run npm run build first)`);
      }
      this.threads.push(w);
      w.on('message', (m: FromWorker) => this.onMessage(i, m));
      w.on('error', (err) => this.fail(i, err instanceof Error ? err.message : String(err)));
      w.on('exit', (code) => {
        if (!this.disposed) this.fail(i, `its thread exited with code ${code}`);
      });
    }
    await allReady;
    this.pending.delete(0);
    const counts = new Set(ready.map((r) => `${r.paramCount}/${r.statCount}`));
    if (counts.size !== 1) throw new Error(`the worker replicas disagree on their parameter counts (${[...counts].join(', ')})`);
    this.backend = ready[0].backend;
    this.paramCount = ready[0].paramCount;
    const { paramCount, statCount } = ready[0];
    const buffers: StepBuffers = {
      grads: new SharedArrayBuffer(this.shards * paramCount * 4),
      stats: new SharedArrayBuffer(this.shards * statCount * 4),
      shardLoss: new SharedArrayBuffer(this.shards * 2 * 8),
      logits: new SharedArrayBuffer(this.maxBatch * this.K * 4),
      maxBatch: this.maxBatch,
    };
    this.buffers = { shardLoss: new Float64Array(buffers.shardLoss), logits: new Float32Array(buffers.logits) };
    await this.send(this.all(), (id) => ({ type: 'buffers', id, buffers }));
    if (this.opts.optimizerState) await this.send(this.all(), (id) => ({ type: 'setOptimizerState', id, state: this.opts.optimizerState as NamedArray[] }));
  }

  private all(): number[] {
    return Array.from({ length: this.workers }, (_, i) => i);
  }

  private onMessage(i: number, m: FromWorker): void {
    if (m.type === 'ready') return this.onReady?.(i, m);
    if (m.type === 'fatal') return this.fail(i, m.message);
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.type === 'reply') {
      if (m.error !== undefined) p.error ??= `worker ${i}: ${m.error}`;
      if (i === 0) p.result = m.result;
    }
    if (--p.remaining === 0) {
      this.pending.delete(m.id);
      if (p.error !== undefined) p.reject(new Error(p.error));
      else p.resolve(p.result);
    }
  }

  private fail(worker: number, detail: string): void {
    if (this.crash || this.disposed) return;
    this.crash = new WorkerCrashError(worker, detail);
    abortBarrier(this.control);
    for (const p of this.pending.values()) p.reject(this.crash);
    this.pending.clear();
  }

  /** Sends one message per target worker and resolves with worker 0's result once every target answered. */
  private send(targets: number[], make: (id: number) => ToWorker): Promise<NamedArray[] | undefined> {
    if (this.crash) return Promise.reject(this.crash);
    if (this.disposed) return Promise.reject(new Error('the parallel trainer was disposed'));
    const id = this.nextId++;
    const done = new Promise<NamedArray[] | undefined>((resolve, reject) => this.pending.set(id, { remaining: targets.length, resolve, reject }));
    for (const t of targets) this.threads[t].postMessage(make(id));
    return done;
  }

  /** Runs calls one at a time: a step owns the shared buffers until every worker has finished it. */
  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.chain.then(op, op);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private checkIndices(indices: ArrayLike<number>, what: string): Int32Array {
    if (indices.length < 1) throw new Error(`${what}: empty batch`);
    if (indices.length > this.maxBatch) throw new Error(`${what}: batch of ${indices.length} exceeds maxBatch ${this.maxBatch}`);
    const out = Int32Array.from(indices);
    for (let j = 0; j < indices.length; j++) {
      if (out[j] !== indices[j] || out[j] < 0 || out[j] >= this.N) throw new Error(`${what}: ${indices[j]} is not a sample index in 0..${this.N - 1}`);
    }
    return out;
  }

  step(indices: ArrayLike<number>, lr: number, next?: ArrayLike<number>): Promise<StepResult> {
    const idx = this.checkIndices(indices, 'step');
    const nxt = next !== undefined && next.length > 0 ? this.checkIndices(next, 'step (next batch)') : undefined;
    if (!Number.isFinite(lr)) throw new Error(`step: learning rate ${lr} is not finite`);
    return this.serial(async () => {
      await this.send(this.all(), (id) => ({ type: 'step', id, indices: idx, lr, next: nxt, apply: true }));
      if (this.crash) throw this.crash;
      const buf = this.buffers as NonNullable<Coordinator['buffers']>;
      let palSum = 0;
      let penalty = 0;
      for (let s = 0; s < this.shards; s++) {
        palSum += buf.shardLoss[2 * s];
        penalty += buf.shardLoss[2 * s + 1];
      }
      return { loss: palSum / idx.length, penalty, logits: buf.logits.slice(0, idx.length * this.K) };
    });
  }

  gradients(indices: ArrayLike<number>): Promise<NamedArray[]> {
    const idx = this.checkIndices(indices, 'gradients');
    return this.serial(async () => {
      await this.send(this.all(), (id) => ({ type: 'step', id, indices: idx, lr: 0, apply: false }));
      return (await this.send([0], (id) => ({ type: 'getGradients', id }))) as NamedArray[];
    });
  }

  getWeights(): Promise<NamedArray[]> {
    return this.serial(async () => (await this.send([0], (id) => ({ type: 'getWeights', id }))) as NamedArray[]);
  }

  async setWeights(weights: NamedArray[]): Promise<void> {
    await this.serial(() => this.send(this.all(), (id) => ({ type: 'setWeights', id, weights })));
  }

  getOptimizerState(): Promise<NamedArray[]> {
    return this.serial(async () => (await this.send([0], (id) => ({ type: 'getOptimizerState', id }))) as NamedArray[]);
  }

  async setOptimizerState(state: NamedArray[]): Promise<void> {
    await this.serial(() => this.send(this.all(), (id) => ({ type: 'setOptimizerState', id, state })));
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    abortBarrier(this.control);
    for (const p of this.pending.values()) p.reject(new Error('the parallel trainer was disposed'));
    this.pending.clear();
    await Promise.all(this.threads.map((w) => w.terminate()));
  }
}

/** Starts the workers and resolves once every replica is built; rejects with WorkerCrashError if one fails to start. */
export async function createParallelTrainer(opts: ParallelTrainerOptions): Promise<ParallelTrainer> {
  const c = new Coordinator(opts);
  try {
    await c.start();
  } catch (err) {
    await c.dispose();
    throw err;
  }
  return c;
}
