import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openRunDir } from '../../src/run/index.js';
import { runMlnc } from '../helpers/mlncProcess.js';

const root = mkdtempSync(join(tmpdir(), 'mlnc-resume-setup-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const TIMING = new Set(['seconds', 'elapsedSeconds', 'imagesPerSecond']);
const metrics = (dir: string) => openRunDir(dir).readMetrics().map((l) => Object.fromEntries(Object.entries(l).filter(([k]) => !TIMING.has(k))));

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

describe('train --resume-if-exists', () => {
  it('starts a run the first time, resumes it later (to a new --epochs), and refuses other settings', async () => {
    const out = join(root, 'either');
    const flags = ['train', '--counts', '3,1', '--width', '2', '--batch-size', '25', '--nc-every', '1', '--workers', '1', '--seed', '3', '--cache-dir', join(root, 'cache'), '--out', out, '--resume-if-exists'];
    const started = await runMlnc([...flags, '--epochs', '1']);
    expect(started.code, started.stderr).toBe(0);
    expect(started.stdout).toMatch(/to epoch 1 in/);
    const resumed = await runMlnc([...flags, '--epochs', '2']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming .* \(epoch 1 of 2\)/);
    expect(metrics(out).map((l) => l.epoch)).toEqual([0, 1, 2]);
    const other = await runMlnc([...flags, '--epochs', '2', '--lr', '0.05', '--loss', 'pal-n']);
    expect(other.code).toBe(2);
    expect(other.stderr.trim()).toBe(`mlnc: ${out} holds a run with other settings (lr, loss); use another --out`);
    const both = await runMlnc([...flags, '--resume']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--resume-if-exists already resumes an existing run: drop --resume/);
  });
});
