/**
 * Training speed of the deep path (npm run bench:train). Prints progress lines, then ONE JSON line last:
 *   imagesPerSecond — the reference network (32×32×3, batch 64, 10 classes, 152,954 parameters, built by
 *     src/deep/models/referenceNet.ts) under one full training step of `mlnc train` each time: forward in training
 *     mode, PAL loss + feature penalty, gradients of every trainable variable, SGD+momentum+weight-decay update; the best
 *     of the single-process step and (on wasm) the data-parallel step over 1 and 2 worker threads (src/deep/parallel:
 *     the global batch of 64 split into one shard per worker), as `mlnc train` would pick;
 *   resnet18ImagesPerSecond — the same for ResNet18 (CIFAR stem) at 56×56×1 (MLab-MNIST's paper resolution);
 *   referenceNet / resnet18 — images/s of every configuration, and the ratios 2 workers : 1 worker and
 *     2 workers : single process;
 *   ncEvaluationSeconds — one NC evaluation of the default `mlnc train` (inference-mode feature extraction of the
 *     default preset's training set + every NC metric through src/geometry), and ncMetricsSeconds for the metrics alone.
 * The machine is shared, so the configurations are measured in interleaved rounds and each keeps its best round.
 *   baselineSingleThread / ratioToBaseline (in referenceNet and resnet18) — the single-threaded pure-wasm step (our
 *     patched wasm kernels, no native addon) measured in the same rounds, and best : baseline.
 *   pytorch / ratioToPytorch (in referenceNet and resnet18) — the same network and step in PyTorch on the CPU with the
 *     same number of threads (bench/torchPeer.py), measured in the same rounds, and best : pytorch; `pytorchPeer` says
 *     which torch ran, or why the peer was skipped (no python3 with torch).
 *   loadAverage — the machine's 1/5/15-minute load averages before and after the rounds (say how loaded it was).
 * Usage: npm run bench:train [-- --steps N] [--rounds R] [--resnet18-rounds R] [--no-workers] [--no-baseline]
 *   [--no-pytorch] [--threads T (the peer's threads; default 2, the most that mlnc's configurations use)]
 *   [--webgpu-software] [--webgpu-steps N]
 *   webgpu — ResNet18 on a hardware WebGPU adapter beside this run's ResNet18 number, or why not (bench/webgpu.ts).
 */
import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { describeBackend, initBackend } from '../src/deep/backend/initBackend.js';
import { loadNativeKernels } from '../src/deep/backend/nativeKernels.js';
import { registerWasmTrainingKernels } from '../src/deep/backend/registerWasmTrainingKernels.js';
import type { WasmKernelOptions } from '../src/deep/backend/registerWasmTrainingKernels.js';
import { buildReferenceNet, REFERENCE_NET_PARAMS, REFERENCE_NET_TRAINABLE_PARAMS } from '../src/deep/models/referenceNet.js';
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
import { startTorchPeer, type PeerNet, type TorchPeer } from './torchPeer.js';
import { benchWebgpu } from './webgpu.js';

