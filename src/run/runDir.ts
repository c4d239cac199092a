/**
 * The one reader and writer of a run directory. Everything that touches RUN_DIR — train (start and resume), validate,
 * compare, figures and the CLI — opens it with `openRunDir` and goes through the returned RunDir, which knows the
 * layout (files.ts, checkpoints.ts), validates what it reads (config.ts, metrics.ts), writes atomically, and reports a
 * missing, damaged or foreign directory as one RunDirError that names the path.
 *
 * Because every writer holds a RunDir, that object is where exclusive access to the directory is taken: a process
 * that writes a run acquires the directory's lock through its RunDir and holds it for as long as it writes.
 */
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringifyFinite, writeFileAtomic, writeJsonAtomic } from '../io/atomicWrite.js';
import { epochDirName, LAST_CHECKPOINT, listCheckpoints, type CheckpointEntry } from './checkpoints.js';
import {
  RunConfigReadSchema, type DataOptions, type RunConfig, type StoredRunConfig, type TrainConfig,
} from './config.js';
import { RunDirError } from './errors.js';
import { RUN_FILES, type RunFile } from './files.js';
import { parseMetricsJsonl, type MetricsLine } from './metrics.js';

/** The JSON outputs other commands keep in a run directory. */
export type RunJsonFile = Extract<RunFile, 'finalFeatures' | 'compareJson' | 'validate'>;

export class RunDir {
  /** The directory, resolved to an absolute path. */
  readonly path: string;

  constructor(path: string) {
    this.path = resolve(path);
  }

  /** The path of one of the run's files. */
  file(name: RunFile): string {
    return join(this.path, RUN_FILES[name]);
  }

  get checkpointsDir(): string {
    return this.file('checkpoints');
  }

  /** The directory of checkpoint `name` (`epoch-NNNN` or `last`). */
  checkpointDir(name: string): string {
    return join(this.checkpointsDir, name);
  }

  /** The checkpoint directory of an NC epoch. */
  epochCheckpointDir(epoch: number): string {
    return this.checkpointDir(epochDirName(epoch));
  }

  get lastCheckpointDir(): string {
    return this.checkpointDir(LAST_CHECKPOINT);
  }

  isDirectory(): boolean {
    return existsSync(this.path) && statSync(this.path).isDirectory();
  }

  /** Throws unless the directory exists. */
  requireDirectory(): void {
    if (!this.isDirectory()) throw new RunDirError(`run directory ${this.path} does not exist`);
  }

  has(name: RunFile): boolean {
    return existsSync(this.file(name));
  }

  /** Whether a run was started here (its config.json exists). */
  holdsRun(): boolean {
    return this.has('config');
  }

  /** Throws unless a run was started here. */
  requireRun(): void {
    if (!this.holdsRun()) throw new RunDirError(`${this.path} holds no run (no ${RUN_FILES.config})`);
  }

  /** config.json, validated: `train` must be a valid TrainConfig and every other field present must be well-formed. */
  readConfig(): StoredRunConfig {
    this.requireRun();
    const path = this.file('config');
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new RunDirError(`${path} is not valid JSON (${(err as Error).message.split('\n')[0]})`);
    }
    const parsed = RunConfigReadSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      if (issue.path[0] === 'train' || issue.path.length === 0) throw new RunDirError(`${path} holds no valid training config under "train"`);
      throw new RunDirError(`${path}: ${issue.path.join('.')} is malformed (${issue.message})`);
    }
    // Fields this version does not know stay as they are (a rewrite keeps them).
    return { ...(raw as Record<string, unknown>), ...parsed.data };
  }

  readTrainConfig(): TrainConfig {
    return this.readConfig().train;
  }

  /** How the run's data was loaded ({} when config.json does not say). */
  readDataOptions(): DataOptions {
    return this.readConfig().dataOptions ?? {};
  }

  writeConfig(config: RunConfig | StoredRunConfig): void {
    writeJsonAtomic(this.file('config'), config);
  }

  /** metrics.jsonl, one line per epoch; [] when the run has written none yet. */
  readMetrics(): MetricsLine[] {
    const path = this.file('metrics');
    if (!existsSync(path)) return [];
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new RunDirError(`cannot read ${path} (${(err as Error).message.split('\n')[0]})`);
    }
    return parseMetricsJsonl(text, path);
  }

  /** Replaces metrics.jsonl atomically: one compact JSON line per epoch. */
  writeMetrics(lines: readonly MetricsLine[]): void {
    writeFileAtomic(this.file('metrics'), lines.map((l) => stringifyFinite(l, 0)).join('\n') + (lines.length ? '\n' : ''));
  }

  /** Complete checkpoints, oldest first (`last` after the epoch checkpoint of the same epoch). */
  checkpoints(): CheckpointEntry[] {
    return listCheckpoints(this.checkpointsDir);
  }

  /** Complete NC-epoch checkpoints (without `last`), oldest first. */
  epochCheckpoints(): CheckpointEntry[] {
    return this.checkpoints().filter((c) => c.name !== LAST_CHECKPOINT);
  }

  /** The newest complete checkpoint, or undefined. */
  newestCheckpoint(): CheckpointEntry | undefined {
    return this.checkpoints().pop();
  }

  removeLastCheckpoint(): void {
    rmSync(this.lastCheckpointDir, { recursive: true, force: true });
  }

  /** One of the JSON outputs of compare, figures or validate, as parsed JSON (undefined when absent). */
  readJson(name: RunJsonFile): unknown {
    const path = this.file(name);
    if (!existsSync(path)) return undefined;
    try {
      return JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new RunDirError(`${path} is not valid JSON (${(err as Error).message.split('\n')[0]})`);
    }
  }

  writeJson(name: RunJsonFile, value: unknown): string {
    const path = this.file(name);
    writeJsonAtomic(path, value);
    return path;
  }
}

export function openRunDir(path: string): RunDir {
  return new RunDir(path);
}
