/**
 * Training-step speed of the reference net (src/deep/models/referenceNet.ts) on the patched tfjs wasm backend.
 *
 * Usage: npm run build && node dist/bench/kernels.js [--steps N] [--variants all|default] [--layers | --layers-only]
 * Prints images/s for each kernel variant and a tf.profile breakdown (top 10 kernels by time) before/after;
 * --layers adds per-layer timings of every dW / dx route (what the 'auto' route choices are based on).
 * One SGD step = forward in training mode (BN batch statistics) + softmax cross-entropy + backward + update.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/deep/backend/initBackend.js';
import { registerWasmTrainingKernels } from '../src/deep/backend/registerWasmTrainingKernels.js';
import type { WasmKernelOptions } from '../src/deep/backend/registerWasmTrainingKernels.js';
import { buildReferenceNet, REFERENCE_NET_PARAMS } from '../src/deep/models/referenceNet.js';
import { Rng } from '../src/util/rng.js';

const BATCH = 64;
const CLASSES = 10;

function argValue(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

function trainStep(model: tf.LayersModel, opt: tf.Optimizer, x: tf.Tensor4D, y: tf.Tensor2D): number {
  const loss = opt.minimize(() => {
    const logits = model.apply(x, { training: true }) as tf.Tensor;
    return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
  }, true);
  const value = loss!.dataSync()[0];
  loss!.dispose();
  return value;
}

/** Best-of-n CPU time (ms) of one kernel call on the reference net's layer shapes, for every route. */
function layerTable(): void {
  const layers: [number, number, number, number, number][] = [
    // [H, Ci, Co, k, stride] at batch 64
    [32, 3, 16, 3, 1],
    [32, 16, 16, 3, 1],
    [32, 16, 32, 3, 2],
    [16, 32, 32, 3, 1],
    [32, 16, 32, 1, 2],
    [16, 32, 64, 3, 2],
    [8, 64, 64, 3, 1],
    [16, 32, 64, 1, 2],
  ];
  const best = (f: () => tf.Tensor, reps = 5): number => {
    let m = Infinity;
    for (let i = 0; i <= reps; i++) {
      const c0 = process.cpuUsage(); // CPU time: less distorted than wall time on a shared machine
      const r = f();
      r.dataSync();
      r.dispose();
      const c = process.cpuUsage(c0);
      if (i > 0) m = Math.min(m, (c.user + c.system) / 1000);
    }
    return m;
  };
  console.log('\nper-layer kernel CPU times, batch 64, best of 5 (ms)');
  for (const [h, ci, co, k, s] of layers) {
    const x = tf.randomNormal([BATCH, h, h, ci]) as tf.Tensor4D;
    const w = tf.randomNormal([k, k, ci, co]) as tf.Tensor4D;
    const dy = tf.randomNormal([BATCH, h / s, h / s, co]);
    const attrs = { strides: [s, s], pad: 'same', dataFormat: 'NHWC' };
    const fwd = best(() => tf.conv2d(x, w, s, 'same'));
    const dW: string[] = [];
    for (const route of ['conv', 'im2col', 'grid'] as const) {
      if (route === 'grid' && s !== 1) continue;
      registerWasmTrainingKernels({ filterGradRoute: route });
      const ms = best(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: [k, k, ci, co] }) as tf.Tensor);
      dW.push(`${route} ${ms.toFixed(1)}`);
    }
    const dx: string[] = [];
    for (const [label, o] of [
      ['stock', { fastInputGrad: false }],
      ['conv', { inputGradRoute: 'conv' }],
      ['col2im', { inputGradRoute: 'col2im' }],
    ] as [string, WasmKernelOptions][]) {
      registerWasmTrainingKernels(o);
      const ms = best(() => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: x.shape }) as tf.Tensor);
      dx.push(`${label} ${ms.toFixed(1)}`);
    }
    console.log(`  ${h}×${h} ${ci}→${co} k${k} s${s}: forward ${fwd.toFixed(1)} | dW ${dW.join(', ')} | dx ${dx.join(', ')}`);
    tf.dispose([x, w, dy]);
  }
  registerWasmTrainingKernels();
}

