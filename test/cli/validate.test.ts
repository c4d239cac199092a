import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/runCli.js';
import { trainTinyRun } from '../helpers/tinyRun.js';

/** A tiny real run (test/helpers/tinyRun.ts). */
const root = mkdtempSync(join(tmpdir(), 'mlnc-validate-cli-'));
const runDir = join(root, 'run');
const errorLines = (stderr: string) => stderr.trim().split('\n').filter((l) => l.startsWith('mlnc:'));

beforeAll(async () => {
  await trainTinyRun(root);
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
