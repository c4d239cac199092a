/**
 * Each run's state, from what is on disk (its run directory, its lock, its last attempt) and, for submitted runs,
 * what Slurm says:
 *   done     the metrics log reaches the configured epochs;
 *   running  a live process holds the run's lock, or its Slurm task is running;
 *   pending  not started, interrupted cleanly, or its Slurm task is queued;
 *   failed   the last attempt exited non-zero, or Slurm ended its task (cancelled, timeout, node failure, ...);
 *   stale    a lock left by a process that died (a rerun of `grid run` takes it over and resumes).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { MetricsLine } from '../run/index.js';
import { lockState } from '../run/lock.js';
import type { GridRun } from './expand.js';
import type { GridDir } from './gridDir.js';
import { readRunProgress, type RunProgress } from './runProgress.js';
import { ACTIVE_STATES, type SlurmTaskState } from './slurm.js';

export type RunStateName = 'pending' | 'running' | 'done' | 'failed' | 'stale';

export interface Attempt {
  executor: 'local' | 'slurm';
  host?: string;
  task?: string;
  pid?: number;
  at?: string;
  /** null while the attempt runs (or when it was killed before it could say how it ended). */
  exitCode: number | null;
  signal?: string | null;
}

export interface RunStatus {
  name: string;
  state: RunStateName;
  /** Epochs done, and the total. */
  epoch: number | null;
  epochs: number | null;
  /** The last NC line: epoch, nc1, nc2W, nc2H, nc3, tagAngle. */
  lastNc: MetricsLine | null;
  detail: string;
  slurm?: SlurmTaskState;
  progress: RunProgress;
}

export function readAttempt(grid: GridDir, name: string): Attempt | undefined {
  const p = grid.statePath(name);
  if (!existsSync(p)) return undefined;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as Attempt;
  } catch {
    return undefined;
  }
}

/** The last non-empty line of a run's log (usually the error of a failed attempt). */
export function lastLogLine(grid: GridDir, name: string): string {
  try {
    const lines = readFileSync(grid.logPath(name), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
    return lines[lines.length - 1] ?? '';
  } catch {
    return '';
  }
}

export function runStatus(grid: GridDir, run: GridRun, slurm?: SlurmTaskState): RunStatus {
  const dir = grid.runDir(run.name);
  const progress = readRunProgress(dir);
  const base = { name: run.name, epoch: progress.lastEpoch, epochs: progress.epochs, lastNc: progress.lastNc, progress, ...(slurm ? { slurm } : {}) };
  const at = (state: RunStateName, detail: string): RunStatus => ({ ...base, state, detail });
  if (progress.finished) return at('done', '');
  const lock = lockState(dir);
  if (lock.state === 'held') {
    const h = lock.holder;
    return at('running', h ? `pid ${h.pid} on ${h.hostname}${slurm ? `, Slurm task ${slurm.task}` : ''}` : 'lock held');
  }
  if (slurm && ACTIVE_STATES.has(slurm.state)) {
    return at(slurm.state === 'PENDING' ? 'pending' : 'running', `Slurm task ${slurm.task} ${slurm.state}${slurm.reason && slurm.reason !== 'None' ? ` (${slurm.reason})` : ''}`);
  }
  const attempt = readAttempt(grid, run.name);
  if (slurm && slurm.state !== 'COMPLETED') {
    return at('failed', `Slurm task ${slurm.task} ${slurm.state}${lock.state === 'stale' ? '; its lock is stale' : ''}; mlnc grid run resumes it`);
  }
  if (lock.state === 'stale') return at('stale', `lock left by a dead process (${lock.reason}); mlnc grid run resumes it`);
  if (progress.problem) return at('failed', progress.problem);
  if (attempt && attempt.exitCode !== null && attempt.exitCode !== 0) {
    return at('failed', `exit code ${attempt.exitCode}${attempt.task ? ` (Slurm task ${attempt.task})` : ''}: ${lastLogLine(grid, run.name)}`);
  }
  if (attempt && attempt.exitCode === null && attempt.signal) return at('failed', `killed by ${attempt.signal}`);
  if (progress.started) return at('pending', `interrupted at epoch ${progress.lastEpoch ?? 0} of ${progress.epochs ?? '?'}; mlnc grid run resumes it`);
  return at('pending', 'not started');
}
