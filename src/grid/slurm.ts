/**
 * The Slurm executor: one sbatch job-array script per submission (one array task per run, `--requeue`,
 * `--open-mode=append`), submitted with `sbatch`; the job ids and the run behind each array task are recorded in
 * GRID_DIR/slurm/jobs.json. Queries use `squeue` (queued and running tasks) and `scontrol show job` (also tasks that
 * ended in the last MinJobAge seconds); never `sacct`, which needs slurmdbd.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomicWrite.js';
import type { GridRun } from './expand.js';
import type { GridDir, Manifest } from './gridDir.js';
import { GridError } from './gridError.js';
import type { SlurmPlan } from './plan.js';

export type SlurmResources = SlurmPlan;

export interface SlurmJob {
  jobId: string;
  script: string;
  submittedAt: string;
  /** The run of array task i is tasks[i]. */
  tasks: string[];
}

export interface SlurmTaskState {
  /** e.g. "123_4". */
  task: string;
  /** Slurm's job state: PENDING, RUNNING, COMPLETED, CANCELLED, FAILED, TIMEOUT, ... */
  state: string;
  reason: string;
  node: string;
}

/** Slurm states in which a task still holds or waits for resources. */
export const ACTIVE_STATES = new Set(['PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'RESIZING', 'SUSPENDED', 'STOPPED', 'SIGNALING', 'STAGE_OUT']);

/** Single-quoted for bash. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export interface ScriptInput {
  grid: GridDir;
  manifest: Manifest;
  runs: readonly GridRun[];
  resources: SlurmResources;
  /** The node binary and mlnc's bin.js as seen from the compute nodes (a shared file system). */
  node: string;
  bin: string;
}

/** The job-array script (pure: the same input gives the same text). */
export function sbatchScript(s: ScriptInput): string {
  const r = s.resources;
  const n = s.runs.length;
  if (n === 0) throw new GridError('no runs to submit');
  const sb = (line: string) => `#SBATCH ${line}`;
  const lines = [
    '#!/bin/bash',
    `# mlnc grid "${s.manifest.name}": ${n} run(s), one array task each. Written by mlnc grid run --executor slurm;`,
    '# a requeued or resubmitted task continues its run from the last checkpoint (mlnc train --resume-if-exists).',
    sb(`--job-name=mlnc-${s.manifest.name}`),
    sb(`--array=0-${n - 1}${r.arrayLimit ? `%${r.arrayLimit}` : ''}`),
    sb('--requeue'),
    sb('--open-mode=append'),
    sb(`--output=${join(s.grid.slurmDir, 'slurm-%A_%a.out')}`),
    sb(`--chdir=${s.manifest.cwd}`),
    sb(`--cpus-per-task=${r.cpusPerTask ?? 1}`),
    ...(r.partition ? [sb(`--partition=${r.partition}`)] : []),
    ...(r.time ? [sb(`--time=${r.time}`)] : []),
    ...(r.mem ? [sb(`--mem=${r.mem}`)] : []),
    ...(r.gres ? [sb(`--gres=${r.gres}`)] : []),
    ...(r.account ? [sb(`--account=${r.account}`)] : []),
    ...(r.qos ? [sb(`--qos=${r.qos}`)] : []),
    ...(r.extra ?? []).map(sb),
    '',
    'set -u',
    `GRID=${shellQuote(s.grid.root)}`,
    'case "${SLURM_ARRAY_TASK_ID:?not a Slurm array task}" in',
    ...s.runs.map((run, i) => `  ${i}) NAME=${shellQuote(run.name)}; ARGS=(${run.args.map(shellQuote).join(' ')}) ;;`),
    '  *) echo "mlnc grid: no run for array task $SLURM_ARRAY_TASK_ID" >&2; exit 2 ;;',
    'esac',
    'RUN="$GRID/runs/$NAME"; LOG="$GRID/logs/$NAME.log"; STATE="$GRID/state/$NAME.json"',
    'TASK="${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"; HOST="$(hostname -s)"',
    'mkdir -p "$GRID/logs" "$GRID/state"',
    'state() { printf \'{"executor":"slurm","task":"%s","host":"%s","at":"%s","exitCode":%s}\\n\' "$TASK" "$HOST" "$(date -u +%FT%TZ)" "$1" > "$STATE.$$.tmp" && mv -f "$STATE.$$.tmp" "$STATE"; }',
    '# Starts the run, or resumes it from its newest checkpoint when its directory holds it (decided under its lock).',
    'set -- "${ARGS[@]}" --out "$RUN" --resume-if-exists',
    'echo "== $(date -u +%FT%TZ) $HOST slurm task $TASK (restart ${SLURM_RESTART_COUNT:-0}): mlnc train $*" >> "$LOG"',
    'state null',
    `${shellQuote(s.node)} ${shellQuote(s.bin)} train "$@" >> "$LOG" 2>&1`,
    'rc=$?',
    'state "$rc"',
    'exit "$rc"',
    '',
  ];
  return lines.join('\n');
}

function slurmCommand(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { code?: string; stderr?: string; status?: number };
    if (e.code === 'ENOENT') throw new GridError(`${cmd} not found: the Slurm executor needs Slurm's commands on this machine (a login node)`);
    const msg = (e.stderr ?? '').trim().split('\n').pop() || `exit code ${e.status}`;
    throw new GridError(`${cmd} ${args.join(' ')} failed: ${msg}`);
  }
}

