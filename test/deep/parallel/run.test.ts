import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/deep/backend/initBackend.js';
import { DEFAULT_TRAIN_CONFIG, fingerprintOf } from '../../../src/deep/train/config.js';
import type { TrainConfig } from '../../../src/run/index.js';
import { dataParallelSteps } from '../../../src/deep/parallel/steps.js';
import type { FaultInjection } from '../../../src/deep/parallel/protocol.js';
import { TrainingError } from '../../../src/deep/train/errors.js';
import { runTraining } from '../../../src/deep/train/run.js';
import { syntheticImages } from '../train/synthetic.js';

// 27 images, batches of 9 split into logical shards of 4 and 5.
const train = syntheticImages({ K: 3, perClass: 6, perPair: 3, seed: 1 });
const test = syntheticImages({ K: 3, perClass: 2, perPair: 1, seed: 2 });
const config: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, width: 4, epochs: 3, ncEvery: 2, batchSize: 9, lr: 0.05, evalBatchSize: 16, shards: 2 };
const root = mkdtempSync(join(tmpdir(), 'mlnc-parallel-run-'));
const dir = (name: string) => join(root, name);
const deterministic = (l: Record<string, unknown>) => {
  const { seconds: _s, elapsedSeconds: _e, imagesPerSecond: _i, ...rest } = l;
  return rest;
};
const readLines = (d: string) => readFileSync(join(d, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
const run = (name: string, workers: number, extra: Partial<Parameters<typeof runTraining>[0]> = {}, faultInjection?: FaultInjection) =>
  runTraining({ config, train, test, runDir: dir(name), backend: 'wasm', steps: dataParallelSteps({ workers, faultInjection }), ...extra });

beforeAll(async () => {
  await initBackend('wasm');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('mlnc train with data-parallel workers', () => {
  it('records the shard count and BatchNorm semantics; the result depends on the shards, not on the workers; resume is exact', async () => {
    await run('two', 2);
    const cfg = JSON.parse(readFileSync(join(dir('two'), 'config.json'), 'utf8'));
    expect(cfg.dataParallel).toMatchObject({ shards: 2, workers: 2, workerBackend: 'wasm' });
    expect(cfg.dataParallel.batchNorm).toMatch(/per-shard batch statistics/);
    expect(cfg.fingerprint.shards).toBe(2);
    // One worker running both shards for one epoch, killed, then resumed on two workers: the same run, bit for bit.
    await run('mixed', 1, { stopAfterEpochs: 1 });
    expect(readLines(dir('mixed')).map((l) => l.epoch)).toEqual([0, 1]);
    await run('mixed', 2, { resume: true });
    const a = readLines(dir('two'));
    const b = readLines(dir('mixed'));
    expect(b.map(deterministic)).toEqual(a.map(deterministic));
    expect(a[3].trainLoss as number).toBeLessThan(a[1].trainLoss as number);
    expect(typeof a[2].nc1).toBe('number');
  });

  it('stops on a worker crash with a one-line TrainingError naming the worker, keeping the last checkpoint', async () => {
    // Step 4 is the first batch of epoch 2 (three batches per epoch).
    const err = await run('crash', 2, {}, { worker: 1, atStep: 4, mode: 'exit' })
      .then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/training worker 1 crashed: its thread exited with code 3 \(epoch 2\)/);
    expect(msg).toMatch(/the last checkpoint is .*checkpoints[/\\]last; continue it with --resume/);
    expect(msg).not.toMatch(/\n/);
    expect(existsSync(join(dir('crash'), 'checkpoints', 'last', 'state.json'))).toBe(true);
    expect(readLines(dir('crash')).map((l) => l.epoch)).toEqual([0, 1]);
    // ... and the run continues from there to the same end as the uninterrupted one.
    await run('crash', 2, { resume: true });
    expect(readLines(dir('crash')).map(deterministic)).toEqual(readLines(dir('two')).map(deterministic));
  });

  it('keeps the fingerprint of single-process runs unchanged (no shard count), so their checkpoints still resume', () => {
    const single = { ...config, shards: undefined };
    expect(fingerprintOf(single, 3, [8, 8, 1])).not.toHaveProperty('shards');
    expect(fingerprintOf({ ...config, shards: 1 }, 3, [8, 8, 1])).toEqual(fingerprintOf(single, 3, [8, 8, 1]));
  });
});