async function main(): Promise<void> {
  if (process.argv.includes('--layers-only')) {
    await initBackend('wasm');
    layerTable();
    return;
  }
  const steps = Number(argValue('--steps', '6'));
  const which = argValue('--variants', 'all');
  const backend = await initBackend('wasm');
  console.log(`backend: ${backend.name}; batch ${BATCH}; ${steps} timed steps per variant after 2 warm-up steps`);

  const model = buildReferenceNet({ seed: 1, classes: CLASSES });
  const params = model.countParams();
  if (params !== REFERENCE_NET_PARAMS) {
    throw new Error(`reference net has ${params} parameters, expected ${REFERENCE_NET_PARAMS}`);
  }
  console.log(`reference net: ${params} parameters (assert ${REFERENCE_NET_PARAMS} ok)`);
  const opt = tf.train.sgd(0.01);
  const rng = new Rng(42);
  const x = tf.tensor4d(rng.fillNormal(new Float32Array(BATCH * 32 * 32 * 3)), [BATCH, 32, 32, 3]);
  const labels = Array.from({ length: BATCH }, () => rng.int(CLASSES));
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), CLASSES).toFloat() as tf.Tensor2D;

  const variants: [string, WasmKernelOptions][] =
    which === 'default'
      ? [
          ['pure wasm (auto dW, auto dx, BN grad, zero-copy Identity)', { native: false }],
          ['native conv kernels + BN grad + zero-copy Identity (default)', {}],
        ]
      : [
          ['dW conv, stock dx, stock BN grad (first working)', { native: false, broadcastReduceGrads: false, filterGradRoute: 'conv', fastInputGrad: false, batchNormGrad: false, zeroCopyIdentity: false }],
          ['dW im2col, stock dx, stock BN grad', { native: false, broadcastReduceGrads: false, filterGradRoute: 'im2col', fastInputGrad: false, batchNormGrad: false, zeroCopyIdentity: false }],
          ['dW im2col, dx conv, stock BN grad', { native: false, broadcastReduceGrads: false, filterGradRoute: 'im2col', inputGradRoute: 'conv', batchNormGrad: false, zeroCopyIdentity: false }],
          ['dW im2col, dx col2im, stock BN grad', { native: false, broadcastReduceGrads: false, filterGradRoute: 'im2col', inputGradRoute: 'col2im', batchNormGrad: false, zeroCopyIdentity: false }],
          ['dW im2col, dx auto, stock BN grad', { native: false, broadcastReduceGrads: false, filterGradRoute: 'im2col', inputGradRoute: 'auto', batchNormGrad: false, zeroCopyIdentity: false }],
          ['dW im2col, dx auto, BN grad', { native: false, broadcastReduceGrads: false, filterGradRoute: 'im2col', zeroCopyIdentity: false }],
          ['dW im2col, dx auto, BN grad, zero-copy Identity', { native: false, broadcastReduceGrads: false, filterGradRoute: 'im2col' }],
          ['dW auto, dx auto, BN grad, 0-copy Id/Cast (pure wasm)', { native: false, broadcastReduceGrads: false }],
          ['  + broadcast Mean/Sum grads, block-copy Tile (pure wasm)', { native: false }],
          ['  + native conv, dx, dW', { nativeChannelOps: false }],
          ['  + native Sum, Mean, BatchNorm (default)', {}],
        ];

  for (const [label, opts] of variants) {
    registerWasmTrainingKernels(opts);
    for (let i = 0; i < 2; i++) trainStep(model, opt, x, y);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let loss = 0;
    for (let i = 0; i < steps; i++) loss = trainStep(model, opt, x, y);
    const ms = (performance.now() - t0) / steps;
    const cpu = process.cpuUsage(cpu0);
    // The wasm backend runs on one thread, so CPU time per step approximates the wall time on an idle core; on a
    // shared, oversubscribed machine wall time is inflated by waiting for a core.
    const cpuMs = (cpu.user + cpu.system) / 1000 / steps;
    console.log(
      `${label.padEnd(62)} wall ${ms.toFixed(0).padStart(5)} ms/step ${((BATCH * 1000) / ms).toFixed(1).padStart(6)} images/s` +
        ` | cpu ${cpuMs.toFixed(0).padStart(5)} ms/step ${((BATCH * 1000) / cpuMs).toFixed(1).padStart(6)} images/s  (loss ${loss.toFixed(3)})`,
    );
  }

  for (const [label, opts] of [
    ['before: dW conv, stock dx, stock BN grad', { native: false, broadcastReduceGrads: false, filterGradRoute: 'conv', fastInputGrad: false, batchNormGrad: false, zeroCopyIdentity: false }],
    ['pure wasm: auto routes', { native: false }],
    ['after: native conv kernels (default)', {}],
  ] as [string, WasmKernelOptions][]) {
    if (which === 'default' && label.startsWith('before')) continue;
    registerWasmTrainingKernels(opts);
    trainStep(model, opt, x, y);
    const profile = await tf.profile(() => {
      trainStep(model, opt, x, y);
    });
    const byKernel = new Map<string, { ms: number; calls: number }>();
    let total = 0;
    for (const k of profile.kernels) {
      // 'xxx__op' entries are op scopes (e.g. tf.fused.conv2d's custom gradient) wrapping kernels listed on their
      // own; counting them would count those kernels twice.
      if (k.name.endsWith('__op')) continue;
      const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      total += ms;
      const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
      e.ms += ms;
      e.calls += 1;
      byKernel.set(k.name, e);
    }
    console.log(`\ntf.profile, ${label}: ${profile.kernels.length} kernel calls, ${total.toFixed(1)} ms kernel time`);
    const top = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 10);
    for (const [name, e] of top) {
      console.log(`  ${name.padEnd(24)} ${e.ms.toFixed(1).padStart(8)} ms  ${((100 * e.ms) / total).toFixed(1).padStart(5)} %  ${String(e.calls).padStart(4)} calls`);
    }
  }
  tf.dispose([x, y]);
  if (process.argv.includes('--layers')) layerTable();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
