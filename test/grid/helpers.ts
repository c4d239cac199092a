import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openRunDir } from '../../src/run/index.js';

export const TINY_PLAN = join(import.meta.dirname, '../../experiments/grid-tiny.json');
export const TINY_RUNS = ['loss=pal_seed=0', 'loss=pal_seed=1', 'loss=pal-n_seed=0', 'loss=pal-n_seed=1'];

/** Wall-clock fields: the only ones two executions of the same run may differ in. */
const TIMING = new Set(['seconds', 'elapsedSeconds', 'imagesPerSecond']);

/** A run's metrics log without its timings. */
export function metricsOf(gridDir: string, run: string): Record<string, unknown>[] {
  return openRunDir(join(gridDir, 'runs', run)).readMetrics().map((l) => Object.fromEntries(Object.entries(l).filter(([k]) => !TIMING.has(k))));
}

export function lastEpochOf(gridDir: string, run: string): number {
  const p = join(gridDir, 'runs', run, 'metrics.jsonl');
  if (!existsSync(p)) return -1;
  const lines = readFileSync(p, 'utf8').trim().split('\n').filter(Boolean);
  return lines.length ? (JSON.parse(lines[lines.length - 1]) as { epoch: number }).epoch : -1;
}

export function logOf(gridDir: string, run: string): string {
  const p = join(gridDir, 'logs', `${run}.log`);
  return existsSync(p) ? readFileSync(p, 'utf8') : '';
}
