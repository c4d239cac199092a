/**
 * The run-directory lock: one writer per run directory (train, resume, validate, compare, figures, grid tasks).
 *
 * How it works. The lock is the file DIR/mlnc.lock, created with O_CREAT|O_EXCL (only one creator can succeed) and
 * holding the holder's PID, the PID's start time, the host name, the command and a random nonce. It lives as long as
 * the process: released on normal exit, left behind by a crash or `kill -9`, and then recognised as stale:
 * - on the holder's own host, when that PID no longer runs (or now belongs to a process that started later);
 * - from another host, when the holder's heartbeat is older than STALE_AFTER_SECONDS. A worker thread rewrites the lock
 *   file every HEARTBEAT_SECONDS (a thread of its own, so a main thread busy for minutes in one synchronous
 *   computation still beats). Ages are measured against the file system's clock (the mtime of a probe file created
 *   beside the lock), never against this host's clock, so clock skew between nodes does not matter.
 * A stale lock is broken by renaming it away (only one of several contenders can rename a given file) and then created
 * afresh with O_EXCL. A holder whose lock file was taken from it (only possible when its heartbeat stalled beyond
 * STALE_AFTER_SECONDS) stops the process rather than write on unprotected.
 *
 * What holds on a shared file system (NFS between cluster nodes), and what does not — also in README "Scaling out":
 * - NFSv3 and v4 create with O_EXCL atomically on the server, so two writers on different nodes never both get the
 *   lock. NFSv2 does not (nobody should mount it today).
 * - A crashed holder on another node is recognised only after STALE_AFTER_SECONDS (> attribute-cache time + two
 *   heartbeats); until then a second writer is refused and must retry later (exit code 75).
 * - Two nodes with the same host name, or processes in different PID namespaces of one host, defeat the PID check:
 *   the lock then errs on the side of "held" only if the PID happens to be alive there.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync, fstatSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ensureDirLevels } from '../io/outputPath.js';
import { UserError } from '../util/userError.js';
import { RUN_FILES } from './files.js';

export const LOCK_FILE = RUN_FILES.lock;
/** How often a holder rewrites its lock file. */
export const HEARTBEAT_SECONDS = 15;
/** A lock whose holder runs on another host counts as stale once its last heartbeat is this old. */
export const STALE_AFTER_SECONDS = 120;
/** Exit code of a command refused because another process holds its directory (sysexits EX_TEMPFAIL: try later). */
export const LOCKED_EXIT_CODE = 75;

export interface LockHolder {
  pid: number;
  /** Start time of the PID (Linux /proc/PID/stat field 22), to tell a reused PID from the holder. */
  pidStart?: string;
  hostname: string;
  command: string;
  since: string;
  nonce: string;
}

/** Another live process writes this directory: one line naming it, and exit code 75 (try again later). */
export class RunLockedError extends UserError {
  constructor(message: string, readonly holder: LockHolder | undefined) {
    super(message, { exitCode: LOCKED_EXIT_CODE });
  }
}

export interface RunLock {
  readonly dir: string;
  readonly path: string;
  /** Gives the lock up (idempotent). A directory that the lock itself created, and that is empty again, is removed. */
  release(): void;
}

export type LockState =
  | { state: 'free' }
  | { state: 'held'; holder: LockHolder | undefined }
  | { state: 'stale'; holder: LockHolder | undefined; reason: string };

/** Linux /proc/PID/stat fields after the command name (which may hold spaces and parentheses): state first. */
function procStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The PID's start time (field 22), which tells the holder from a later process that got its PID. */
function procStart(pid: number): string | undefined {
  return procStat(pid)?.[19];
}

function pidRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
  // A killed process stays a zombie until its parent reaps it, which never writes again.
  const state = procStat(pid)?.[0];
  return state !== 'Z' && state !== 'X';
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const h = JSON.parse(text) as Partial<LockHolder>;
    if (typeof h.pid === 'number' && typeof h.hostname === 'string' && typeof h.nonce === 'string') return h as LockHolder;
  } catch {
    // a lock file caught between its creation and its first write, or damaged
  }
  return undefined;
}

