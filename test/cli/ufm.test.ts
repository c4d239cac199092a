import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runUfmExperiment } from '../../src/ufm/experiment.js';
import { runCli } from '../helpers/runCli.js';

// The real optimizer, counted: tests below check that a bad --out stops the command before it runs.
vi.mock('../../src/ufm/experiment.js', async (importOriginal) => {
  const mod = await importOriginal<typeof import('../../src/ufm/experiment.js')>();
  return { ...mod, runUfmExperiment: vi.fn(mod.runUfmExperiment) };
});

const small = ['--classes', '4', '--dim', '6', '--per-set', '1:3,2:2', '--lambda-w', '5e-3', '--lambda-h', '5e-3', '--lambda-b', '1e-2'];

describe('mlnc ufm --json', () => {
  it('prints exactly one JSON object with the documented fields, matching reference case A', async () => {
    const r = await runCli(['ufm', ...small, '--json']);
    expect(r.code).toBe(0);
    // The whole of stdout parses as one JSON object.
    const report = JSON.parse(r.stdout);
    expect(typeof report).toBe('object');
    for (const k of ['objective', 'maxAbsGrad', 'iterations', 'stopReason', 'seconds', 'wNorm', 'rho', 'metrics', 'theory', 'config']) {
      expect(report).toHaveProperty(k);
    }
    for (const k of ['nc1', 'nc2W', 'nc2H', 'nc3', 'tagAngle', 'bNorm']) expect(report.metrics).toHaveProperty(k);
    for (const k of ['objective', 'wNorm', 'rho', 'trivial']) expect(report.theory).toHaveProperty(k);
    expect(report.stopReason).toBe('tolerance');
    expect(report.maxAbsGrad).toBeLessThanOrEqual(1e-9);
    // Reference case A (K=4, d=6, n1=3, n2=2, λ_W=λ_H=5e-3, λ_b=1e-2, pal).
    expect(Math.abs(report.objective - 0.8947813933) / 0.8947813933).toBeLessThan(1e-7);
    expect(Math.abs(report.wNorm - 2.8413212) / 2.8413212).toBeLessThan(1e-6);
    expect(Math.abs(report.rho['2'] - 1.7508648) / 1.7508648).toBeLessThan(1e-6);
    expect(report.theory.trivial).toBe(false);
    expect(report.config.perSet).toEqual({ 1: 3, 2: 2 });
  });

  it('gives identical JSON for the same seed (apart from the wall-clock seconds)', async () => {
    const a = JSON.parse((await runCli(['ufm', ...small, '--seed', '7', '--json'])).stdout);
    const b = JSON.parse((await runCli(['ufm', ...small, '--seed', '7', '--json'])).stdout);
    const c = JSON.parse((await runCli(['ufm', ...small, '--seed', '8', '--json'])).stdout);
    delete a.seconds; delete b.seconds; delete c.seconds;
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(c));
  });

  it('writes the same report atomically with --out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlnc-ufm-'));
    const out = join(dir, 'sub', 'report.json');
    const r = await runCli(['ufm', ...small, '--json', '--out', out]);
    expect(r.code).toBe(0);
    const fromFile = JSON.parse(readFileSync(out, 'utf8'));
    expect(fromFile).toEqual(JSON.parse(r.stdout));
    expect(readdirSync(join(dir, 'sub'))).toEqual(['report.json']);
  });

  it('runs the objective on two threads with --threads 2 and reaches the same optimum', async () => {
    const one = JSON.parse((await runCli(['ufm', ...small, '--json', '--threads', '1'])).stdout);
    const two = JSON.parse((await runCli(['ufm', ...small, '--json', '--threads', '2'])).stdout);
    expect([one.threads, two.threads]).toEqual([1, 2]);
    expect(two.stopReason).toBe('tolerance');
    expect(Math.abs(two.objective - one.objective) / one.objective).toBeLessThan(1e-12);
    expect(Math.abs(two.rho['2'] - one.rho['2'])).toBeLessThan(1e-7);
  });

  it('records NC metrics along a gradient-descent run', async () => {
    const r = await runCli(['ufm', ...small, '--optimizer', 'gd', '--lr', '0.5', '--max-iter', '200', '--record-every', '50', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.stopReason).toBe('max-iter');
    expect(report.history.map((h: { iteration: number }) => h.iteration)).toEqual([0, 50, 100, 150, 200]);
    expect(report.history[4].objective).toBeLessThan(report.history[0].objective);
  });

  it('prints a human table with theory, optimizer and difference', async () => {
    const r = await runCli(['ufm', ...small]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/quantity\s+theory\s+optimizer\s+rel\. difference/);
    expect(r.stdout).toMatch(/ρ_2/);
    expect(r.stdout).toMatch(/NC1/);
  });

  it('warns but runs when d < K − 1', async () => {
    const r = await runCli(['ufm', '--classes', '5', '--dim', '2', '--per-set', '1:2,2:1', '--json', '--max-iter', '50']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/ETF theorem does not apply/);
    expect(JSON.parse(r.stdout).etfTheoremApplies).toBe(false);
  });

  it('reports the trivial case instead of hiding it', async () => {
    const r = await runCli(['ufm', ...small.slice(0, 6), '--lambda-w', '5', '--lambda-h', '5', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.theory.trivial).toBe(true);
    expect(report.wNorm).toBeLessThan(1e-6);
  });
});

