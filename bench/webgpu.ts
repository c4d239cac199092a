/**
 * The webgpu part of `npm run bench:train` (one call from bench/train.ts) and the throughput probe of
 * bench/gpu-check.sh: ResNet18 training steps on the WebGPU adapter.
 *
 * bench:train measures webgpu when the adapter is hardware, beside the same run's ResNet18 number on its own backend
 * (56×56×1, batch 16, as its table), and on a GPU also at batch 128. A software (fallback) adapter such as lavapipe is
 * measured only with `--webgpu-software`: its speed is a correctness driver's, not a GPU's. Without an adapter the
 * benchmark says why and moves on.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendInfo } from '../src/deep/backend/initBackend.js';
import { describeAdapter, isSoftwareAdapter, probeAdapter, type AdapterInfo } from '../src/deep/backend/webgpu.js';
import { buildModel, initWeights } from '../src/deep/models/index.js';
import { MomentumSgd } from '../src/deep/train/sgd.js';
import { trainableParams, trainStep } from '../src/deep/train/step.js';
import { Rng } from '../src/util/rng.js';

const K = 10;

/**
 * Images/s of `mlnc train`'s single-process step (forward, PAL + λ_H, gradients, SGD update, loss read back) for ResNet18
 * (CIFAR stem) on the active backend: `warmup` untimed steps (a GPU compiles its shaders there), then `steps` timed ones.
 */
export async function resnet18ImagesPerSecond(shape: [number, number, number], batch: number, steps: number, warmup = 2): Promise<number> {
  const { model } = buildModel({ arch: 'resnet18', inputShape: shape, K });
  initWeights(model, new Rng(2));
  const rng = new Rng(1);
  const x = tf.tensor4d(rng.fillNormal(new Float32Array(batch * shape[0] * shape[1] * shape[2])), [batch, ...shape]);
  const yData = new Float32Array(batch * K);
  for (let i = 0; i < batch; i++) yData[i * K + (i % K)] = 1;
  const y = tf.tensor2d(yData, [batch, K]);
  const sgd = new MomentumSgd(trainableParams(model), { momentum: 0.9, weightDecay: 5e-4 });
  const opts = { loss: 'pal' as const, lambdaH: 1e-4, lr: 0.01 };
  try {
    for (let s = 0; s < warmup; s++) await trainStep(model, sgd, x, y, opts);
    const t0 = performance.now();
    for (let s = 0; s < steps; s++) await trainStep(model, sgd, x, y, opts);
    return (batch * steps) / ((performance.now() - t0) / 1000);
  } finally {
    sgd.dispose();
    tf.dispose([x, y]);
    model.dispose();
  }
}

export interface WebgpuBench {
  measured: boolean;
  /** Why webgpu was not measured. */
  reason?: string;
  adapter?: AdapterInfo;
  /** ResNet18 56×56×1 batch 16 on webgpu, and webgpu : the run's own backend at the same setting. */
  resnet18ImagesPerSecond?: number;
  ratioToRunBackend?: number;
  /** On a hardware adapter: ResNet18 at batch 128, images/s per input shape. */
  batch128?: Record<string, number>;
}

/**
 * Measures webgpu after the rest of bench:train (the backend switches here, so it runs last). `runBackend` and
 * `runResnet18` are the backend of the run's tables and its ResNet18 56×56×1 batch-16 images/s.
 */
export async function benchWebgpu(runBackend: BackendInfo, runResnet18: number, argv: string[] = process.argv.slice(2)): Promise<WebgpuBench> {
  // bench:train's other flags pass through (strict: false).
  const { values } = parseArgs({ args: argv, strict: false, options: { 'webgpu-software': { type: 'boolean' }, 'webgpu-steps': { type: 'string' } } });
  const say = (m: string) => console.log(`webgpu: ${m}`);
  if (runBackend.kind === 'webgpu') {
    say('the tables above ran on webgpu (auto picked it)');
    return { measured: true, adapter: runBackend.adapter, resnet18ImagesPerSecond: runResnet18 };
  }
  let adapter: AdapterInfo;
  try {
    adapter = await probeAdapter();
  } catch (err) {
    say(`not measured: ${(err as Error).message}`);
    return { measured: false, reason: (err as Error).message };
  }
  const software = isSoftwareAdapter(adapter);
  if (software && values['webgpu-software'] !== true) {
    const reason = `not measured: only a software adapter (${describeAdapter(adapter)}); --webgpu-software measures it anyway`;
    say(reason);
    return { measured: false, reason, adapter };
  }
  await initBackend('webgpu');
  say(`adapter ${describeAdapter(adapter)}`);
  const steps = Number(values['webgpu-steps'] ?? (software ? 2 : 10));
  const r18 = await resnet18ImagesPerSecond([56, 56, 1], 16, steps);
  const out: WebgpuBench = { measured: true, adapter, resnet18ImagesPerSecond: r18, ratioToRunBackend: r18 / runResnet18 };
  say(`ResNet18 56×56×1 batch 16: ${r18.toFixed(2)} images/s, ×${(r18 / runResnet18).toFixed(3)} of this run's best ResNet18 configuration on ${runBackend.name}`);
  if (!software) {
    out.batch128 = {};
    for (const shape of [[56, 56, 1], [32, 32, 3]] as [number, number, number][]) {
      const v = await resnet18ImagesPerSecond(shape, 128, steps);
      out.batch128[shape.join('x')] = v;
      say(`ResNet18 ${shape.join('×')} batch 128: ${v.toFixed(1)} images/s`);
    }
  }
  return out;
}
