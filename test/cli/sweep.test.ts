import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runTaskPool } from '../../src/parallel/taskPool.js';
import { runCli } from '../helpers/runCli.js';

// The real task pool, counted: a test below checks that a bad --out stops the sweep before any optimizer runs.
vi.mock('../../src/parallel/taskPool.js', async (importOriginal) => {
  const mod = await importOriginal<typeof import('../../src/parallel/taskPool.js')>();
  return { ...mod, runTaskPool: vi.fn(mod.runTaskPool) };
});

const base = ['--classes', '4', '--dim', '6', '--per-set', '1:3,2:2'];

describe('mlnc ufm sweep', () => {
  it('puts the optimizer on the theory curve along a λ_H sweep', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'mlnc-sweep-')), 'sweep.json');
    const r = await runCli(['ufm', 'sweep', ...base, '--from', '1e-3', '--to', '2e-2', '--points', '3', '--theory-points', '5', '--out', out]);
    expect(r.code).toBe(0);
    const s = JSON.parse(readFileSync(out, 'utf8'));
    expect(s.param).toBe('lambda-h');
    expect(s.theory).toHaveLength(5);
    expect(s.ufm.map((p: { x: number }) => p.x)).toEqual([1e-3, 1e-3 * 20 ** 0.5, 2e-2].map((x) => expect.closeTo(x, 12)));
    for (const p of s.ufm) {
      expect(p.stopReason).toBe('tolerance');
      expect(Math.abs(p.objective - p.theoryObjective) / p.theoryObjective).toBeLessThan(1e-8);
    }
    // The theory at the sweep ends equals the optimizer's ρ̂ there.
    expect(s.ufm[0].rho['2']).toBeCloseTo(s.theory[0].rho['2'], 6);
    expect(s.ufm[2].rho['2']).toBeCloseTo(s.theory[4].rho['2'], 6);
  });

  it('sweeps n₂/n₁ over distinct integer n₂', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'mlnc-sweep-')), 'sweep.json');
    const r = await runCli(['ufm', 'sweep', ...base, '--param', 'ratio', '--from', '0.3', '--to', '1', '--points', '8', '--out', out]);
    expect(r.code).toBe(0);
    const s = JSON.parse(readFileSync(out, 'utf8'));
    expect(s.ufm.map((p: { x: number }) => p.x)).toEqual([1 / 3, 2 / 3, 1]);
  });

  // Regression: a bad --out only failed after the whole sweep had run (and a path under /proc then hung in mkdir).
  it('a bad --out fails before the sweep runs: one line, exit 2, nothing written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlnc-sweep-'));
    writeFileSync(join(dir, 'f'), 'keep');
    const outs: [string, RegExp][] = [[dir, /it is a directory/], [join(dir, 'f', 's.json'), /a part of its folder path is a file/]];
    if (existsSync('/proc/self')) outs.push(['/proc/mlnc-no-such-entry/s.json', /cannot create \/proc\/mlnc-no-such-entry/]);
    for (const [out, message] of outs) {
      const pools = vi.mocked(runTaskPool).mock.calls.length;
      const r = await runCli(['ufm', 'sweep', ...base, '--points', '3', '--theory-points', '3', '--out', out]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
      expect(vi.mocked(runTaskPool).mock.calls.length).toBe(pools);
    }
    expect(readdirSync(dir)).toEqual(['f']);
  });

  it('rejects an empty range with one line and exit 2', async () => {
    const r = await runCli(['ufm', 'sweep', '--from', '1', '--to', '0.5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--to \(0.5\) must be greater than --from \(1\)/);
  });

  it('gives the same numbers on two worker threads as inline (built binary)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlnc-sweep-'));
    const bin = join(import.meta.dirname, '../../dist/src/cli/bin.js');
    const args = ['ufm', 'sweep', ...base, '--points', '4', '--theory-points', '4'];
    const a = spawnSync(process.execPath, [bin, ...args, '--workers', '2', '--out', join(dir, 'a.json')], { encoding: 'utf8' });
    const b = spawnSync(process.execPath, [bin, ...args, '--workers', '1', '--out', join(dir, 'b.json')], { encoding: 'utf8' });
    expect(a.status, a.stderr).toBe(0);
    expect(b.status, b.stderr).toBe(0);
    const strip = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8')).ufm.map((p: { seconds?: number }) => ({ ...p, seconds: 0 }));
    expect(strip('a.json')).toEqual(strip('b.json'));
  });
});
