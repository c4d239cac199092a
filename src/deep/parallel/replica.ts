/**
 * One worker thread's replica of the model and optimiser, and its part of a data-parallel step.
 *
 * A step on a global batch of B samples split into S logical shards (see shards.ts):
 *  1. for each of its shards s (in order), the replica runs the training-mode forward and backward pass of
 *       L_s = (1/B)·Σ_{i∈s} c_m·PAL_i + λ_H·Σ_{i∈s}‖h_i‖²,
 *     so that Σ_s L_s is the single-process loss of the whole batch (mean c_m·PAL + summed feature penalty), and writes
 *     ∇L_s into shard s's slot of a shared float32 array — equivalently the shard-size-weighted mean (n_s/B) of the
 *     per-shard mean-loss gradients;
 *  2. it gathers the pixels of its shards of the next batch (when the coordinator sent them) while others finish;
 *  3. barrier; then every replica sums the S slots in shard order 0..S−1 (float32, the same additions in the same order
 *     on every thread, so all replicas get bit-identical gradients) and applies the same MomentumSgd update.
 *
 * BatchNorm: per-shard batch statistics, as PyTorch DataParallel without SyncBN. Synchronised BN would need a
 * collective (all-reduce of mean and variance) inside every BN forward and its backward: two barriers per BN layer per
 * step, on every backend (see README.md). The moving mean/variance, which each shard's forward
 * pass updates from the same starting value m₀ (m_s = m₀ − (1−momentum)(m₀ − μ_s)), are replaced after each step by the
 * shard-size-weighted average Σ_s (n_s/B)·m_s, summed in shard order, so that replicas stay identical. A worker that
 * runs several shards restores m₀ before each, so one worker running all S shards computes exactly the same step as S
 * workers. With S = 1 this is the single-process step.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/initBackend.js';
import { buildModel } from '../models/index.js';
import type { PalLoss } from '../../ufm/pal.js';
import { featurePenalty, palLossPerSample } from '../palLoss.js';
import { MomentumSgd, type NamedVariable } from '../train/sgd.js';
import { trainableParams } from '../train/step.js';
import { arriveAndWait } from './barrier.js';
import type { ModelSource, StepBuffers, WorkerInit } from './protocol.js';
import { shardRange, shardsOfWorker } from './shards.js';
import { gatherShard, type SharedDataset, type ShardArrays } from './sharedDataset.js';
import { loadNamedWeights, movingStatistics, namedWeights, type NamedArray } from './weights.js';

type LayerVariable = ReturnType<typeof movingStatistics>[number];

const sizeOf = (shape: readonly (number | null)[]): number => (shape as number[]).reduce((a, b) => a * b, 1);

function offsetsOf(sizes: number[]): number[] {
  const out: number[] = [];
  let o = 0;
  for (const s of sizes) {
    out.push(o);
    o += s;
  }
  return out;
}

export async function buildReplicaModel(source: ModelSource): Promise<tf.LayersModel> {
  let model: tf.LayersModel;
  if (source.kind === 'spec') {
    model = buildModel(source.spec).model;
  } else {
    model = await tf.models.modelFromJSON({ modelTopology: source.topology } as Parameters<typeof tf.models.modelFromJSON>[0]);
    const frozen = new Set(source.frozen ?? []);
    for (const w of model.weights) if (frozen.has(w.originalName)) w.trainable = false;
  }
  if (model.outputs.length !== 2) {
    model.dispose();
    throw new Error(`a parallel training replica needs a two-output model [logits, features], this one has ${model.outputs.length} output(s)`);
  }
  return model;
}

export class Replica {
  readonly params: readonly NamedVariable[];
  readonly paramCount: number;
  readonly statCount: number;
  private readonly paramOffsets: number[];
  private readonly statVars: LayerVariable[];
  private readonly statOffsets: number[];
  private readonly reduced: Float32Array;
  private buffers?: { grads: Float32Array; stats: Float32Array; shardLoss: Float64Array; logits: Float32Array; maxBatch: number };
  private readonly prefetched = new Map<number, { indices: Int32Array; arrays: ShardArrays }>();
  private readonly control: Int32Array;
  private readonly dataset: SharedDataset;
  private readonly loss: PalLoss;
  private readonly lambdaH: number;
  private steps = 0;

  static async create(init: WorkerInit): Promise<{ replica: Replica; backend: string }> {
    const info = await initBackend(init.backend);
    const model = await buildReplicaModel(init.model);
    loadNamedWeights(model, init.weights, 'initial weights');
    const sgd = new MomentumSgd(trainableParams(model), init.sgd);
    return { replica: new Replica(model, sgd, init), backend: info.name };
  }

  private constructor(readonly model: tf.LayersModel, readonly sgd: MomentumSgd, readonly init: WorkerInit) {
    this.params = sgd.params;
    const sizes = this.params.map((p) => sizeOf(p.variable.shape));
    this.paramOffsets = offsetsOf(sizes);
    this.paramCount = sizes.reduce((a, b) => a + b, 0);
    this.statVars = movingStatistics(model);
    const statSizes = this.statVars.map((w) => sizeOf(w.shape));
    this.statOffsets = offsetsOf(statSizes);
    this.statCount = statSizes.reduce((a, b) => a + b, 0);
    this.reduced = new Float32Array(this.paramCount);
    this.control = new Int32Array(init.control);
    this.dataset = init.dataset;
    this.loss = init.loss;
    this.lambdaH = init.lambdaH;
  }

  attach(b: StepBuffers): void {
    this.buffers = {
      grads: new Float32Array(b.grads),
      stats: new Float32Array(b.stats),
      shardLoss: new Float64Array(b.shardLoss),
      logits: new Float32Array(b.logits),
      maxBatch: b.maxBatch,
    };
  }

  /**
   * One data-parallel step (see the file comment). With `apply` false the gradients are reduced but neither the
   * weights nor the moving statistics change (for `gradients()`).
   */
  step(indices: Int32Array, lr: number, next: Int32Array | undefined, apply: boolean): void {
    const buf = this.buffers;
    if (!buf) throw new Error('step before the shared buffers were attached');
    const { workers, shards, index } = this.init;
    const B = indices.length;
    if (B > buf.maxBatch) throw new Error(`batch of ${B} exceeds the trainer's maxBatch ${buf.maxBatch}`);
    const mine = shardsOfWorker(index, workers, shards);
    const m0 = mine.length > 1 || !apply ? this.readStats() : undefined;
    mine.forEach((s, i) => {
      if (i > 0) this.writeStats(m0 as Float32Array);
      this.runShard(s, indices);
    });
    if (next !== undefined) this.prefetch(next);
    arriveAndWait(this.control, workers);

    // Fixed-order reductions: identical on every replica.
    const P = this.paramCount;
    const g = this.reduced;
    g.set(buf.grads.subarray(0, P));
    for (let s = 1; s < shards; s++) {
      const o = s * P;
      for (let j = 0; j < P; j++) g[j] += buf.grads[o + j];
    }
    if (!apply) {
      this.writeStats(m0 as Float32Array);
      return;
    }
    const Q = this.statCount;
    const avg = new Float64Array(Q);
    for (let s = 0; s < shards; s++) {
      const { start, end } = shardRange(B, shards, s);
      if (end === start) continue;
      const w = (end - start) / B;
      const o = s * Q;
      for (let j = 0; j < Q; j++) avg[j] += w * buf.stats[o + j];
    }
    this.writeStats(Float32Array.from(avg));
    let palSum = 0;
    let penalty = 0;
    for (let s = 0; s < shards; s++) {
      palSum += buf.shardLoss[2 * s];
      penalty += buf.shardLoss[2 * s + 1];
    }
    // As the single-process step: a non-finite loss skips the update (the run loop then stops).
    if (!Number.isFinite(palSum) || !Number.isFinite(penalty)) return;
    const named: Record<string, tf.Tensor> = {};
    this.params.forEach((p, i) => {
      const size = sizeOf(p.variable.shape);
      named[p.name] = tf.tensor(g.subarray(this.paramOffsets[i], this.paramOffsets[i] + size), p.variable.shape);
    });
    try {
      this.sgd.step(named, lr);
    } finally {
      tf.dispose(Object.values(named));
    }
  }

  /** Counts steps for the fault-injection test hook; true when this worker must fail now. */
  nextStepFails(): boolean {
    this.steps++;
    const f = this.init.faultInjection;
    return f !== undefined && f.worker === this.init.index && f.atStep === this.steps;
  }

  /** The gradient reduced by the last step, by parameter name. */
  reducedGradients(): NamedArray[] {
    return this.params.map((p, i) => ({
      name: p.name,
      shape: [...p.variable.shape],
      data: this.reduced.slice(this.paramOffsets[i], this.paramOffsets[i] + sizeOf(p.variable.shape)),
    }));
  }

  getWeights(): NamedArray[] {
    return namedWeights(this.model);
  }

  setWeights(weights: NamedArray[]): void {
    loadNamedWeights(this.model, weights);
  }

  async getOptimizerState(): Promise<NamedArray[]> {
    return (await this.sgd.stateArrays()).map((s) => ({ name: s.name, shape: s.shape, data: s.data }));
  }

  setOptimizerState(state: NamedArray[]): void {
    this.sgd.loadStateArrays(state);
  }

  private runShard(s: number, indices: Int32Array): void {
    const buf = this.buffers as NonNullable<Replica['buffers']>;
    const B = indices.length;
    const { start, end } = shardRange(B, this.init.shards, s);
    const n = end - start;
    const P = this.paramCount;
    const Q = this.statCount;
    const gradSlot = buf.grads.subarray(s * P, (s + 1) * P);
    const statSlot = buf.stats.subarray(s * Q, (s + 1) * Q);
    if (n === 0) {
      gradSlot.fill(0);
      statSlot.fill(0);
      buf.shardLoss[2 * s] = 0;
      buf.shardLoss[2 * s + 1] = 0;
      return;
    }
    const { x, y } = this.take(s, indices, start, end);
    const ds = this.dataset;
    const xt = tf.tensor4d(x, [n, ds.height, ds.width, ds.channels]);
    const yt = tf.tensor2d(y, [n, ds.K]);
    let palSum: tf.Scalar | undefined;
    let pen: tf.Scalar | undefined;
    let logits: tf.Tensor2D | undefined;
    const { grads, value } = tf.variableGrads(() => {
      const [lg, feats] = this.model.apply(xt, { training: true }) as tf.Tensor2D[];
      const ps = tf.sum(palLossPerSample(lg, yt, this.loss)) as tf.Scalar;
      const p = featurePenalty(feats, this.lambdaH);
      palSum = tf.keep(ps);
      pen = tf.keep(p);
      logits = tf.keep(lg);
      return tf.add(tf.div(ps, B), p) as tf.Scalar;
    }, this.params.map((p) => p.variable));
    try {
      this.params.forEach((p, i) => gradSlot.set(grads[p.variable.name].dataSync() as Float32Array, this.paramOffsets[i]));
      this.statVars.forEach((w, i) => statSlot.set(w.read().dataSync() as Float32Array, this.statOffsets[i]));
      buf.shardLoss[2 * s] = (palSum as tf.Scalar).dataSync()[0];
      buf.shardLoss[2 * s + 1] = (pen as tf.Scalar).dataSync()[0];
      buf.logits.set((logits as tf.Tensor2D).dataSync() as Float32Array, start * ds.K);
    } finally {
      tf.dispose([xt, yt, value, palSum, pen, logits, ...Object.values(grads)] as tf.Tensor[]);
    }
  }

  /** The shard's arrays: prefetched during the previous step when the indices match, gathered now otherwise. */
  private take(s: number, indices: Int32Array, start: number, end: number): ShardArrays {
    const pre = this.prefetched.get(s);
    this.prefetched.delete(s);
    if (pre && pre.indices.length === end - start && pre.indices.every((v, j) => v === indices[start + j])) return pre.arrays;
    return gatherShard(this.dataset, indices, start, end);
  }

  private prefetch(next: Int32Array): void {
    const { workers, shards, index } = this.init;
    for (const s of shardsOfWorker(index, workers, shards)) {
      const { start, end } = shardRange(next.length, shards, s);
      if (end > start) this.prefetched.set(s, { indices: next.slice(start, end), arrays: gatherShard(this.dataset, next, start, end) });
    }
  }

  private readStats(): Float32Array {
    const out = new Float32Array(this.statCount);
    this.statVars.forEach((w, i) => out.set(w.read().dataSync() as Float32Array, this.statOffsets[i]));
    return out;
  }

  private writeStats(values: Float32Array): void {
    this.statVars.forEach((w, i) => {
      const t = tf.tensor(values.subarray(this.statOffsets[i], this.statOffsets[i] + sizeOf(w.shape)), w.shape as number[]);
      w.write(t);
      t.dispose();
    });
  }
}