function describeHolder(h: LockHolder | undefined): string {
  if (!h) return 'another process (its lock file is being written or is unreadable)';
  return `${h.command ? `"${h.command}" ` : ''}(pid ${h.pid} on ${h.hostname}, since ${h.since})`;
}

/** The file system's current time, read from a probe file created in `dir` (immune to clock skew between nodes). */
function fsNow(dir: string): number {
  const probe = join(dir, `.mlnc-clock-${process.pid}-${randomBytes(4).toString('hex')}`);
  const fd = openSync(probe, 'wx');
  try {
    return fstatSync(fd).mtimeMs;
  } finally {
    closeSync(fd);
    rmSync(probe, { force: true });
  }
}

/** Whether DIR is locked, and by whom; 'stale' says why the holder is taken for dead. */
export function lockState(dir: string): LockState {
  const path = join(resolve(dir), LOCK_FILE);
  let text: string;
  let mtimeMs: number;
  try {
    mtimeMs = statSync(path).mtimeMs;
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return { state: 'free' };
    throw err;
  }
  const holder = parseHolder(text);
  if (holder && holder.hostname === hostname()) {
    if (!pidRuns(holder.pid)) return { state: 'stale', holder, reason: `pid ${holder.pid} no longer runs` };
    const start = procStart(holder.pid);
    if (holder.pidStart !== undefined && start !== undefined && start !== holder.pidStart) {
      return { state: 'stale', holder, reason: `pid ${holder.pid} now belongs to another process` };
    }
    return { state: 'held', holder };
  }
  let age: number;
  try {
    age = (fsNow(dirname(path)) - mtimeMs) / 1000;
  } catch {
    // A directory we cannot write to cannot be ours to take over either.
    return { state: 'held', holder };
  }
  if (age > STALE_AFTER_SECONDS) return { state: 'stale', holder, reason: `no heartbeat for ${Math.round(age)} s` };
  return { state: 'held', holder };
}

/** Locks held by this process, by directory: a second acquisition in the same process shares the first. */
const held = new Map<string, { count: number; lock: OwnLock }>();

interface OwnLock {
  path: string;
  nonce: string;
  heartbeat: Worker | undefined;
  createdDirs: string[];
}

const HEARTBEAT_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const { path, nonce, seconds } = workerData;
setInterval(() => {
  let fd;
  try {
    fd = fs.openSync(path, 'r+');
    const text = fs.readFileSync(fd, 'utf8');
    if (!text.includes(nonce)) { parentPort.postMessage({ lost: text }); return; }
    // Rewriting the content sets the file's mtime on the file server: that is the heartbeat.
    fs.writeSync(fd, text, 0);
    fs.fsyncSync(fd);
  } catch (err) {
    if (err && err.code === 'ENOENT') parentPort.postMessage({ lost: '' });
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}, seconds * 1000);
`;

function startHeartbeat(path: string, nonce: string, dir: string): Worker | undefined {
  let worker: Worker;
  try {
    worker = new Worker(HEARTBEAT_SOURCE, { eval: true, workerData: { path, nonce, seconds: HEARTBEAT_SECONDS } });
  } catch {
    return undefined;
  }
  worker.unref();
  worker.on('message', (m: { lost?: string }) => {
    if (m.lost === undefined) return;
    const by = parseHolder(m.lost);
    process.stderr.write(`mlnc: lost the lock on ${dir} to ${describeHolder(by)} (this process's heartbeat stalled beyond ${STALE_AFTER_SECONDS} s); stopping so that two processes never write it\n`);
    process.exit(LOCKED_EXIT_CODE);
  });
  worker.on('error', () => undefined);
  return worker;
}

function releaseOwn(own: OwnLock): void {
  void own.heartbeat?.terminate();
  try {
    if (parseHolder(readFileSync(own.path, 'utf8'))?.nonce === own.nonce) rmSync(own.path, { force: true });
  } catch {
    // already gone
  }
  removeDirs(own.createdDirs);
}

/** Removes the folders a lock created, innermost first, stopping at the first that is not empty (the run wrote there). */
function removeDirs(created: readonly string[]): void {
  for (const level of [...created].reverse()) {
    try {
      rmdirSync(level);
    } catch {
      break;
    }
  }
}

