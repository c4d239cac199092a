/**
 * The local executor: every run as its own `mlnc train` process on this machine, at most `jobs` at a time. A run
 * already done is skipped; one whose lock a live process holds (another `grid run`, a Slurm task) is left to it; the
 * others start, or resume from their newest checkpoint (`train --resume-if-exists`). Killing this process loses nothing: its runs stop with their last
 * checkpoint (or keep running, if only this process was killed), and a rerun continues every one of them.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { writeJsonAtomic } from '../io/atomicWrite.js';
import { ensureDir } from '../io/outputPath.js';
import { LOCKED_EXIT_CODE } from '../run/lock.js';
import type { GridRun } from './expand.js';
import type { GridDir } from './gridDir.js';
import { lastLogLine, runStatus, type Attempt } from './status.js';

export interface LocalOptions {
  jobs: number;
  /** Working directory of every run (the manifest's). */
  cwd: string;
  node: string;
  bin: string;
  log: (message: string) => void;
}

export interface LocalSummary {
  done: string[];
  /** Already done before this call. */
  skipped: string[];
  /** Held by another live process. */
  elsewhere: string[];
  failed: { name: string; reason: string }[];
}

/**
 * The `mlnc train` arguments of every attempt of a run: its flags with --resume-if-exists, so that the run is started
 * or resumed as its directory says, decided under the run's lock (two grid processes never both start it).
 */
export function attemptArgs(grid: GridDir, run: GridRun): string[] {
  return ['train', ...run.args, '--out', grid.runDir(run.name), '--resume-if-exists'];
}

export async function runLocal(grid: GridDir, runs: readonly GridRun[], o: LocalOptions): Promise<LocalSummary> {
  const summary: LocalSummary = { done: [], skipped: [], elsewhere: [], failed: [] };
  const todo: GridRun[] = [];
  for (const run of runs) {
    const s = runStatus(grid, run);
    if (s.state === 'done') summary.skipped.push(run.name);
    else if (s.state === 'running') {
      summary.elsewhere.push(run.name);
      o.log(`${run.name}: already running (${s.detail}); left to that process`);
    } else todo.push(run);
  }
  ensureDir(join(grid.root, 'logs'));
  const children = new Set<ReturnType<typeof spawn>>();
  // Ctrl-C reaches the children through the process group; a SIGTERM sent to this process alone is passed on, so
  // that no run keeps going unseen (each stops with its last checkpoint and a rerun resumes it).
  const forward = (sig: NodeJS.Signals) => {
    for (const c of children) c.kill(sig);
    process.exitCode = 130;
  };
  const onTerm = () => forward('SIGTERM');
  const onInt = () => forward('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  let stopping = false;
  const attempt = (run: GridRun): Promise<void> => new Promise((resolve) => {
    const s = runStatus(grid, run);
    const args = attemptArgs(grid, run);
    const logFd = openSync(grid.logPath(run.name), 'a');
    writeSync(logFd, `== ${new Date().toISOString()} ${hostname()} local: mlnc ${args.join(' ')}\n`);
    const child = spawn(o.node, [o.bin, ...args], { cwd: o.cwd, stdio: ['ignore', logFd, logFd] });
    children.add(child);
    const state: Attempt = { executor: 'local', host: hostname(), pid: child.pid, at: new Date().toISOString(), exitCode: null };
    writeJsonAtomic(grid.statePath(run.name), state);
    o.log(`${run.name}: ${s.progress.started ? `resuming from epoch ${s.epoch ?? 0}` : 'starting'}`);
    child.on('close', (code, signal) => {
      children.delete(child);
      closeSync(logFd);
      if (code === LOCKED_EXIT_CODE) {
        // Another process took the run between our look and the child's lock: not a failure of the run.
        summary.elsewhere.push(run.name);
        o.log(`${run.name}: taken by another process meanwhile; left to it`);
        resolve();
        return;
      }
      writeJsonAtomic(grid.statePath(run.name), { ...state, at: new Date().toISOString(), exitCode: code, signal });
      if (code === 0) {
        summary.done.push(run.name);
        o.log(`${run.name}: done`);
      } else {
        const reason = signal ? `killed by ${signal}` : `exit code ${code}: ${lastLogLine(grid, run.name)}`;
        summary.failed.push({ name: run.name, reason });
        o.log(`${run.name}: failed (${reason}); log ${grid.logPath(run.name)}`);
        if (signal) stopping = true;
      }
      resolve();
    });
  });
  try {
    let next = 0;
    const worker = async () => {
      while (next < todo.length && !stopping && process.exitCode !== 130) await attempt(todo[next++]);
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(o.jobs, todo.length)) }, worker));
  } finally {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
  }
  return summary;
}
