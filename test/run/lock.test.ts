import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  LOCK_FILE, LOCKED_EXIT_CODE, lockRunDir, lockState, readLockHolder, RunLockedError, STALE_AFTER_SECONDS,
} from '../../src/run/lock.js';
import { openRunDir } from '../../src/run/index.js';
import { runMlnc, startMlnc, waitFor } from '../helpers/mlncProcess.js';

const root = mkdtempSync(join(tmpdir(), 'mlnc-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const LOCK_MODULE = join(import.meta.dirname, '../../dist/src/run/lock.js');

/** Another process that takes DIR's lock, says so on stdout, and holds it until its stdin closes. */
function holderProcess(dir: string) {
  const code = `const { lockRunDir } = await import(${JSON.stringify(LOCK_MODULE)});
lockRunDir(${JSON.stringify(dir)}, 'test holder'); process.stdout.write('locked\\n');
process.stdin.resume(); process.stdin.on('end', () => process.exit(0));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['pipe', 'pipe', 'inherit'] });
  const locked = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => { if (d.toString().includes('locked')) resolve(); });
    child.on('exit', (c) => reject(new Error(`holder exited with ${c}`)));
  });
  return { child, locked };
}

function writeForeignLock(dir: string, host: string, pid: number, ageSeconds: number): void {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, LOCK_FILE);
  writeFileSync(path, JSON.stringify({ pid, hostname: host, command: 'mlnc train --out x', since: '2024-01-01T00:00:00.000Z', nonce: `n${pid}` }));
  const t = Date.now() / 1000 - ageSeconds;
  utimesSync(path, t, t);
}

describe('run-directory lock', () => {
  it('refuses a second process with one line naming the holder, and frees the directory when the holder exits', async () => {
    const dir = join(root, 'held');
    const h = holderProcess(dir);
    await h.locked;
    expect(lockState(dir).state).toBe('held');
    let err: unknown;
    try {
      lockRunDir(dir, 'second');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RunLockedError);
    const msg = (err as Error).message;
    expect(msg).not.toMatch(/\n/);
    expect(msg).toContain(`pid ${h.child.pid} on ${hostname()}`);
    expect(msg).toContain('"test holder"');
    expect((err as RunLockedError).exitCode).toBe(LOCKED_EXIT_CODE);
    h.child.stdin.end();
    await new Promise((r) => h.child.on('close', r));
    expect(lockState(dir).state).toBe('free');
    lockRunDir(dir, 'third').release();
  });

  it('takes over the lock of a killed holder on this host (kill -9 leaves the file behind)', async () => {
    const dir = join(root, 'killed');
    const h = holderProcess(dir);
    await h.locked;
    h.child.kill('SIGKILL');
    await new Promise((r) => h.child.on('close', r));
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
    const s = lockState(dir);
    expect(s.state).toBe('stale');
    expect(s.state === 'stale' && s.reason).toMatch(/no longer runs/);
    const lock = lockRunDir(dir, 'successor');
    expect(readLockHolder(dir)?.pid).toBe(process.pid);
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('judges a holder on another host by its heartbeat, against the file system clock', () => {
    const fresh = join(root, 'other-host-fresh');
    writeForeignLock(fresh, 'node-that-is-not-here', 4242, 5);
    expect(lockState(fresh).state).toBe('held');
    expect(() => lockRunDir(fresh, 'x')).toThrow(/in use by "mlnc train --out x" \(pid 4242 on node-that-is-not-here/);
    const old = join(root, 'other-host-old');
    writeForeignLock(old, 'node-that-is-not-here', 4242, STALE_AFTER_SECONDS + 30);
    expect(lockState(old)).toMatchObject({ state: 'stale', reason: expect.stringMatching(/no heartbeat for \d+ s/) });
    const lock = lockRunDir(old, 'x');
    expect(readLockHolder(old)?.hostname).toBe(hostname());
    lock.release();
  });

  it('is shared within one process, and a directory it created is removed again when nothing was written', () => {
    const dir = join(root, 'fresh', 'run');
    const a = lockRunDir(dir, 'a');
    const b = lockRunDir(dir, 'b');
    b.release();
    expect(lockState(dir).state).toBe('held');
    a.release();
    expect(existsSync(join(root, 'fresh'))).toBe(false);
  });
});

// Regression (issue 10, item 1): a second `train --resume` on the same --out ran beside the first and mixed the two
// trajectories in the checkpoints and the log; both exited 0.
describe('concurrent writers of one run directory', () => {
  it('a concurrent --resume on the same --out is refused with the holder named, and the first run ends intact', async () => {
    const out = join(root, 'run');
    const cache = join(root, 'cache');
    const tiny = ['--counts', '3,1', '--width', '2', '--batch-size', '25', '--nc-every', '1', '--workers', '1', '--cache-dir', cache];
    const first = await runMlnc(['train', ...tiny, '--epochs', '1', '--out', out]);
    expect(first.code, first.stderr).toBe(0);
    // Long enough (about 7 s) for the two refused commands to start while it runs.
    const a = startMlnc(['train', '--resume', '--epochs', '16', '--out', out]);
    await waitFor('the first resume to hold the lock', () => readLockHolder(out)?.pid === a.child.pid);
    const [b, fresh] = await Promise.all([
      runMlnc(['train', '--resume', '--epochs', '30', '--out', out]),
      runMlnc(['train', ...tiny, '--epochs', '2', '--out', out]),
    ]);
    expect(a.child.exitCode, 'the first run must still be running when the others are refused').toBeNull();
    const ra = await a.done;
    expect(ra.code, ra.stderr).toBe(0);
    for (const r of [b, fresh]) {
      expect(r.code).toBe(LOCKED_EXIT_CODE);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      const lines = r.stderr.trim().split('\n').filter((l) => l.startsWith('mlnc:'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^mlnc: .*run is in use by "mlnc train --resume --epochs 16 --out .*run" \\(pid ${a.child.pid} on `));
    }
    const lines = openRunDir(out).readMetrics();
    expect(lines.map((l) => l.epoch)).toEqual(Array.from({ length: 17 }, (_, i) => i));
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).train.epochs).toBe(16);
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
  });
});
