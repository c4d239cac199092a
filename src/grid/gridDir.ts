/**
 * The grid directory: the one place that knows its layout.
 *   grid.json          manifest: plan, expansion, mlnc version, working directory of the runs
 *   runs/NAME/         one run directory per run (written by `mlnc train`)
 *   logs/NAME.log      each run's output, appended by every attempt
 *   state/NAME.json    the last attempt of each run: executor, host, exit code
 *   slurm/             job-array scripts, jobs.json (the job ids and which run each array task is), Slurm's own logs
 *   report/            `mlnc grid report` output
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeJsonAtomic } from '../io/atomicWrite.js';
import { mlncVersion } from '../io/packageInfo.js';
import type { Expansion, GridRun } from './expand.js';
import { GridError } from './gridError.js';
import type { Plan } from './plan.js';

export const MANIFEST_FILE = 'grid.json';

export interface Manifest {
  mlncVersion: string;
  name: string;
  planFile: string;
  /** Working directory of every run (relative paths in the plan, such as a cache folder, resolve against it). */
  cwd: string;
  plan: Plan;
  varying: string[];
  runs: GridRun[];
  createdAt: string;
  updatedAt: string;
}

export class GridDir {
  readonly root: string;
  constructor(root: string) {
    this.root = resolve(root);
  }
  get manifestPath(): string { return join(this.root, MANIFEST_FILE); }
  runDir(name: string): string { return join(this.root, 'runs', name); }
  logPath(name: string): string { return join(this.root, 'logs', `${name}.log`); }
  statePath(name: string): string { return join(this.root, 'state', `${name}.json`); }
  get slurmDir(): string { return join(this.root, 'slurm'); }
  get reportDir(): string { return join(this.root, 'report'); }

  readManifest(): Manifest {
    if (!existsSync(this.manifestPath)) throw new GridError(`${this.root} is not a grid directory (no ${MANIFEST_FILE}); start one with mlnc grid run PLAN --out ${this.root}`);
    try {
      return JSON.parse(readFileSync(this.manifestPath, 'utf8')) as Manifest;
    } catch (err) {
      throw new GridError(`${this.manifestPath} is damaged (${(err as Error).message.split('\n')[0]})`);
    }
  }

  /**
   * Records the plan's expansion. A grid directory made from an earlier plan accepts a plan that keeps every run it
   * shares with it unchanged (adding runs, e.g. seeds, is fine); a run whose flags changed would mix two experiments
   * under one name, so that is refused.
   */
  writeManifest(m: { name: string; planFile: string; plan: Plan; expansion: Expansion; cwd: string }): Manifest {
    const now = new Date().toISOString();
    let createdAt = now;
    let cwd = m.cwd;
    if (existsSync(this.manifestPath)) {
      const old = this.readManifest();
      const before = new Map(old.runs.map((r) => [r.name, r]));
      for (const r of m.expansion.runs) {
        const o = before.get(r.name);
        if (o && JSON.stringify(o.args) !== JSON.stringify(r.args)) {
          throw new GridError(`${this.root} holds run ${r.name} with other flags (${o.args.join(' ')}) than this plan gives it (${r.args.join(' ')}); use another --out`);
        }
      }
      createdAt = old.createdAt;
      cwd = old.cwd;
    }
    const manifest: Manifest = {
      mlncVersion: mlncVersion(), name: m.name, planFile: resolve(m.planFile), cwd, plan: m.plan,
      varying: m.expansion.varying, runs: m.expansion.runs, createdAt, updatedAt: now,
    };
    writeJsonAtomic(this.manifestPath, manifest);
    return manifest;
  }
}