function argValue(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

/** A training-step configuration under test: `run(n)` performs n steps and returns their wall-clock seconds. */
interface StepConfig {
  name: string;
  run(steps: number): Promise<number>;
  dispose(): Promise<void>;
}

/**
 * The single-process step of `mlnc train` on random inputs and label sets. With `kernels`, those wasm kernel options
 * are in force while this configuration runs (the baseline: pure wasm, no native addon) and the defaults come back after.
 */
function singleProcessConfig(
  model: tf.LayersModel, shape: [number, number, number], K: number, batch: number,
  variant?: { name: string; kernels: WasmKernelOptions },
): StepConfig {
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
  return {
    name: variant?.name ?? 'single process',
    async run(steps) {
      if (variant) registerWasmTrainingKernels(variant.kernels);
      try {
        const t0 = performance.now();
        for (let s = 0; s < steps; s++) await trainStep(model, sgd, x, y, opts);
        return (performance.now() - t0) / 1000;
      } finally {
        if (variant) registerWasmTrainingKernels();
      }
    },
    async dispose() {
      sgd.dispose();
      tf.dispose([x, y]);
    },
  };
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

/** The data-parallel step over `workers` threads (one logical shard each), as `mlnc train --workers N`. */
async function workersConfig(model: tf.LayersModel, shape: [number, number, number], K: number, batch: number, workers: number): Promise<StepConfig> {
  const pool = 4;
  const dataset = randomImages(batch * pool, shape, K);
  const trainer = await createParallelTrainer({
    workers, model: topologySource(model), weights: namedWeights(model), dataset, loss: 'pal', lambdaH: 1e-4,
    sgd: { momentum: 0.9, weightDecay: 5e-4 }, backend: 'wasm', maxBatch: batch,
  });
  const batchAt = (s: number) => Int32Array.from({ length: batch }, (_, i) => (s % pool) * batch + i);
  let next = 0;
  return {
    name: `${workers} worker${workers > 1 ? 's' : ''}`,
    async run(steps) {
      const t0 = performance.now();
      for (let s = 0; s < steps; s++, next++) await trainer.step(batchAt(next), 0.01, batchAt(next + 1));
      return (performance.now() - t0) / 1000;
    },
    dispose: () => trainer.dispose(),
  };
}

const SPIN_WORKER = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (n) => { let x = 0; for (let i = 0; i < n; i++) x += Math.sqrt(i); parentPort.postMessage(x); });
`;

/**
 * Control for the worker ratios: throughput of a pure-JS loop on 2 threads over 1 thread, right now. About 2 on two free
 * cores; near 1 when the host's cores are busy with other work, which caps any data-parallel speed-up the same way.
 */
async function threadScaling(): Promise<number> {
  const rate = async (threads: number): Promise<number> => {
    const n = 1e8;
    const ws = Array.from({ length: threads }, () => new Worker(SPIN_WORKER, { eval: true }));
    try {
      const t0 = performance.now();
      await Promise.all(ws.map((w) => new Promise((r) => { w.once('message', r); w.postMessage(n); })));
      return (threads * n) / (performance.now() - t0);
    } finally {
      await Promise.all(ws.map((w) => w.terminate()));
    }
  };
  const one = await rate(1);
  return (await rate(2)) / one;
}

const BASELINE = 'single thread, pure wasm (baseline)';
const PYTORCH = 'PyTorch peer';

/** The peer's step of the same network; it checks that PyTorch's network has as many trainable parameters as ours. */
function pytorchConfig(peer: TorchPeer, net: PeerNet, trainableParams: number): StepConfig {
  return {
    name: PYTORCH,
    async run(steps) {
      const r = await peer.run(net, steps);
      if (r.trainableParams !== trainableParams) {
        throw new Error(`the PyTorch ${net} has ${r.trainableParams} trainable parameters, mlnc's has ${trainableParams}: not the same network`);
      }
      return r.seconds;
    },
    async dispose() {},
  };
}

interface SpeedTable {
  /** Best images/s over the rounds, per configuration. */
  singleProcess: number;
  /** Single thread with the pure-wasm kernels (no native addon): the "single-threaded tfjs-wasm" baseline. */
  baselineSingleThread?: number;
  /** best : baselineSingleThread, measured in this run. */
  ratioToBaseline?: number;
  workers1?: number;
  workers2?: number;
  /** The same net and step in PyTorch (bench/torchPeer.py), and best : pytorch, measured in the same rounds. */
  pytorch?: number;
  ratioToPytorch?: number;
  ratio2to1?: number;
  ratio2toSingle?: number;
  best: number;
  bestConfig: string;
  /** images/s of every round, per configuration (the machine is shared, so rounds are interleaved and the best kept). */
  rounds: Record<string, number[]>;
  /** The pure-JS 2-thread : 1-thread control before each round (see threadScaling). */
  threadScaling: number[];
}

