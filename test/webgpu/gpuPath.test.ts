import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/deep/backend/initBackend.js';
import { compareTrajectories, stepTrajectory } from '../../src/deep/backend/stepTrajectory.js';
import { isSoftwareAdapter } from '../../src/deep/backend/webgpu.js';
import { loadCheckpointModel } from '../../src/deep/checkpoint/checkpoint.js';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../../src/deep/train/config.js';
import { measure } from '../../src/deep/train/measure.js';
import { runTraining } from '../../src/deep/train/run.js';
import { syntheticImages } from '../deep/train/synthetic.js';
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
