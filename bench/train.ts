/**
 * Training speed of the deep path (npm run bench:train). Prints progress lines, then ONE JSON line last:
 *   imagesPerSecond — the reference network (32×32×3, batch 64, 10 classes, 152,954 parameters, built by
 *     src/deep/backend/referenceNet.ts) under one full training step of `mlnc train` each time: forward in training
 *     mode, PAL loss + feature penalty, gradients of every trainable variable, SGD+momentum+weight-decay update; the best
 *     of the single-process step and (on wasm) the data-parallel step over 1 and 2 worker threads (src/deep/parallel:
 *     the global batch of 64 split into one shard per worker), as `mlnc train` would pick;
 *   resnet18ImagesPerSecond — the same for ResNet18 (CIFAR stem) at 56×56×1 (MLab-MNIST's paper resolution);
 *   referenceNet / resnet18 — images/s of every configuration, and the ratios 2 workers : 1 worker and
 *     2 workers : single process;
 *   ncEvaluationSeconds — one NC evaluation of the default `mlnc train` (inference-mode feature extraction of the
 *     default preset's training set + every NC metric through src/geometry), and ncMetricsSeconds for the metrics alone.
 * Usage: npm run bench:train [-- --steps N] [--no-workers]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/deep/backend/initBackend.js';
import { buildReferenceNet, REFERENCE_NET_PARAMS } from '../src/deep/backend/referenceNet.js';
import { loadDataset } from '../src/deep/data/index.js';
import { buildModel, initWeights } from '../src/deep/models/index.js';
import { createParallelTrainer, topologySource } from '../src/deep/parallel/trainer.js';
import { namedWeights } from '../src/deep/parallel/weights.js';
import type { TrainingImages } from '../src/deep/train/types.js';
import { DEFAULT_TRAIN_CONFIG } from '../src/deep/train/config.js';
import { classifierOf, extractAll } from '../src/deep/train/extract.js';
import { MomentumSgd } from '../src/deep/train/sgd.js';
import { trainableParams, trainStep } from '../src/deep/train/step.js';
import { ncMetrics } from '../src/geometry/index.js';
import { matrix } from '../src/geometry/types.js';
import { Rng } from '../src/util/rng.js';

function argValue(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

/** Images/s of `steps` timed training steps after `warmup` untimed ones, on random inputs and label sets. */
function stepSpeed(model: tf.LayersModel, shape: [number, number, number], K: number, batch: number, warmup: number, steps: number): number {
  const rng = new Rng(1);
  const x = tf.tensor4d(rng.fillNormal(new Float32Array(batch * shape[0] * shape[1] * shape[2])), [batch, ...shape]);
  const yData = new Float32Array(batch * K);
  for (let i = 0; i < batch; i++) {
    yData[i * K + rng.int(K)] = 1;
    if (i % 2 === 1) yData[i * K + rng.int(K)] = 1;
  }
  const y = tf.tensor2d(yData, [batch, K]);
  const sgd = new MomentumSgd(trainableParams(model), { momentum: 0.9, weightDecay: 5e-4 });
  const opts = { loss: 'pal' as const, lambdaH: 1e-4, lr: 0.01 };
  for (let s = 0; s < warmup; s++) trainStep(model, sgd, x, y, opts);
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) trainStep(model, sgd, x, y, opts);
  const seconds = (performance.now() - t0) / 1000;
  sgd.dispose();
  tf.dispose([x, y]);
  return (batch * steps) / seconds;
}

/** Random uint8 images with one or two labels each: the workers gather their shards from it as in a real run. */
function randomImages(n: number, shape: [number, number, number], K: number): TrainingImages {
  const rng = new Rng(7);
  const images = new Uint8Array(n * shape[0] * shape[1] * shape[2]);
  for (let i = 0; i < images.length; i++) images[i] = rng.int(256);
  const labels = Array.from({ length: n }, (_, i) => {
    const a = rng.int(K);
    const b = rng.int(K);
    return i % 2 === 1 && a !== b ? [Math.min(a, b), Math.max(a, b)] : [a];
  });
  return { K, height: shape[0], width: shape[1], channels: shape[2], images, labels };
}

/** Images/s of the data-parallel step over `workers` threads (one logical shard each); worker start-up not timed. */
async function parallelSpeed(model: tf.LayersModel, shape: [number, number, number], K: number, batch: number, workers: number, warmup: number, steps: number): Promise<number> {
  const dataset = randomImages(batch * (warmup + steps + 1), shape, K);
  const trainer = await createParallelTrainer({
    workers, model: topologySource(model), weights: namedWeights(model), dataset, loss: 'pal', lambdaH: 1e-4,
    sgd: { momentum: 0.9, weightDecay: 5e-4 }, backend: 'wasm', maxBatch: batch,
  });
  try {
    const batchAt = (s: number) => Int32Array.from({ length: batch }, (_, i) => s * batch + i);
    for (let s = 0; s < warmup; s++) await trainer.step(batchAt(s), 0.01, batchAt(s + 1));
    const t0 = performance.now();
    for (let s = warmup; s < warmup + steps; s++) await trainer.step(batchAt(s), 0.01, batchAt(s + 1));
    return (batch * steps) / ((performance.now() - t0) / 1000);
  } finally {
    await trainer.dispose();
  }
}