function jobsPath(grid: GridDir): string {
  return join(grid.slurmDir, 'jobs.json');
}

export function readJobs(grid: GridDir): SlurmJob[] {
  const p = jobsPath(grid);
  if (!existsSync(p)) return [];
  try {
    return (JSON.parse(readFileSync(p, 'utf8')) as { jobs: SlurmJob[] }).jobs;
  } catch (err) {
    throw new GridError(`${p} is damaged (${(err as Error).message.split('\n')[0]})`);
  }
}

/** Writes the script, submits it with sbatch and records the job id (call with the grid directory locked). */
export function submitArray(s: ScriptInput): SlurmJob {
  const jobs = readJobs(s.grid);
  const script = join(s.grid.slurmDir, `grid-${jobs.length + 1}.sbatch`);
  writeFileAtomic(script, sbatchScript(s));
  const out = slurmCommand('sbatch', ['--parsable', script]).trim();
  const jobId = out.split(';')[0];
  if (!/^\d+$/.test(jobId)) throw new GridError(`sbatch answered "${out}", not a job id`);
  const job: SlurmJob = { jobId, script, submittedAt: new Date().toISOString(), tasks: s.runs.map((r) => r.name) };
  writeJsonAtomic(jobsPath(s.grid), { jobs: [...jobs, job] });
  return job;
}

/** "3", "0-3", "1,4-6%2" → the task indices. */
export function parseTaskIds(spec: string): number[] {
  const out: number[] = [];
  for (const part of spec.split('%')[0].split(',')) {
    const m = /^(\d+)(?:-(\d+))?(?::(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    const step = m[3] === undefined ? 1 : Number(m[3]);
    for (let i = a; i <= b; i += step) out.push(i);
  }
  return out;
}

/** Parses `scontrol -o show job` output: one record per line, `Key=Value` fields. */
export function parseScontrol(text: string): { arrayJobId: string; taskIds: number[]; state: string; reason: string; node: string }[] {
  const out = [];
  for (const line of text.split('\n')) {
    const field = (k: string) => new RegExp(`(?:^|\\s)${k}=(\\S*)`).exec(line)?.[1];
    const arrayJobId = field('ArrayJobId');
    const taskSpec = field('ArrayTaskId');
    const state = field('JobState');
    if (!arrayJobId || taskSpec === undefined || !state) continue;
    out.push({ arrayJobId, taskIds: parseTaskIds(taskSpec), state, reason: field('Reason') ?? '', node: field('NodeList') ?? '' });
  }
  return out;
}

/** Parses `squeue -h -r -o '%i|%T|%r|%N'` output. */
export function parseSqueue(text: string): { arrayJobId: string; taskIds: number[]; state: string; reason: string; node: string }[] {
  const out = [];
  for (const line of text.split('\n')) {
    const [id, state, reason, node] = line.trim().split('|');
    const m = /^(\d+)_(\[?)([^\]]*)\]?$/.exec(id ?? '');
    if (!m || !state) continue;
    out.push({ arrayJobId: m[1], taskIds: parseTaskIds(m[3]), state, reason: reason ?? '', node: node ?? '' });
  }
  return out;
}

/**
 * The newest Slurm state of every run that was submitted: squeue for queued and running tasks, scontrol for tasks
 * that squeue no longer lists (ended less than MinJobAge ago). Jobs Slurm has forgotten give no entry.
 */
export function slurmStates(grid: GridDir): Map<string, SlurmTaskState> {
  const jobs = readJobs(grid);
  const states = new Map<string, SlurmTaskState>();
  for (const job of jobs) {
    const seen = new Map<number, SlurmTaskState>();
    const put = (recs: ReturnType<typeof parseSqueue>) => {
      for (const r of recs) {
        if (r.arrayJobId !== job.jobId) continue;
        for (const i of r.taskIds) if (!seen.has(i)) seen.set(i, { task: `${job.jobId}_${i}`, state: r.state, reason: r.reason, node: r.node });
      }
    };
    put(parseSqueue(querySilently('squeue', ['-h', '-r', '-j', job.jobId, '-o', '%i|%T|%r|%N'])));
    put(parseScontrol(querySilently('scontrol', ['-o', 'show', 'job', job.jobId])));
    for (const [i, s] of seen) if (job.tasks[i] !== undefined) states.set(job.tasks[i], s);
  }
  return states;
}

/** A query whose failure means "Slurm does not know this job any more" (its records expired): empty output. */
function querySilently(cmd: string, args: string[]): string {
  try {
    return slurmCommand(cmd, args);
  } catch (err) {
    if ((err as Error).message.includes('not found: the Slurm executor')) throw err;
    return '';
  }
}