describe('mlnc ufm bad input', () => {
  const cases: [string, string[], RegExp][] = [
    ['K < 2', ['--classes', '1'], /--classes must be at least 2/],
    ['multiplicity 0', ['--per-set', '0:2,1:3'], /multiplicity 0/],
    ['multiplicity > K', ['--classes', '3', '--per-set', '1:2,4:1'], /multiplicity 4 is outside/],
    ['malformed --per-set', ['--per-set', '1=3;2:x'], /malformed --per-set/],
    ['negative λ', ['--lambda-w', '-1'], /--lambda-w must be at least 0/],
    ['non-finite λ', ['--lambda-h', 'Infinity'], /--lambda-h must be a finite number/],
    ['NaN λ', ['--lambda-b', 'NaN'], /--lambda-b must be a finite number/],
    ['unknown loss', ['--loss', 'bce'], /unknown --loss "bce"/],
    ['unknown optimizer', ['--optimizer', 'adam'], /unknown --optimizer "adam"/],
    ['design too large for memory', ['--classes', '40', '--dim', '2048', '--per-set', '1:1,2:1,3:1,4:1'], /needs about .* GiB/],
    ['diverging gradient descent', ['--optimizer', 'gd', '--lr', '1e6', '--max-iter', '100'], /non-finite/],
  ];
  for (const [name, args, message] of cases) {
    it(`${name}: one line on stderr, exit 2, no output file`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'mlnc-bad-'));
      const out = join(dir, 'r.json');
      const r = await runCli(['ufm', ...args, '--json', '--out', out]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe('');
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(dir)).toEqual([]);
    });
  }

  it('--out onto a directory or through a file: one line, exit 2, no stack trace (regression: raw EISDIR/EEXIST)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlnc-bad-'));
    writeFileSync(join(dir, 'f'), 'keep');
    for (const out of [dir, join(dir, 'f', 'r.json')]) {
      const r = await runCli(['ufm', ...small, '--json', '--out', out]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^mlnc: cannot write /);
    }
    expect(readdirSync(dir)).toEqual(['f']);
    expect(readFileSync(join(dir, 'f'), 'utf8')).toBe('keep');
  });

  // Regression: a bad --out only failed after the optimizer had run (and a path under /proc hung in mkdir).
  it('a bad --out fails before the optimizer runs: one line, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlnc-bad-'));
    writeFileSync(join(dir, 'f'), 'keep');
    const outs: [string, RegExp][] = [[dir, /it is a directory/], [join(dir, 'f', 'r.json'), /a part of its folder path is a file/]];
    if (existsSync('/proc/self')) outs.push(['/proc/mlnc-no-such-entry/r.json', /cannot create \/proc\/mlnc-no-such-entry/]);
    for (const [out, message] of outs) {
      const runs = vi.mocked(runUfmExperiment).mock.calls.length;
      const r = await runCli(['ufm', ...small, '--json', '--out', out]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
      expect(vi.mocked(runUfmExperiment).mock.calls.length).toBe(runs);
    }
    expect(readdirSync(dir)).toEqual(['f']);
  });

  it('the built binary prints no stack trace for bad input', () => {
    const bin = join(import.meta.dirname, '../../dist/src/cli/bin.js');
    const r = spawnSync(process.execPath, [bin, 'ufm', '--classes', '1'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('mlnc: --classes must be at least 2, got 1');
  });
});