interface SpeedTable {
  singleProcess: number;
  workers1?: number;
  workers2?: number;
  ratio2to1?: number;
  ratio2toSingle?: number;
  best: number;
  bestConfig: string;
}

async function speedTable(label: string, model: tf.LayersModel, shape: [number, number, number], K: number, batch: number, warmup: number, steps: number, withWorkers: boolean): Promise<SpeedTable> {
  const singleProcess = stepSpeed(model, shape, K, batch, warmup, steps);
  console.log(`${label}: single process ${singleProcess.toFixed(2)} images/s`);
  const t: SpeedTable = { singleProcess, best: singleProcess, bestConfig: 'single process' };
  if (!withWorkers) return t;
  t.workers1 = await parallelSpeed(model, shape, K, batch, 1, warmup, steps);
  console.log(`${label}: 1 worker ${t.workers1.toFixed(2)} images/s`);
  t.workers2 = await parallelSpeed(model, shape, K, batch, 2, warmup, steps);
  t.ratio2to1 = t.workers2 / t.workers1;
  t.ratio2toSingle = t.workers2 / singleProcess;
  console.log(`${label}: 2 workers ${t.workers2.toFixed(2)} images/s (×${t.ratio2to1.toFixed(2)} of 1 worker, ×${t.ratio2toSingle.toFixed(2)} of single process)`);
  for (const [cfg, v] of [['1 worker', t.workers1], ['2 workers', t.workers2]] as const) {
    if (v > t.best) {
      t.best = v;
      t.bestConfig = cfg;
    }
  }
  return t;
}

async function main(): Promise<void> {
  const steps = Number(argValue('--steps', '8'));
  const backend = await initBackend('auto');
  console.log(`backend: ${backend.name} (${backend.kind})`);

  // Reference net, with its pooled features exposed as a second output (shared layers) so that the step is the real one.
  const ref = buildReferenceNet({ seed: 1, classes: 10 });
  const pool = ref.layers.find((l) => l.getClassName() === 'GlobalAveragePooling2D');
  if (!pool) throw new Error('reference net has no global average pooling layer');
  const refTwo = tf.model({ inputs: ref.inputs, outputs: [ref.outputs[0], pool.output as tf.SymbolicTensor] });
  const refParams = ref.countParams();
  if (refParams !== REFERENCE_NET_PARAMS) throw new Error(`reference net has ${refParams} parameters, expected ${REFERENCE_NET_PARAMS}`);
  // Worker threads are what `mlnc train` uses by default on wasm (with more than one core); tfjs-node runs in-process.
  const withWorkers = backend.name === 'wasm' && !process.argv.includes('--no-workers');
  const referenceNet = await speedTable(`reference net (32×32×3, batch 64, ${refParams} params)`, refTwo, [32, 32, 3], 10, 64, 2, steps, withWorkers);
  const imagesPerSecond = referenceNet.best;
  console.log(`reference net best: ${imagesPerSecond.toFixed(1)} images/s (${referenceNet.bestConfig})`);

  const r18 = buildModel({ arch: 'resnet18', inputShape: [56, 56, 1], K: 10 });
  initWeights(r18.model, new Rng(2));
  const resnet18 = await speedTable(`ResNet18 (56×56×1, batch 16, ${r18.trainableParams} trainable params)`, r18.model, [56, 56, 1], 10, 16, 1, 2, withWorkers);
  const resnet18ImagesPerSecond = resnet18.best;
  console.log(`ResNet18 best: ${resnet18ImagesPerSecond.toFixed(2)} images/s (${resnet18.bestConfig})`);
  r18.model.dispose();

  const c = DEFAULT_TRAIN_CONFIG;
  const { train } = await loadDataset({ dataset: c.dataset, preset: c.preset, seed: c.seed });
  const m = buildModel({ arch: c.arch, inputShape: [train.height, train.width, train.channels], K: train.K, width: c.width, depth: c.depth });
  initWeights(m.model, new Rng(3));
  const t0 = performance.now();
  const x = extractAll(m.model, train, c.evalBatchSize);
  const { W, b, K, d } = classifierOf(m.model);
  const t1 = performance.now();
  ncMetrics({ features: matrix(x.n, d, x.features), labels: train.labels, K, classifier: matrix(K, d, W), bias: b });
  const t2 = performance.now();
  const ncEvaluationSeconds = (t2 - t0) / 1000;
  console.log(`NC evaluation of the default run (${train.labels.length} images ${train.height}×${train.width}, ${c.arch} width ${c.width}, d = ${d}): ${ncEvaluationSeconds.toFixed(2)} s (metrics alone ${((t2 - t1) / 1000).toFixed(3)} s)`);
  m.model.dispose();

  console.log(JSON.stringify({
    imagesPerSecond, backend: backend.name, referenceNetParams: refParams, batch: 64, steps, referenceNet,
    resnet18ImagesPerSecond, resnet18Input: [56, 56, 1], resnet18, ncEvaluationSeconds, ncMetricsSeconds: (t2 - t1) / 1000,
    ncTrainImages: train.labels.length,
  }));
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
