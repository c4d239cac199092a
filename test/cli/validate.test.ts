import * as tf from '@tensorflow/tfjs';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/deep/data/index.js';
import { DEFAULT_TRAIN_CONFIG } from '../../src/deep/train/config.js';
import { runTraining } from '../../src/deep/train/run.js';
import { runCli } from '../helpers/runCli.js';

/** A tiny real run (MLab-MNIST, 3 + 1 images per label set, width 2, one epoch), as in compareRealRun.test.ts. */
const root = mkdtempSync(join(tmpdir(), 'mlnc-validate-cli-'));
const runDir = join(root, 'run');
const counts = { train: [3, 1], test: [1, 1] };
const errorLines = (stderr: string) => stderr.trim().split('\n').filter((l) => l.startsWith('mlnc:'));

beforeAll(async () => {
  await tf.setBackend('cpu');
  const cacheDir = join(root, 'cache');
  const splits = await loadDataset({ dataset: 'mlab-mnist', preset: 'small', seed: 0, counts, cacheDir });
  await runTraining({
    config: { ...DEFAULT_TRAIN_CONFIG, width: 2, epochs: 1, ncEvery: 1, batchSize: 25, evalBatchSize: 75 },
    train: splits.train, test: splits.test, runDir, backend: 'cpu', dataOptions: { counts, cacheDir },
  });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('mlnc validate', () => {
  it('accepts a metrics.jsonl with empty lines at its end', async () => {
    const dir = join(root, 'trailing');
    cpSync(runDir, dir, { recursive: true });
    appendFileSync(join(dir, 'metrics.jsonl'), '\n\n');
    const r = await runCli(['validate', dir, '--backend', 'cpu']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/validated 2 checkpoints/);
    expect(JSON.parse(readFileSync(join(dir, 'validate.json'), 'utf8')).maxDifferenceFromLog).toBe(0);
  });

  // Regression: validate skipped a garbage line of metrics.jsonl silently while compare and figures rejected it.
  it('rejects a garbage line in metrics.jsonl exactly like train --resume, compare and figures do', async () => {
    const dir = join(root, 'damaged');
    cpSync(runDir, dir, { recursive: true });
    const metrics = join(dir, 'metrics.jsonl');
    const n = readFileSync(metrics, 'utf8').trim().split('\n').length;
    appendFileSync(metrics, 'garbage{\n');
    const expected = `mlnc: ${metrics} line ${n + 1} is not JSON; the run directory is damaged`;
    for (const args of [
      ['validate', dir, '--backend', 'cpu'],
      ['train', '--resume', '--out', dir, '--backend', 'cpu'],
      ['compare', dir, '--backend', 'cpu'],
      ['figures', dir, '--backend', 'cpu', '--out', join(root, 'figs'), '--sweep', join(root, 'no-sweep.json')],
    ]) {
      const r = await runCli(args);
      expect(r.code, args[0]).toBe(2);
      expect(errorLines(r.stderr), args[0]).toEqual([expected]);
    }
    expect(existsSync(join(dir, 'validate.json'))).toBe(false);
    expect(existsSync(join(dir, 'compare.json'))).toBe(false);
  });

  it('an unwritable validate.json (a folder in the way) fails before any checkpoint is recomputed', async () => {
    const dir = join(root, 'blocked');
    cpSync(runDir, dir, { recursive: true });
    mkdirSync(join(dir, 'validate.json'));
    const r = await runCli(['validate', dir, '--backend', 'cpu']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`mlnc: cannot write ${join(dir, 'validate.json')}: it is a directory\n`);
  });
});
