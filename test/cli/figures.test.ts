import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runUfmExperiment, DEFAULT_UFM_CONFIG } from '../../src/ufm/experiment.js';
import { sweepConfigAt, sweepTheory, sweepUfmPoint, sweepXLabel, type SweepResult, type SweepSpec } from '../../src/ufm/sweep.js';
import { runCli } from '../helpers/runCli.js';
import { expectStandaloneSvg } from '../plot/svgTestHelpers.js';
import { writeSyntheticRun } from '../figures/syntheticRun.js';

const root = mkdtempSync(join(tmpdir(), 'mlnc-figures-'));
const learned = join(root, 'learned');
const fixed = join(root, 'fixed');
const sweepPath = join(root, 'sweep.json');
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A small real sweep (theory curve + 2 UFM optimizer points), written like `mlnc ufm sweep` does. */
function writeSmallSweep(): void {
  const base = { ...DEFAULT_UFM_CONFIG, K: 3, d: 3, perSet: { 1: 2, 2: 1 } };
  const spec: SweepSpec = { param: 'lambda-h', from: 1e-3, to: 1e-2, points: 2, theoryPoints: 12, tieLambdaW: true };
  const xs = [1e-3, 1e-2];
  const result: SweepResult = {
    param: spec.param, xLabel: sweepXLabel(spec.param), theory: sweepTheory(spec, base),
    ufm: xs.map((x) => sweepUfmPoint(x, runUfmExperiment(sweepConfigAt(spec, base, x)))), base, spec,
  };
  writeFileSync(sweepPath, JSON.stringify(result));
}

/** The error itself is one line (progress lines such as "compare: …" may precede it). */
const errorLines = (stderr: string) => stderr.trim().split('\n').filter((l) => l.startsWith('mlnc:'));

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

beforeAll(() => {
  writeSyntheticRun(learned, { K: 3, d: 4, perSet: { 1: 4, 2: 2 }, lambda: 5e-3, seed: 1 });
  writeSyntheticRun(fixed, { K: 3, d: 4, perSet: { 1: 4, 2: 2 }, lambda: 5e-3, seed: 2, fixedEtf: true });
  writeSmallSweep();
});

