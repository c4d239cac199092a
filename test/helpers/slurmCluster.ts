import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** The test cluster of .ci/slurm/start.sh (a real single-node Slurm: munged, slurmctld, slurmd). */
export const SLURM_PREFIX = process.env.MLNC_SLURM_PREFIX ?? '/tmp/mlnc-slurm';
const SCRIPTS = join(import.meta.dirname, '../../.ci/slurm');

function clusterUp(): boolean {
  const r = spawnSync('scontrol', ['ping'], { encoding: 'utf8' });
  return r.status === 0 && /is UP/.test(r.stdout);
}

function installed(): boolean {
  return spawnSync('sh', ['-c', 'command -v slurmctld && command -v sbatch && command -v munged'], { encoding: 'utf8' }).status === 0;
}

/**
 * Points this process (and its children) at the test cluster, starting it when it is not running (CI's .ci/run has
 * usually started it already). Returns whether it was started here, so that the caller stops only what it started.
 */
export function ensureSlurmCluster(): boolean {
  process.env.SLURM_CONF ??= join(SLURM_PREFIX, 'etc', 'slurm.conf');
  if (clusterUp()) return false;
  if (!installed()) {
    throw new Error('no Slurm cluster for the Slurm executor tests: run .ci/slurm/start.sh first (as root it installs slurm-wlm and munge with apt)');
  }
  execFileSync('bash', [join(SCRIPTS, 'start.sh')], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, MLNC_SLURM_PREFIX: SLURM_PREFIX } });
  return true;
}

export function stopSlurmCluster(): void {
  execFileSync('bash', [join(SCRIPTS, 'stop.sh')], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, MLNC_SLURM_PREFIX: SLURM_PREFIX } });
}

export function slurm(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8' });
}

/** Task states of a job array, e.g. { 0: 'RUNNING', 1: 'PENDING' } (scontrol keeps ended tasks for MinJobAge). */
export function taskStates(jobId: string): Record<number, { state: string; reason: string }> {
  const out: Record<number, { state: string; reason: string }> = {};
  for (const line of slurm('scontrol', ['-o', 'show', 'job', jobId]).split('\n')) {
    const task = /\bArrayTaskId=(\d+)\b/.exec(line)?.[1];
    const state = /\bJobState=(\S+)/.exec(line)?.[1];
    if (task !== undefined && state) out[Number(task)] = { state, reason: /\bReason=(\S+)/.exec(line)?.[1] ?? '' };
  }
  return out;
}

/** Whether any task of the job is still queued or running. */
export function jobActive(jobId: string): boolean {
  return slurm('squeue', ['-h', '-r', '-j', jobId, '-t', 'PD,R,CF,CG,RQ,S', '-o', '%i']).trim() !== '';
}