async function speedTable(
  label: string, model: tf.LayersModel, shape: [number, number, number], K: number, batch: number,
  o: { warmup: number; steps: number; rounds: number; withWorkers: boolean; withBaseline: boolean; peer?: StepConfig },
): Promise<SpeedTable> {
  const configs = [singleProcessConfig(model, shape, K, batch)];
  if (o.peer) configs.push(o.peer);
  if (o.withBaseline) configs.push(singleProcessConfig(model, shape, K, batch, { name: BASELINE, kernels: { native: false } }));
  if (o.withWorkers) configs.push(await workersConfig(model, shape, K, batch, 1), await workersConfig(model, shape, K, batch, 2));
  const rounds: Record<string, number[]> = Object.fromEntries(configs.map((c) => [c.name, []]));
  const scaling: number[] = [];
  try {
    for (const c of configs) await c.run(o.warmup);
    for (let r = 0; r < o.rounds; r++) {
      if (o.withWorkers) {
        scaling.push(await threadScaling());
        console.log(`${label}: the machine runs 2 threads ×${scaling[r].toFixed(2)} as fast as 1 right now (pure-JS control)`);
      }
      for (const c of configs) {
        const v = (batch * o.steps) / (await c.run(o.steps));
        rounds[c.name].push(v);
        console.log(`${label}: ${c.name} ${v.toFixed(2)} images/s (round ${r + 1} of ${o.rounds})`);
      }
    }
  } finally {
    for (const c of configs) await c.dispose();
  }
  const bestOf = (name: string) => Math.max(...rounds[name]);
  const t: SpeedTable = { singleProcess: bestOf('single process'), best: 0, bestConfig: '', rounds, threadScaling: scaling };
  if (o.withBaseline) {
    t.baselineSingleThread = bestOf(BASELINE);
  }
  if (o.withWorkers) {
    t.workers1 = bestOf('1 worker');
    t.workers2 = bestOf('2 workers');
    t.ratio2to1 = t.workers2 / t.workers1;
    t.ratio2toSingle = t.workers2 / t.singleProcess;
  }
  for (const c of configs) {
    if (c.name !== PYTORCH && bestOf(c.name) > t.best) {
      t.best = bestOf(c.name);
      t.bestConfig = c.name;
    }
  }
  if (t.baselineSingleThread !== undefined) t.ratioToBaseline = t.best / t.baselineSingleThread;
  if (o.peer) {
    t.pytorch = bestOf(PYTORCH);
    t.ratioToPytorch = t.best / t.pytorch;
  }
  const peer = t.ratioToPytorch !== undefined ? `; ×${t.ratioToPytorch.toFixed(2)} of PyTorch (${(t.pytorch as number).toFixed(2)} images/s)` : '';
  const baseline = t.ratioToBaseline !== undefined ? `; ×${t.ratioToBaseline.toFixed(2)} of the single-thread pure-wasm baseline (${(t.baselineSingleThread as number).toFixed(2)} images/s)` : '';
  const ratios = o.withWorkers ? ` (2 workers ×${(t.ratio2to1 as number).toFixed(2)} of 1 worker, ×${(t.ratio2toSingle as number).toFixed(2)} of single process)` : '';
  console.log(`${label}: best ${t.best.toFixed(2)} images/s with ${t.bestConfig}${ratios}${baseline}${peer}`);
  return t;
}