describe('mlnc figures', () => {
  it('writes every figure as well-formed SVG and PNG from a learned and a fixed-ETF run', async () => {
    const out = join(root, 'figs');
    const r = await runCli(['figures', learned, fixed, '--sweep', sweepPath, '--out', out]);
    expect(r.code).toBe(0);
    const names = ['nc-curves-training', 'nc-curves-ufm', 'geometry-k3', 'rho-ufm-sweep', 'rho-network', 'gram-ufm', 'gram-network', 'fixed-vs-learned', 'compare'];
    expect(r.stdout).toMatch(/9 figures in/);
    for (const n of names) {
      expect(r.stdout).toContain(join(out, `${n}.svg`));
      const svg = readFileSync(join(out, `${n}.svg`), 'utf8');
      expectStandaloneSvg(svg);
      const png = readFileSync(join(out, `${n}.png`));
      expect([...png.subarray(0, 8)]).toEqual(PNG_MAGIC);
      expect(png.length).toBeGreaterThan(5000);
    }
    // Both runs overlay in the training curves; their legend entries name them.
    const curves = readFileSync(join(out, 'nc-curves-training.svg'), 'utf8');
    expect(curves).toContain('learned classifier');
    expect(curves).toContain('fixed ETF classifier');
    // K = 3 runs add a network row to the geometry picture (2 UFM rows + 1).
    expect(readFileSync(join(out, 'geometry-k3.svg'), 'utf8')).toContain('network: learned');
    // Trainable parameter counts in the fixed-vs-learned legend (1000 and 900, from config.json).
    const fvl = readFileSync(join(out, 'fixed-vs-learned.svg'), 'utf8');
    expect(fvl).toMatch(/1000|1k/);
    expect(fvl).toMatch(/900/);
    // compare ran for each run on the way.
    expect(existsSync(join(learned, 'compare.json'))).toBe(true);
  });

  it('a missing run directory or one without metrics.jsonl: one line, exit 2', async () => {
    const missing = await runCli(['figures', join(root, 'nope'), '--sweep', sweepPath, '--out', join(root, 'x')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/does not exist/);
    const bare = join(root, 'bare');
    mkdirSync(bare);
    writeFileSync(join(bare, 'config.json'), readFileSync(join(learned, 'config.json')));
    const noMetrics = await runCli(['figures', bare, '--sweep', sweepPath, '--out', join(root, 'x')]);
    expect(noMetrics.code).toBe(2);
    expect(noMetrics.stderr.trim().split('\n')).toHaveLength(1);
    expect(noMetrics.stderr).toMatch(/has no metrics\.jsonl/);
  });

  it('an empty or NaN series is a clear one-line error, not a blank figure', async () => {
    const empty = join(root, 'empty');
    writeSyntheticRun(empty, { K: 3, d: 4, perSet: { 1: 4, 2: 2 }, lambda: 5e-3, lines: [{ epoch: 1, trainLoss: 1, seconds: 1 }] });
    const e = await runCli(['figures', empty, '--sweep', sweepPath, '--out', join(root, 'y')]);
    expect(e.code).toBe(2);
    expect(errorLines(e.stderr)).toHaveLength(1);
    expect(errorLines(e.stderr)[0]).toMatch(/NC curves: run ".*" records is empty/);

    const inf = join(root, 'inf');
    writeSyntheticRun(inf, { K: 3, d: 4, perSet: { 1: 4, 2: 2 }, lambda: 5e-3 });
    const path = join(inf, 'metrics.jsonl');
    writeFileSync(path, readFileSync(path, 'utf8').replace(/"nc2H":[^,]+/, '"nc2H":1e999'));
    const i = await runCli(['figures', inf, '--sweep', sweepPath, '--out', join(root, 'z')]);
    expect(i.code).toBe(2);
    expect(errorLines(i.stderr)).toHaveLength(1);
    expect(errorLines(i.stderr)[0]).toMatch(/nc2H must be a finite number, got Infinity/);
  });

  // Regression: `--out /proc/x/figs` hung (Node 20's recursive mkdir), and any bad output path failed only after the
  // runs had been compared and the first figures drawn.
  it('an unwritable --out, --sweep or run directory fails before any work: one line, exit 2', async () => {
    const run = join(root, 'untouched');
    writeSyntheticRun(run, { K: 3, d: 4, perSet: { 1: 4, 2: 2 }, lambda: 5e-3, seed: 3 });
    const file = join(root, 'plain-file');
    writeFileSync(file, 'keep');
    const cases: [string[], RegExp][] = [
      [['--sweep', sweepPath, '--out', join(file, 'figs')], /cannot write .*plain-file\/figs: a part of its folder path is a file/],
      [['--sweep', join(file, 'sweep.json'), '--out', join(root, 'figs2')], /cannot write .*plain-file\/sweep\.json: /],
    ];
    if (existsSync('/proc/self')) cases.push([['--sweep', sweepPath, '--out', '/proc/mlnc-no-such-entry/figs'], /cannot create \/proc\/mlnc-no-such-entry/]);
    for (const [args, message] of cases) {
      const r = await runCli(['figures', run, ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    }
    // The run was not compared on the way (compare writes compare.json into it first).
    expect(existsSync(join(run, 'compare.json'))).toBe(false);
    expect(existsSync(join(root, 'figs2'))).toBe(false);
    // A run directory whose compare.json cannot be written (a folder in the way) stops before the first figure.
    mkdirSync(join(run, 'compare.json'));
    const r = await runCli(['figures', run, '--sweep', sweepPath, '--out', join(root, 'figs3')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot write .*untouched\/compare\.json: it is a directory/);
    expect(existsSync(join(root, 'figs3'))).toBe(false);
  });

  it('a file that is not a sweep result is a usage error', async () => {
    const bad = join(root, 'bad-sweep.json');
    writeFileSync(bad, '{"hello": 1}');
    const r = await runCli(['figures', learned, '--sweep', bad, '--out', join(root, 'w')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not an mlnc ufm sweep result/);
  });
});
