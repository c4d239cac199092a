import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/deep/backend/initBackend.js';
import { buildModel, initWeights } from '../../../src/deep/models/index.js';
import { featurePenalty, palLossPerSample } from '../../../src/deep/palLoss.js';
import { buildReplicaModel } from '../../../src/deep/parallel/replica.js';
import { shardRange } from '../../../src/deep/parallel/shards.js';
import {
  createParallelTrainer, topologySource, WorkerCrashError, type ModelSource, type NamedArray, type ParallelTrainerOptions,
} from '../../../src/deep/parallel/trainer.js';
import { loadNamedWeights, namedWeights } from '../../../src/deep/parallel/weights.js';
import { makeBatch } from '../../../src/deep/train/batches.js';
import { MomentumSgd } from '../../../src/deep/train/sgd.js';
import { trainableParams, trainStep, type StepResult } from '../../../src/deep/train/step.js';
import type { TrainingImages } from '../../../src/deep/train/types.js';
import { Rng } from '../../../src/util/rng.js';
import { maxRelDiff, tinyDataset, tinyModel } from './fixtures.js';

const SGD = { momentum: 0.9, weightDecay: 5e-4 };
const LAMBDA_H = 1e-3;
const LR = 0.1;

/** Three global batches of 10, 10 and 7 samples (the last one splits unevenly: 3 + 4). */
function batchesFor(N: number, seed: number): Int32Array[] {
  const order = Int32Array.from({ length: N }, (_, i) => i);
  new Rng(seed).shuffle(order);
  return [order.slice(0, 10), order.slice(10, 20), order.slice(20, 27)];
}

interface Trajectory {
  steps: StepResult[];
  weights: NamedArray[];
  velocity: NamedArray[];
}

function baseOptions(model: ModelSource, weights: NamedArray[], dataset: TrainingImages): ParallelTrainerOptions {
  return { model, weights, dataset, loss: 'pal', lambdaH: LAMBDA_H, sgd: SGD, backend: 'wasm', maxBatch: 16 };
}

async function parallelTrajectory(opts: ParallelTrainerOptions, batches: Int32Array[]): Promise<Trajectory> {
  const trainer = await createParallelTrainer(opts);
  try {
    const steps: StepResult[] = [];
    for (let i = 0; i < batches.length; i++) steps.push(await trainer.step(batches[i], LR, batches[i + 1]));
    return { steps, weights: await trainer.getWeights(), velocity: await trainer.getOptimizerState() };
  } finally {
    await trainer.dispose();
  }
}

/** The single-process step of src/deep/train on the main thread, same weights and batches. */
async function singleProcessTrajectory(source: ModelSource, weights: NamedArray[], ds: TrainingImages, batches: Int32Array[]): Promise<Trajectory> {
  const model = await buildReplicaModel(source);
  loadNamedWeights(model, weights);
  const sgd = new MomentumSgd(trainableParams(model), SGD);
  const steps: StepResult[] = [];
  for (const idx of batches) {
    const { x, y } = makeBatch(ds, idx);
    steps.push(await trainStep(model, sgd, x, y, { loss: 'pal', lambdaH: LAMBDA_H, lr: LR }));
    tf.dispose([x, y]);
  }
  const velocity = (await sgd.stateArrays()).map((s) => ({ ...s }));
  const out = { steps, weights: namedWeights(model), velocity };
  sgd.dispose();
  model.dispose();
  return out;
}

function expectSameTrajectory(a: Trajectory, b: Trajectory, tol: number): void {
  expect(a.steps.length).toBe(b.steps.length);
  a.steps.forEach((s, i) => {
    expect(Math.abs(s.loss - b.steps[i].loss) / (1 + Math.abs(b.steps[i].loss))).toBeLessThan(tol);
    expect(Math.abs(s.penalty - b.steps[i].penalty) / (1 + Math.abs(b.steps[i].penalty))).toBeLessThan(tol);
    expect(maxRelDiff(s.logits, b.steps[i].logits)).toBeLessThan(tol);
  });
  const byName = new Map(b.weights.map((w) => [w.name, w]));
  expect(a.weights.map((w) => w.name).sort()).toEqual([...byName.keys()].sort());
  for (const w of a.weights) expect(maxRelDiff(w.data, (byName.get(w.name) as NamedArray).data), w.name).toBeLessThan(tol);
  const vByName = new Map(b.velocity.map((v) => [v.name, v]));
  for (const v of a.velocity) expect(maxRelDiff(v.data, (vByName.get(v.name) as NamedArray).data), v.name).toBeLessThan(tol);
}

function maxWeightChange(a: NamedArray[], b: NamedArray[]): number {
  const byName = new Map(b.map((w) => [w.name, w]));
  return Math.max(...a.map((w) => maxRelDiff(w.data, (byName.get(w.name) as NamedArray).data)));
}