let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const { lock } of held.values()) releaseOwn(lock);
    held.clear();
  });
}

/** Moves a stale lock file away, unless it changed since it was judged (then it is put back). */
function breakStale(path: string, judged: LockHolder | undefined): void {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return; // someone else broke or released it
    throw err;
  }
  const moved = parseHolder(readFileSync(aside, 'utf8'));
  if (judged && moved && moved.nonce !== judged.nonce) {
    // A new holder replaced the stale lock between our look and our rename: give its lock back.
    try {
      linkSync(aside, path);
    } catch {
      // a third process already made a new lock; the displaced holder will notice at its next heartbeat
    }
  }
  rmSync(aside, { force: true });
}

/** What this process is, as shown to a refused second writer: `mlnc train --resume --out runs/a`. */
function currentCommand(): string {
  const args = process.argv.slice(2).join(' ');
  return args ? `mlnc ${args}` : 'mlnc';
}

/**
 * Takes DIR's lock for this process (creating DIR when missing), or throws RunLockedError naming the holder.
 * `command` says what the holder does (shown to whoever is refused; default: this process's command line).
 */
export function lockRunDir(dirArg: string, command = currentCommand()): RunLock {
  const dir = resolve(dirArg);
  const mine = held.get(dir);
  if (mine) {
    mine.count++;
    return handle(dir, mine.lock);
  }
  const createdDirs = ensureDirLevels(dir);
  const path = join(dir, LOCK_FILE);
  const nonce = randomBytes(12).toString('hex');
  const holder: LockHolder = {
    pid: process.pid, pidStart: procStart(process.pid), hostname: hostname(), command, since: new Date().toISOString(), nonce,
  };
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== 'EEXIST') {
        removeDirs(createdDirs);
        throw new UserError(`cannot lock ${dir}: cannot create ${path} (${code ?? (err as Error).message})`);
      }
      const s = lockState(dir);
      if (s.state === 'stale' && attempt < 5) {
        breakStale(path, s.holder);
        continue;
      }
      if (s.state === 'free' && attempt < 5) continue;
      throw new RunLockedError(`${dir} is in use by ${describeHolder(s.state === 'free' ? undefined : s.holder)}; wait for it to finish or stop it`, s.state === 'free' ? undefined : s.holder);
    }
    try {
      const bytes = Buffer.from(`${JSON.stringify(holder)}\n`, 'utf8');
      writeSync(fd, bytes, 0, bytes.length, 0);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    const own: OwnLock = { path, nonce, heartbeat: startHeartbeat(path, nonce, dir), createdDirs };
    held.set(dir, { count: 1, lock: own });
    installExitHook();
    return handle(dir, own);
  }
}

function handle(dir: string, own: OwnLock): RunLock {
  let released = false;
  return {
    dir,
    path: own.path,
    release() {
      if (released) return;
      released = true;
      const entry = held.get(dir);
      if (!entry || entry.lock !== own) return;
      if (--entry.count > 0) return;
      held.delete(dir);
      releaseOwn(own);
    },
  };
}

/**
 * Runs `fn` with DIR locked, releasing the lock afterwards whatever happens. `waitSeconds`: how long to wait for
 * another holder to let go (for short critical sections such as a grid's manifest); default 0, refuse at once.
 */
export async function withRunLock<T>(dir: string, fn: () => Promise<T> | T, opts: { waitSeconds?: number } = {}): Promise<T> {
  const deadline = Date.now() + 1000 * (opts.waitSeconds ?? 0);
  let lock: RunLock;
  for (;;) {
    try {
      lock = lockRunDir(dir);
      break;
    } catch (err) {
      if (!(err instanceof RunLockedError) || Date.now() >= deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await fn();
  } finally {
    lock.release();
  }
}

/** The lock file's holder as written, if any (for messages and `grid status`). */
export function readLockHolder(dir: string): LockHolder | undefined {
  try {
    return parseHolder(readFileSync(join(resolve(dir), LOCK_FILE), 'utf8'));
  } catch {
    return undefined;
  }
}
