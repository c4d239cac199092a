/**
 * The Slurm executor against a real single-node Slurm cluster (.ci/slurm/start.sh; CI's .ci/run starts it): submit a
 * tiny grid as one job array, requeue one running task, cancel another, rerun grid run, and check every run and the
 * report against the same plan run by the local executor.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMlnc, waitFor } from '../helpers/mlncProcess.js';
import { ensureSlurmCluster, jobActive, slurm, stopSlurmCluster, taskStates } from '../helpers/slurmCluster.js';
import { lastEpochOf, logOf, metricsOf, TINY_PLAN, TINY_RUNS } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'mlnc-grid-slurm-'));
// The tiny plan with 8 epochs: long enough to requeue and cancel tasks while they run.
const plan = join(root, 'tiny8.json');
const EPOCHS = 8;
const local = join(root, 'local');
const onSlurm = join(root, 'slurm');
let startedHere = false;

beforeAll(async () => {
  startedHere = ensureSlurmCluster();
  const tiny = JSON.parse(readFileSync(TINY_PLAN, 'utf8'));
  writeFileSync(plan, JSON.stringify({ ...tiny, train: { ...tiny.train, epochs: EPOCHS } }));
  const r = await runMlnc(['grid', 'run', plan, '--out', local, '--jobs', '2']);
  expect(r.code, r.stderr).toBe(0);
}, 300_000);

afterAll(() => {
  // Never leave a task behind, whatever failed.
  for (const job of JSON.parse(safeRead(join(onSlurm, 'slurm', 'jobs.json')) ?? '{"jobs":[]}').jobs as { jobId: string }[]) {
    try { slurm('scancel', [job.jobId]); } catch { /* already gone */ }
  }
  if (startedHere) stopSlurmCluster();
  rmSync(root, { recursive: true, force: true });
});

function safeRead(p: string): string | undefined {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

async function statusOf(dir: string) {
  const r = await runMlnc(['grid', 'status', dir, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { name: string; state: string; detail: string }[];
}

async function submit(): Promise<{ jobId: string; tasks: number }> {
  const r = await runMlnc(['grid', 'run', plan, '--out', onSlurm, '--executor', 'slurm', '--jobs', '2']);
  expect(r.code, r.stderr).toBe(0);
  const m = /submitted Slurm job (\d+): (\d+) array task/.exec(r.stdout);
  expect(m, r.stdout).not.toBeNull();
  return { jobId: m![1], tasks: Number(m![2]) };
}

describe('mlnc grid run --executor slurm (real Slurm)', () => {
  it('--dry-run prints the job-array script and submits nothing', async () => {
    const r = await runMlnc(['grid', 'run', plan, '--out', join(root, 'dry'), '--executor', 'slurm', '--dry-run', '--jobs', '2', '--time', '00:30:00', '--mem', '2G', '--partition', 'debug']);
    expect(r.code, r.stderr).toBe(0);
    for (const line of ['#SBATCH --array=0-3%2', '#SBATCH --requeue', '#SBATCH --open-mode=append', '#SBATCH --time=00:30:00', '#SBATCH --mem=2G', '#SBATCH --partition=debug', '#SBATCH --cpus-per-task=1']) {
      expect(r.stdout).toContain(line);
    }
    expect(r.stdout).toMatch(/set -- "\$\{ARGS\[@\]\}" --out "\$RUN" --resume-if-exists/);
    expect(safeRead(join(root, 'dry', 'grid.json'))).toBeUndefined();
  });

  it('runs the grid as one job array: a requeued task resumes from its checkpoint, a cancelled one shows as failed and a rerun completes it; every run and the report equal the local executor\'s', async () => {
    const first = await submit();
    expect(first.tasks).toBe(4);
    const jobs = JSON.parse(readFileSync(join(onSlurm, 'slurm', 'jobs.json'), 'utf8')).jobs;
    expect(jobs).toEqual([expect.objectContaining({ jobId: first.jobId, tasks: TINY_RUNS })]);

    // Requeue task 0 in the middle of its run; Slurm holds a requeued job (BeginTime) until told to start it.
    const [r0, r1] = TINY_RUNS;
    await waitFor('task 0 to train two epochs', () => lastEpochOf(onSlurm, r0) >= 2, 180_000);
    expect(lastEpochOf(onSlurm, r0)).toBeLessThan(EPOCHS);
    slurm('scontrol', ['requeue', `${first.jobId}_0`]);
    await waitFor('the requeued task to be pending', () => taskStates(first.jobId)[0]?.state === 'PENDING', 60_000, 200);
    const epochAtRequeue = lastEpochOf(onSlurm, r0);
    slurm('scontrol', ['update', `JobId=${first.jobId}_0`, 'StartTime=now']);

    // Cancel task 1 while it trains.
    await waitFor('task 1 to train an epoch', () => lastEpochOf(onSlurm, r1) >= 1, 180_000);
    expect(lastEpochOf(onSlurm, r1)).toBeLessThan(EPOCHS);
    slurm('scancel', [`${first.jobId}_1`]);
    await waitFor('the job array to end', () => !jobActive(first.jobId), 300_000, 500);

    const afterCancel = await statusOf(onSlurm);
    expect(afterCancel.map((s) => s.state)).toEqual(['done', 'failed', 'done', 'done']);
    expect(afterCancel[1].detail).toMatch(new RegExp(`^Slurm task ${first.jobId}_1 CANCELLED`));

    const second = await submit();
    expect(second.tasks).toBe(1);
    await waitFor('the resubmitted task to end', () => !jobActive(second.jobId), 300_000, 500);
    expect((await statusOf(onSlurm)).map((s) => s.state)).toEqual(['done', 'done', 'done', 'done']);

    // The requeued task ran twice (restart 1) and its second attempt resumed from a checkpoint.
    const log0 = logOf(onSlurm, r0);
    expect(log0).toMatch(new RegExp(`slurm task ${first.jobId}_0 \\(restart 1\\): mlnc train .* --resume-if-exists`));
    const resumedAt = Number(/resuming .* \(epoch (\d+) of 8\)/.exec(log0)?.[1]);
    expect(resumedAt).toBeGreaterThanOrEqual(1);
    expect(resumedAt).toBeLessThanOrEqual(epochAtRequeue);
    expect(logOf(onSlurm, r1)).toMatch(new RegExp(`slurm task ${second.jobId}_0 \\(restart 0\\): mlnc train .* --resume-if-exists\\n(.*\\n)*resuming .* \\(epoch [0-7] of 8\\)`));
    for (const run of TINY_RUNS) expect(metricsOf(onSlurm, run), run).toEqual(metricsOf(local, run));

    const [a, b] = await Promise.all([runMlnc(['grid', 'report', local, '--json', '--no-png']), runMlnc(['grid', 'report', onSlurm, '--json', '--no-png'])]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(JSON.parse(b.stdout)).toEqual(JSON.parse(a.stdout));
  });
});