async function main(): Promise<void> {
  const steps = Number(argValue('--steps', '8'));
  const backend = await initBackend('auto');
  console.log(`backend: ${describeBackend(backend)} (${backend.kind})`);
  // The baseline needs the native kernels to be switchable, i.e. present: without them every run is the baseline.
  const withBaseline = backend.name === 'wasm' && loadNativeKernels().kernels !== undefined && !process.argv.includes('--no-baseline');

  // Reference net, with its pooled features exposed as a second output (shared layers) so that the step is the real one.
  const ref = buildReferenceNet({ seed: 1, classes: 10 });
  const pool = ref.layers.find((l) => l.getClassName() === 'GlobalAveragePooling2D');
  if (!pool) throw new Error('reference net has no global average pooling layer');
  const refTwo = tf.model({ inputs: ref.inputs, outputs: [ref.outputs[0], pool.output as tf.SymbolicTensor] });
  const refParams = ref.countParams();
  if (refParams !== REFERENCE_NET_PARAMS) throw new Error(`reference net has ${refParams} parameters, expected ${REFERENCE_NET_PARAMS}`);
  // Worker threads are what `mlnc train` uses by default on wasm (with more than one core); tfjs-node runs in-process.
  const withWorkers = backend.name === 'wasm' && !process.argv.includes('--no-workers');
  const rounds = Number(argValue('--rounds', '3'));
  const peerOrWhy = process.argv.includes('--no-pytorch') ? { skipped: '--no-pytorch' } : await startTorchPeer(Number(argValue('--threads', '2')));
  const peer = 'skipped' in peerOrWhy ? undefined : peerOrWhy;
  const pytorchPeer = peer ? peer.description : `skipped: ${(peerOrWhy as { skipped: string }).skipped}`;
  console.log(`PyTorch peer: ${pytorchPeer}`);
  const loadBefore = loadavg();
  const r18 = buildModel({ arch: 'resnet18', inputShape: [56, 56, 1], K: 10 });
  initWeights(r18.model, new Rng(2));
  let referenceNet: SpeedTable;
  let resnet18: SpeedTable;
  try {
    referenceNet = await speedTable(`reference net (32×32×3, batch 64, ${refParams} params)`, refTwo, [32, 32, 3], 10, 64, {
      warmup: 2, steps, rounds, withWorkers, withBaseline, peer: peer && pytorchConfig(peer, 'reference', REFERENCE_NET_TRAINABLE_PARAMS),
    });
    resnet18 = await speedTable(`ResNet18 (56×56×1, batch 16, ${r18.trainableParams} trainable params)`, r18.model, [56, 56, 1], 10, 16, {
      warmup: 1, steps: 2, rounds: Number(argValue('--resnet18-rounds', '1')), withWorkers, withBaseline,
      peer: peer && pytorchConfig(peer, 'resnet18', r18.trainableParams),
    });
  } finally {
    await peer?.close();
  }
  const loadAfter = loadavg();
  // Other work on the machine slows PyTorch's OpenMP threads (which spin at barriers) far more than mlnc's, so a ratio
  // to PyTorch taken on a busy machine flatters mlnc: say so.
  if (peer && Math.max(loadBefore[0], loadAfter[0]) > availableParallelism() + 1) {
    console.log(`warning: load average ${loadBefore[0].toFixed(1)} → ${loadAfter[0].toFixed(1)} on ${availableParallelism()} cores: the machine was busy, and ratioToPytorch is not meaningful`);
  }
  const imagesPerSecond = referenceNet.best;
  const resnet18ImagesPerSecond = resnet18.best;
  r18.model.dispose();

  const c = DEFAULT_TRAIN_CONFIG;
  const { train } = await loadDataset({ dataset: c.dataset, preset: c.preset, seed: c.seed });
  const m = buildModel({ arch: c.arch, inputShape: [train.height, train.width, train.channels], K: train.K, width: c.width, depth: c.depth });
  initWeights(m.model, new Rng(3));
  const t0 = performance.now();
  const x = await extractAll(m.model, train, c.evalBatchSize);
  const { W, b, K, d } = await classifierOf(m.model);
  const t1 = performance.now();
  ncMetrics({ features: matrix(x.n, d, x.features), labels: train.labels, K, classifier: matrix(K, d, W), bias: b });
  const t2 = performance.now();
  const ncEvaluationSeconds = (t2 - t0) / 1000;
  console.log(`NC evaluation of the default run (${train.labels.length} images ${train.height}×${train.width}, ${c.arch} width ${c.width}, d = ${d}): ${ncEvaluationSeconds.toFixed(2)} s (metrics alone ${((t2 - t1) / 1000).toFixed(3)} s)`);
  m.model.dispose();

  // webgpu (bench/webgpu.ts): ResNet18 on the WebGPU adapter beside this run's number, or why it was not measured.
  const webgpu = await benchWebgpu(backend, resnet18ImagesPerSecond);

  console.log(JSON.stringify({
    imagesPerSecond, imagesPerSecondConfig: referenceNet.bestConfig, backend: backend.name, kernels: backend.kernels, referenceNetParams: refParams, batch: 64, steps, referenceNet,
    resnet18ImagesPerSecond, resnet18Input: [56, 56, 1], resnet18, pytorchPeer,
    loadAverage: { before: loadBefore, after: loadAfter }, ncEvaluationSeconds, ncMetricsSeconds: (t2 - t1) / 1000,
    ncTrainImages: train.labels.length, webgpu,
  }));
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
