import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TRAIN_CONFIG } from '../../../src/deep/train/config.js';
import { runTraining } from '../../../src/deep/train/run.js';
import { validateRun } from '../../../src/deep/train/validateRun.js';
import { syntheticImages } from './synthetic.js';

const root = mkdtempSync(join(tmpdir(), 'mlnc-validate-'));
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('validateRun', () => {
  it('recomputes every checkpoint and reproduces the logged NC metrics exactly on the same backend', async () => {
    const train = syntheticImages({ K: 3, perClass: 4, perPair: 2, seed: 8 });
    const test = syntheticImages({ K: 3, perClass: 2, perPair: 1, seed: 9 });
    const runDir = join(root, 'run');
    await runTraining({ config: { ...DEFAULT_TRAIN_CONFIG, width: 2, epochs: 3, ncEvery: 2, batchSize: 6 }, train, test, runDir, backend: 'cpu' });
    const { summary, path } = await validateRun({ runDir, train, test, backend: 'cpu' });
    expect(summary.checkpoints.map((c) => c.epoch)).toEqual([0, 2, 3]);
    expect(summary.maxDifferenceFromLog).toBe(0);
    const onDisk = JSON.parse(readFileSync(path, 'utf8'));
    expect(onDisk.checkpoints).toHaveLength(3);
    expect(onDisk.checkpoints[2]).toHaveProperty('test.largestGap.microF1');
    await expect(validateRun({ runDir: join(root, 'none'), train, test, backend: 'cpu' })).rejects.toThrow(/holds no run/);
  });
});
