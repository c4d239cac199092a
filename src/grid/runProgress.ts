/** How far one run directory has got, read through src/run without tfjs: its config (epochs, parameters) and its log. */
import { openRunDir, type MetricsLine } from '../run/index.js';

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
  const dir = openRunDir(runDir);
  const empty: RunProgress = { started: false, epochs: null, lastEpoch: null, lastNc: null, lines: [], trainableParams: null, finished: false };
  if (!dir.holdsRun()) return empty;
  let epochs: number;
  let trainableParams: number | null;
  let lines: MetricsLine[];
  try {
    const config = dir.readConfig();
    epochs = config.train.epochs;
    trainableParams = config.trainableParams ?? null;
    lines = dir.readMetrics();
  } catch (err) {
    return { ...empty, started: true, problem: (err as Error).message.split('\n')[0] };
  }
  const last = lines.length ? lines[lines.length - 1].epoch : null;
  const lastNc = [...lines].reverse().find((l) => 'nc1' in l) ?? null;
  return { started: true, epochs, lastEpoch: last, lastNc, lines, trainableParams, finished: last === epochs };
}
