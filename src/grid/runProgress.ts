/** How far one run directory has got, read without tfjs: its config (epochs, parameters) and its metrics log. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readMetricsJsonl, type MetricsLine } from '../io/metricsJsonl.js';

export interface RunProgress {
  /** config.json exists: the run has been set up. */
  started: boolean;
  /** Epochs the run is to train (its config). */
  epochs: number | null;
  /** The last epoch in its metrics log. */
  lastEpoch: number | null;
  /** The last metrics line with NC metrics. */
  lastNc: MetricsLine | null;
  lines: MetricsLine[];
  trainableParams: number | null;
  finished: boolean;
  /** A damaged config or log, said in one line (the run is then neither finished nor usable). */
  problem?: string;
}

export function readRunProgress(runDir: string): RunProgress {
  const configPath = join(runDir, 'config.json');
  const metricsPath = join(runDir, 'metrics.jsonl');
  const empty: RunProgress = { started: false, epochs: null, lastEpoch: null, lastNc: null, lines: [], trainableParams: null, finished: false };
  if (!existsSync(configPath)) return empty;
  let config: { train?: { epochs?: unknown }; trainableParams?: unknown };
  try {
    config = JSON.parse(readFileSync(configPath, 'utf8')) as typeof config;
  } catch (err) {
    return { ...empty, started: true, problem: `${configPath} is unreadable (${(err as Error).message.split('\n')[0]})` };
  }
  const epochs = typeof config.train?.epochs === 'number' ? config.train.epochs : null;
  const trainableParams = typeof config.trainableParams === 'number' ? config.trainableParams : null;
  let lines: MetricsLine[] = [];
  try {
    if (existsSync(metricsPath)) lines = readMetricsJsonl(metricsPath);
  } catch (err) {
    return { ...empty, started: true, epochs, trainableParams, problem: (err as Error).message.split('\n')[0] };
  }
  const last = lines.length ? (lines[lines.length - 1].epoch as number) : null;
  const lastNc = [...lines].reverse().find((l) => 'nc1' in l) ?? null;
  return { started: true, epochs, lastEpoch: last, lastNc, lines, trainableParams, finished: epochs !== null && last === epochs };
}
