import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRunDir } from '../../src/run/index.js';
import { runMlnc, startMlnc, waitFor, type ProcessResult } from '../helpers/mlncProcess.js';
import { lastEpochOf, logOf, metricsOf, TINY_PLAN, TINY_RUNS } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'mlnc-grid-local-'));
const reference = join(root, 'reference');
let first: ProcessResult;
beforeAll(async () => {
  first = await runMlnc(['grid', 'run', TINY_PLAN, '--out', reference, '--jobs', '2']);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const statusOf = async (dir: string) => {
  const r = await runMlnc(['grid', 'status', dir, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { name: string; state: string; epoch: number; epochs: number; lastNc: Record<string, number>; detail: string }[];
};

describe('mlnc grid run --executor local', () => {
  it('trains every run of the tiny plan; a rerun trains nothing; status shows each run done with its last NC line', async () => {
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^4 run\(s\) trained, 0 already done/m);
    const manifest = JSON.parse(readFileSync(join(reference, 'grid.json'), 'utf8'));
    expect(manifest.runs.map((r: { name: string }) => r.name)).toEqual(TINY_RUNS);
    expect(manifest.mlncVersion).toBe(JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')).version);
    const again = await runMlnc(['grid', 'run', TINY_PLAN, '--out', reference]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^0 run\(s\) trained, 4 already done/m);
    const status = await statusOf(reference);
    for (const [i, s] of status.entries()) {
      expect(s).toMatchObject({ name: TINY_RUNS[i], state: 'done', epoch: 4, epochs: 4 });
      const last = openRunDir(join(reference, 'runs', s.name)).readMetrics().pop() as unknown as Record<string, number>;
      expect(s.lastNc.nc1).toBe(last.nc1);
      expect(s.lastNc.epoch).toBe(4);
    }
  });

  it('report: mean ± sd over seeds of what the runs logged, Markdown, and NC curves with seed bands', async () => {
    const r = await runMlnc(['grid', 'report', reference, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ name: 'tiny', runsTotal: 4, runsFinished: 4, missing: [], groupBy: ['loss'] });
    expect(report.groups.map((g: { key: unknown }) => g.key)).toEqual([{ loss: 'pal' }, { loss: 'pal-n' }]);
    // Oracle: the final lines of the two seeds, read here from the run directories.
    for (const [gi, loss] of ['pal', 'pal-n'].entries()) {
      const finals = [0, 1].map((seed) => openRunDir(join(reference, 'runs', `loss=${loss}_seed=${seed}`)).readMetrics().pop() as unknown as Record<string, number>);
      const [a, b] = finals.map((f) => f.nc1);
      const g = report.groups[gi];
      expect(g.seeds).toEqual([0, 1]);
      expect(g.metrics.nc1.mean).toBeCloseTo((a + b) / 2, 12);
      expect(g.metrics.nc1.sd).toBeCloseTo(Math.abs(a - b) / Math.SQRT2, 12);
      expect(g.metrics.rho2.n).toBe(2);
      const params = JSON.parse(readFileSync(join(reference, 'runs', `loss=${loss}_seed=0`, 'config.json'), 'utf8')).trainableParams;
      expect(g.metrics.trainableParams).toEqual({ mean: params, sd: 0, n: 2 });
    }
    expect(report.efficiency.note).toMatch(/no "fixed-etf" axis/);
    const md = readFileSync(join(reference, 'report', 'report.md'), 'utf8');
    expect(md).toMatch(/^\| loss \| seeds \| NC1 \| NC2_W .*\|$/m);
    expect(md).toMatch(/^\| pal \| 2 \| \S+ ± \S+ \|/m);
    const svg = readFileSync(join(reference, 'report', 'nc-curves-by-loss.svg'), 'utf8');
    expect(svg.match(/class="band"/g)?.length).toBeGreaterThanOrEqual(2 * 5);
    expect(existsSync(join(reference, 'report', 'nc-curves-by-loss.png'))).toBe(true);
  });

  it('killing grid run loses nothing: the runs are stale, two reruns at once never train an epoch twice and end as an uninterrupted grid', async () => {
    const dir = join(root, 'killed');
    const k = startMlnc(['grid', 'run', TINY_PLAN, '--out', dir, '--jobs', '2'], { detached: true });
    // Kill the whole process group (as a closed terminal or a dying node would) once a run is past its first epoch.
    await waitFor('a run to finish an epoch', () => TINY_RUNS.some((r) => lastEpochOf(dir, r) >= 1), 120_000);
    process.kill(-(k.child.pid as number), 'SIGKILL');
    await k.done;
    const logAtKill = Object.fromEntries(TINY_RUNS.map((r) => [r, logOf(dir, r).length]));
    const stale = await statusOf(dir);
    expect(stale.filter((s) => s.state === 'stale').length, JSON.stringify(stale)).toBeGreaterThanOrEqual(1);
    expect(stale.find((s) => s.state === 'stale')?.detail).toMatch(/^lock left by a dead process \(pid \d+ no longer runs\); mlnc grid run resumes it$/);
    const [a, b] = await Promise.all([
      runMlnc(['grid', 'run', TINY_PLAN, '--out', dir, '--jobs', '2']),
      runMlnc(['grid', 'run', TINY_PLAN, '--out', dir, '--jobs', '2']),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect((await statusOf(dir)).map((s) => s.state)).toEqual(['done', 'done', 'done', 'done']);
    let resumed = 0;
    for (const run of TINY_RUNS) {
      // What the two reruns did: no epoch trained twice (a process that finds the run finished trains nothing).
      const log = logOf(dir, run).slice(logAtKill[run]);
      const epochs = [...log.matchAll(/^epoch (\d+):/gm)].map((m) => Number(m[1]));
      expect(new Set(epochs).size, `${run}:\n${log}`).toBe(epochs.length);
      expect(log).toMatch(/^trained .* to epoch 4 in/m);
      if (/resuming .* from /.test(log)) resumed++;
      expect(metricsOf(dir, run), run).toEqual(metricsOf(reference, run));
    }
    expect(resumed).toBeGreaterThanOrEqual(1);
  });

  it('a run that fails is reported with its error, and status says failed', async () => {
    const plan = join(root, 'failing.json');
    writeFileSync(plan, JSON.stringify({ name: 'failing', train: { counts: [3, 1], width: 2, 'batch-size': 25, epochs: 1 }, axes: { 'data-dir': ['/nonexistent/mnist'] } }));
    const dir = join(root, 'failing');
    const r = await runMlnc(['grid', 'run', plan, '--out', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^mlnc: 1 run\(s\) failed: run \(exit code 2: mlnc: .*nonexistent.*\)/m);
    const [s] = await statusOf(dir);
    expect(s).toMatchObject({ name: 'run', state: 'failed' });
    expect(s.detail).toMatch(/^exit code 2: mlnc: .*nonexistent/);
  });

  it('a bad plan is refused in one line before anything is written', async () => {
    const plan = join(root, 'bad.json');
    writeFileSync(plan, JSON.stringify({ axes: { loss: ['pal', 'hinge'] } }));
    const r = await runMlnc(['grid', 'run', plan, '--out', join(root, 'never')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`mlnc: ${plan}: run loss=hinge: unknown --loss "hinge" (choose one of: pal, pal-n)`]);
    expect(existsSync(join(root, 'never'))).toBe(false);
  });
});
