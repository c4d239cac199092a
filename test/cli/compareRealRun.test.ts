import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TRAIN_CONFIG } from '../../src/deep/train/config.js';
import { runCli } from '../helpers/runCli.js';
import { trainTinyRun } from '../helpers/tinyRun.js';

const root = mkdtempSync(join(tmpdir(), 'mlnc-compare-real-'));
const runDir = join(root, 'run');

beforeAll(async () => {
  await trainTinyRun(root);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('mlnc compare on a tiny real run (tfjs extraction from the final checkpoint)', () => {
  it('reproduces the run\'s own logged NC metrics, maps λ from config.json and caches the snapshot', async () => {
    const r = await runCli(['compare', runDir, '--backend', 'cpu']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/extracting the final features/);
    const json = JSON.parse(readFileSync(join(runDir, 'compare.json'), 'utf8'));
    const logged = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).pop();
    expect(json.epoch).toBe(1);
    // Same checkpoint, same backend, same extraction: the network column equals what training logged.
    for (const k of ['nc1', 'nc2W', 'nc2H', 'nc3']) expect(json.network[k]).toBeCloseTo(logged[k], 9);
    expect(json.network.rho['2'].mean).toBeCloseTo(logged.rho['2'], 9);
    expect(json.network.decoding.classMeans).toBe(logged.test.prototypes.classMeans);
    // 10·3 + 45·1 = 75 samples in a balanced design: the closed form applies; summed penalty: 2·λ_H·B/N.
    expect(json.design.perSetCount).toEqual({ 1: 3, 2: 1 });
    expect(json.mapping.lambdas.lambdaH).toBeCloseTo((2 * DEFAULT_TRAIN_CONFIG.lambdaH * 25) / 75, 15);
    expect(json.mapped.method).toBe('closed form');
    expect(existsSync(join(runDir, 'final-features.json'))).toBe(true);
    const again = await runCli(['compare', runDir, '--backend', 'cpu']);
    expect(again.code).toBe(0);
    expect(again.stderr).not.toMatch(/extracting/);
    expect(JSON.parse(readFileSync(join(runDir, 'compare.json'), 'utf8')).network).toEqual(json.network);
  });
});
