import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readMetricsJsonl } from '../../src/io/metricsJsonl.js';
import { runMlnc } from '../helpers/mlncProcess.js';

const root = mkdtempSync(join(tmpdir(), 'mlnc-resume-setup-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const TIMING = new Set(['seconds', 'elapsedSeconds', 'imagesPerSecond']);
const metrics = (dir: string) => readMetricsJsonl(join(dir, 'metrics.jsonl')).map((l) => Object.fromEntries(Object.entries(l).filter(([k]) => !TIMING.has(k))));

// Regression: a run stopped between writing config.json and its epoch-0 checkpoint (a preempted Slurm task during the
// epoch-0 measurement) could never be resumed ("holds no complete checkpoint"), so a grid could not finish it.
describe('train --resume of a run stopped before its first checkpoint', () => {
  it('starts it afresh from the saved settings and ends as an uninterrupted run; a run with trained epochs but no checkpoint is still refused', async () => {
    const tiny = ['train', '--counts', '3,1', '--width', '2', '--batch-size', '25', '--epochs', '2', '--nc-every', '1', '--workers', '1', '--seed', '3', '--cache-dir', join(root, 'cache')];
    const ref = join(root, 'ref');
    const cut = join(root, 'cut');
    for (const out of [ref, cut]) {
      const r = await runMlnc([...tiny, '--out', out]);
      expect(r.code, r.stderr).toBe(0);
    }
    // What a kill during set-up leaves: config.json, at most the epoch-0 line, no checkpoint.
    rmSync(join(cut, 'checkpoints'), { recursive: true });
    writeFileSync(join(cut, 'metrics.jsonl'), `${readFileSync(join(cut, 'metrics.jsonl'), 'utf8').split('\n')[0]}\n`);
    const resumed = await runMlnc(['train', '--resume', '--out', cut]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/was stopped before its first checkpoint: starting it afresh with its saved settings/);
    expect(metrics(cut)).toEqual(metrics(ref));

    rmSync(join(cut, 'checkpoints'), { recursive: true });
    const refused = await runMlnc(['train', '--resume', '--out', cut]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/holds no complete checkpoint/);
  });
});
