import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/deep/backend/initBackend.js';
import { compareTrajectories, stepTrajectory } from '../../src/deep/train/stepTrajectory.js';
import { isSoftwareAdapter } from '../../src/deep/backend/webgpu.js';
import { loadCheckpointModel } from '../../src/deep/checkpoint/checkpoint.js';
import { DEFAULT_TRAIN_CONFIG } from '../../src/deep/train/config.js';
import type { TrainConfig } from '../../src/run/index.js';
import { measure } from '../../src/deep/train/measure.js';
import { runTraining } from '../../src/deep/train/run.js';
import { syntheticImages } from '../deep/train/synthetic.js';
import { Rng } from '../../src/util/rng.js';
import { expectAllClose } from '../helpers/close.js';
import { webgpuSuite } from './suite.js';

const suite = await webgpuSuite();

if (suite.notApplicable !== undefined) it.skip(suite.notApplicable, () => {});

const train = syntheticImages({ K: 3, perClass: 6, perPair: 3, seed: 1 });
const test = syntheticImages({ K: 3, perClass: 2, perPair: 1, seed: 2 });
const config: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, width: 4, epochs: 3, ncEvery: 2, batchSize: 9, lr: 0.05, evalBatchSize: 16 };
const root = mkdtempSync(join(tmpdir(), 'mlnc-webgpu-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const readLines = (d: string) => readFileSync(join(d, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
/** Fields of a metrics line that depend on the computation only (not on wall-clock time). */
const deterministic = (l: Record<string, unknown>) => {
  const { seconds: _s, elapsedSeconds: _e, imagesPerSecond: _i, ...rest } = l;
  return rest;
};

describe.runIf(suite.adapter !== undefined)('the webgpu backend', () => {
  it('four SGD steps of a BatchNorm ResNet equal the cpu backend\'s, to float32 tolerance', async () => {
    await initBackend('cpu', { env: {} });
    const ref = await stepTrajectory(4);
    const info = await initBackend('webgpu', { env: {} });
    expect(tf.getBackend()).toBe('webgpu');
    expect(info.adapter).toEqual(suite.adapter);
    expect(compareTrajectories(await stepTrajectory(4), ref)).toMatchObject({ withinTolerance: true, trains: true });
  });

  it('Conv2DBackpropFilter (mlnc\'s per-tap matmul kernel) equals the cpu backend\'s for strides 1 and 2, same and valid padding, 1×1 and 3×3', async () => {
    const cases = [
      { batch: 3, h: 7, w: 6, ci: 2, co: 5, k: 3, stride: 1, pad: 'same' },
      { batch: 2, h: 8, w: 8, ci: 3, co: 4, k: 3, stride: 2, pad: 'same' },
      { batch: 2, h: 9, w: 7, ci: 4, co: 3, k: 3, stride: 2, pad: 'valid' },
      { batch: 4, h: 6, w: 6, ci: 5, co: 6, k: 1, stride: 2, pad: 'valid' },
      { batch: 1, h: 5, w: 5, ci: 1, co: 8, k: 3, stride: 1, pad: 'valid' },
    ] as const;
    await initBackend('webgpu', { env: {} });
    expect(tf.getKernel('Conv2DBackpropFilter', 'webgpu')?.kernelFunc.name).toBe('conv2dBackpropFilterWebgpu'); // ours, not the stock shader
    for (const c of cases) {
      await initBackend('cpu', { env: {} });
      const rng = new Rng(c.batch * 100 + c.k * 10 + c.stride);
      const xData = rng.fillNormal(new Float32Array(c.batch * c.h * c.w * c.ci));
      const out = tf.tidy(() => tf.conv2d(tf.zeros([c.batch, c.h, c.w, c.ci]) as tf.Tensor4D, tf.zeros([c.k, c.k, c.ci, c.co]) as tf.Tensor4D, c.stride, c.pad).shape);
      const dyData = rng.fillNormal(new Float32Array(out.reduce((p, q) => p * q, 1)));
      const dW = async (on: 'cpu' | 'webgpu') => {
        await initBackend(on, { env: {} });
        const x = tf.tensor4d(xData, [c.batch, c.h, c.w, c.ci]);
        const dy = tf.tensor4d(dyData, out);
        const attrs = { strides: [c.stride, c.stride], pad: c.pad, dataFormat: 'NHWC', filterShape: [c.k, c.k, c.ci, c.co] };
        const r = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs) as tf.Tensor;
        const v = (await r.data()) as Float32Array;
        tf.dispose([x, dy, r]);
        return v;
      };
      expectAllClose(await dW('webgpu'), await dW('cpu'), `dW of ${JSON.stringify(c)}`);
    }
  });

  it('a tiny run records its adapter, checkpoints, and resumes exactly like the uninterrupted run', async () => {
    const info = await initBackend('webgpu', { env: {} });
    const run = (name: string, extra: { stopAfterEpochs?: number; resume?: boolean } = {}) =>
      runTraining({ config, train, test, runDir: join(root, name), backend: info.name, adapter: info.adapter, ...extra });
    const full = await run('full');
    expect(full.lastEpoch).toBe(3);
    const lines = readLines(join(root, 'full'));
    expect(lines[3].trainLoss as number).toBeLessThan(lines[1].trainLoss as number);
    const cfg = JSON.parse(readFileSync(join(root, 'full', 'config.json'), 'utf8'));
    expect(cfg).toMatchObject({ backend: 'webgpu', adapter: suite.adapter });
    expect((await run('resumed', { stopAfterEpochs: 1 })).lastEpoch).toBe(1);
    expect((await run('resumed', { resume: true })).lastEpoch).toBe(3);
    expect(readLines(join(root, 'resumed')).map(deterministic)).toEqual(lines.map(deterministic));
  });

  it('NC metrics of features extracted on webgpu equal those extracted on wasm for the same weights', async () => {
    const ckpt = join(root, 'full', 'checkpoints', 'epoch-0002');
    const on = async (backend: 'wasm' | 'webgpu') => {
      await initBackend(backend, { env: {} });
      const model = await loadCheckpointModel(ckpt);
      try {
        return await measure(model, train, test, config.evalBatchSize, config.loss);
      } finally {
        model.dispose();
      }
    };
    const wasm = await on('wasm');
    const gpu = await on('webgpu');
    for (const k of ['nc1', 'nc2W', 'nc2H', 'nc3', 'tagAngle'] as const) {
      const [g, w] = [gpu.nc[k], wasm.nc[k]];
      expect(typeof w, k).toBe('number'); // defined for this run (K = 3 ≥ 2, d ≥ K − 1), so the check compares numbers
      expect(Math.abs((g as number) - (w as number)), k).toBeLessThanOrEqual(1e-4 * Math.abs(w as number) + 1e-6);
    }
    expect(Math.abs(gpu.trainEvalLoss - wasm.trainEvalLoss)).toBeLessThan(1e-5 * wasm.trainEvalLoss);
    expect(gpu.test?.topMExactMatchOracleM).toBe(wasm.test?.topMExactMatchOracleM);
  });

  it('auto uses the adapter only when it is hardware: a software one is left for --backend webgpu', async () => {
    const info = await initBackend('auto', { env: {} });
    if (isSoftwareAdapter(suite.adapter!)) expect(info.kind).not.toBe('webgpu');
    else expect(['node-gpu', 'node', 'webgpu']).toContain(info.kind); // tfjs-node, where installed, comes first
  });
});