describe('data-parallel training over worker threads', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('without BatchNorm: two workers follow the single-process trajectory of the whole global batch', async () => {
    const K = 4;
    const model = tinyModel(K, false, 11);
    const source = topologySource(model);
    const weights = namedWeights(model);
    model.dispose();
    const ds = tinyDataset(24, K, 3);
    const batches = batchesFor(24, 4);
    const two = await parallelTrajectory({ ...baseOptions(source, weights, ds), workers: 2 }, batches);
    const one = await parallelTrajectory({ ...baseOptions(source, weights, ds), workers: 1, shards: 2 }, batches);
    const single = await singleProcessTrajectory(source, weights, ds, batches);
    expectSameTrajectory(two, one, 1e-5);
    // Without BatchNorm the shards only split the sum: the step is the whole batch's (float32 summation order aside).
    expectSameTrajectory(two, single, 1e-4);
    expect(maxWeightChange(two.weights, weights)).toBeGreaterThan(1e-3); // the steps did move the weights
  });

  it('with BatchNorm: two workers equal one worker running the same two logical shards; one shard is the single-process step', async () => {
    const K = 4;
    const model = tinyModel(K, true, 21);
    const source = topologySource(model);
    const weights = namedWeights(model);
    model.dispose();
    const ds = tinyDataset(24, K, 7);
    const batches = batchesFor(24, 8);
    const two = await parallelTrajectory({ ...baseOptions(source, weights, ds), workers: 2 }, batches);
    const one = await parallelTrajectory({ ...baseOptions(source, weights, ds), workers: 1, shards: 2 }, batches);
    expectSameTrajectory(two, one, 1e-5);
    // Per-shard statistics are really in use: one shard (the whole batch) gives another trajectory ...
    const whole = await parallelTrajectory({ ...baseOptions(source, weights, ds), workers: 1, shards: 1 }, batches);
    expect(maxWeightChange(two.weights, whole.weights)).toBeGreaterThan(1e-4);
    // ... which is the single-process trainStep's, moving statistics included.
    const single = await singleProcessTrajectory(source, weights, ds, batches);
    expectSameTrajectory(whole, single, 1e-4);
  });

  it('with the models module (resnet-small, width 4, BatchNorm in every block): two workers equal one worker on two shards', async () => {
    const spec = { arch: 'resnet-small' as const, inputShape: [8, 8, 1] as const, K: 3, width: 4 };
    const built = buildModel(spec);
    initWeights(built.model, new Rng(5));
    const weights = namedWeights(built.model);
    built.model.dispose();
    const ds = tinyDataset(24, 3, 9);
    const batches = batchesFor(24, 10);
    const source: ModelSource = { kind: 'spec', spec };
    const two = await parallelTrajectory({ ...baseOptions(source, weights, ds), workers: 2 }, batches);
    const one = await parallelTrajectory({ ...baseOptions(source, weights, ds), workers: 1, shards: 2 }, batches);
    expectSameTrajectory(two, one, 1e-5);
  });

  it('reduces gradients to the shard-size-weighted mean of per-shard gradients computed directly, changing nothing', async () => {
    const K = 4;
    const model = tinyModel(K, true, 31);
    const source = topologySource(model);
    const weights = namedWeights(model);
    const ds = tinyDataset(24, K, 12);
    const idx = batchesFor(24, 13)[2]; // 7 samples: shards of 3 and 4
    const trainer = await createParallelTrainer({ ...baseOptions(source, weights, ds), workers: 2 });
    let got: NamedArray[];
    let after: NamedArray[];
    try {
      got = await trainer.gradients(idx);
      after = await trainer.getWeights();
    } finally {
      await trainer.dispose();
    }
    expect(maxWeightChange(after, weights)).toBe(0);
    // Direct: the gradient g_s of shard s's own objective, mean c_m·PAL + λ_H·(B/n_s)·Σ‖h‖² (which is the whole-batch
    // objective restricted to the shard, rescaled to a mean), combined as Σ_s (n_s/B)·g_s.
    const B = idx.length;
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const expected = vars.map((v) => new Float64Array(v.size));
    for (let s = 0; s < 2; s++) {
      const { start, end } = shardRange(B, 2, s);
      const n = end - start;
      const { x, y } = makeBatch(ds, idx.subarray(start, end));
      const { grads, value } = tf.variableGrads(() => {
        const [logits, feats] = model.apply(x, { training: true }) as tf.Tensor2D[];
        return tf.add(tf.mean(palLossPerSample(logits, y, 'pal')), featurePenalty(feats, (LAMBDA_H * B) / n)) as tf.Scalar;
      }, vars);
      vars.forEach((v, i) => {
        const g = grads[v.name].dataSync();
        for (let j = 0; j < g.length; j++) expected[i][j] += (n / B) * g[j];
      });
      tf.dispose([x, y, value, ...Object.values(grads)]);
    }
    const byName = new Map(got.map((g) => [g.name, g]));
    model.trainableWeights.forEach((w, i) => {
      const g = byName.get(w.originalName) as NamedArray;
      expect(g, w.originalName).toBeDefined();
      expect(maxRelDiff(g.data, expected[i]), w.originalName).toBeLessThan(1e-4);
    });
    expect(Math.max(...expected.map((e) => Math.max(...e.map(Math.abs))))).toBeGreaterThan(1e-3);
    model.dispose();
  });

  it('replaces the BatchNorm moving statistics by the shard-size-weighted mean of the per-shard updates', async () => {
    const K = 4;
    const model = tinyModel(K, true, 61);
    const source = topologySource(model);
    const weights = namedWeights(model);
    const ds = tinyDataset(24, K, 17);
    const idx = batchesFor(24, 18)[2]; // shards of 3 and 4
    const B = idx.length;
    const traj = await parallelTrajectory({ ...baseOptions(source, weights, ds), workers: 2 }, [idx]);
    // Direct: each shard's training-mode forward from the initial statistics, then Σ_s (n_s/B)·m_s.
    const statNames = weights.filter((w) => /moving_(mean|variance)$/.test(w.name)).map((w) => w.name);
    expect(statNames.length).toBe(2);
    const expected = new Map(statNames.map((n) => [n, new Float64Array(4)]));
    for (let s = 0; s < 2; s++) {
      const { start, end } = shardRange(B, 2, s);
      loadNamedWeights(model, weights);
      const { x } = makeBatch(ds, idx.subarray(start, end));
      tf.dispose(model.apply(x, { training: true }) as tf.Tensor[]);
      x.dispose();
      for (const w of namedWeights(model)) {
        const e = expected.get(w.name);
        if (e) w.data.forEach((v, j) => (e[j] += ((end - start) / B) * v));
      }
    }
    const got = new Map(traj.weights.map((w) => [w.name, w.data]));
    const initial = new Map(weights.map((w) => [w.name, w.data]));
    for (const n of statNames) {
      expect(maxRelDiff(got.get(n) as Float32Array, expected.get(n) as Float64Array), n).toBeLessThan(1e-5);
      expect(maxRelDiff(got.get(n) as Float32Array, initial.get(n) as Float32Array), n).toBeGreaterThan(1e-4);
    }
    model.dispose();
  });

  it('stops with WorkerCrashError naming the worker when one throws or exits, and stays stopped', async () => {
    const K = 3;
    const model = tinyModel(K, true, 41);
    const source = topologySource(model);
    const weights = namedWeights(model);
    model.dispose();
    const ds = tinyDataset(24, K, 14);
    const [b1, b2] = batchesFor(24, 15);
    for (const mode of ['throw', 'exit'] as const) {
      const trainer = await createParallelTrainer({ ...baseOptions(source, weights, ds), workers: 2, faultInjection: { worker: 1, atStep: 2, mode } });
      try {
        await trainer.step(b1, LR);
        const err = await trainer.step(b2, LR).then(() => undefined, (e: unknown) => e);
        expect(err).toBeInstanceOf(WorkerCrashError);
        expect((err as WorkerCrashError).worker).toBe(1);
        expect((err as Error).message).toMatch(mode === 'throw' ? /worker 1 crashed: injected fault at step 2/ : /worker 1 crashed: .*exited with code 3/);
        await expect(trainer.step(b1, LR)).rejects.toBeInstanceOf(WorkerCrashError);
      } finally {
        await trainer.dispose();
      }
    }
  });

  it('rejects bad input with a clear error', async () => {
    const K = 3;
    const model = tinyModel(K, false, 51);
    const source = topologySource(model);
    const weights = namedWeights(model);
    model.dispose();
    const ds = tinyDataset(12, K, 16);
    await expect(createParallelTrainer({ ...baseOptions(source, weights, ds), workers: 2, shards: 1 })).rejects.toThrow(/shards ≥ workers/);
    await expect(createParallelTrainer({ ...baseOptions(source, weights.slice(1), ds), workers: 1 })).rejects.toThrow(/worker 0 crashed: initial weights: 3 weight tensors given, the model has 4/);
    const trainer = await createParallelTrainer({ ...baseOptions(source, weights, ds), workers: 1 });
    try {
      expect(() => trainer.step([0, 12], LR)).toThrow(/12 is not a sample index in 0..11/);
      expect(() => trainer.step(new Array(17).fill(0), LR)).toThrow(/exceeds maxBatch 16/);
      await expect(trainer.setWeights(weights.slice(1))).rejects.toThrow(/3 weight tensors given/);
    } finally {
      await trainer.dispose();
    }
  });
});
