/**
 * RUN_DIR/metrics.jsonl: one JSON object per epoch, written by `mlnc train` and read by train --resume, validate,
 * compare and figures through the one parser below, so that all of them accept and reject the same files. Only empty
 * lines at the end are allowed; anything else that is not a metrics line is a damaged file, reported with its path and
 * 1-based line number.
 */
import { z } from 'zod';
import type { NcReport } from '../geometry/metrics.js';
import { RunDirError } from './errors.js';

/** A number, or null where the value was not finite when it was written (its path is listed under `nonFinite`). */
type Num = number | null;

/** The test-set block of an NC line (src/deep/evaluate's TestMetrics plus the test loss). */
export interface TestLine {
  loss?: Num;
  trueSetSoftmaxMass?: Num;
  /** Top-m exact match with the oracle multiplicity m = |S|. */
  topMExactMatchOracleM?: Num;
  /** Decoding by the largest gap of the sorted logits (no oracle). */
  largestGap?: { exactMatch?: Num; hammingLoss?: Num; microF1?: Num; macroF1?: Num };
  /** Nearest-prototype decoding accuracies (and the prototype count). */
  prototypes?: { classifier?: Num; classMeans?: Num; labelSetMeans?: Num; prototypes?: Num };
  n?: Num;
}

/**
 * One epoch of a run. Every line has `epoch`; epoch 0 is the untrained model (inference mode). Lines of NC epochs
 * (every ncEvery epochs and the last) add the training set's NC metrics, ρ̂ per multiplicity and the test block.
 */
export interface MetricsLine {
  epoch: number;
  /** Mean c_m·PAL over the epoch's batches (training mode); epoch 0: inference mode at initialisation. */
  trainLoss?: Num;
  /** Mean λ_H·Σ‖h_i‖² per batch. */
  trainPenalty?: Num;
  trainAccuracy?: Num;
  lr?: Num;
  imagesPerSecond?: Num;
  /** Mean c_m·PAL of the training set in inference mode. */
  trainEvalLoss?: Num;
  nc1?: Num;
  nc2W?: Num;
  nc2H?: Num;
  nc3?: Num;
  tagAngle?: Num;
  /** ρ̂_m by multiplicity m: the mean over label sets of size m (see src/geometry/tagwise.ts). */
  rho?: Record<string, Num>;
  /** src/geometry's full report. */
  ncDetail?: NcReport;
  test?: TestLine;
  seconds?: Num;
  elapsedSeconds?: Num;
  /** Paths of the values written as null because they were not finite. */
  nonFinite?: string[];
}

const num = z.custom<Num>((v) => v === null || typeof v === 'number', 'not a number');
const MetricsLineSchema = z.looseObject({
  trainLoss: num.optional(),
  trainPenalty: num.optional(),
  trainAccuracy: num.optional(),
  lr: num.optional(),
  imagesPerSecond: num.optional(),
  trainEvalLoss: num.optional(),
  nc1: num.optional(),
  nc2W: num.optional(),
  nc2H: num.optional(),
  nc3: num.optional(),
  tagAngle: num.optional(),
  rho: z.record(z.string(), num).optional(),
  ncDetail: z.looseObject({}).optional(),
  test: z.looseObject({
    topMExactMatchOracleM: num.optional(),
    prototypes: z.looseObject({ classifier: num.optional(), classMeans: num.optional(), labelSetMeans: num.optional() }).optional(),
    n: num.optional(),
  }).optional(),
  seconds: num.optional(),
  elapsedSeconds: num.optional(),
  nonFinite: z.array(z.string()).optional(),
});

/** Parses the text of a metrics.jsonl; `path` only names the file in errors. */
export function parseMetricsJsonl(text: string, path: string): MetricsLine[] {
  const raw = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  let end = raw.length;
  while (end > 0 && raw[end - 1].trim() === '') end--;
  const lines: MetricsLine[] = [];
  for (let i = 0; i < end; i++) {
    const where = `${path} line ${i + 1}`;
    if (raw[i].trim() === '') throw new RunDirError(`${where} is empty; the run directory is damaged`);
    let value: unknown;
    try {
      value = JSON.parse(raw[i]);
    } catch {
      throw new RunDirError(`${where} is not JSON; the run directory is damaged`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new RunDirError(`${where} is not a JSON object; the run directory is damaged`);
    }
    const epoch = (value as { epoch?: unknown }).epoch;
    if (typeof epoch !== 'number' || !Number.isInteger(epoch) || epoch < 0) {
      throw new RunDirError(`${where} has no epoch (a non-negative integer); the run directory is damaged`);
    }
    const typed = MetricsLineSchema.safeParse(value);
    if (!typed.success) {
      const issue = typed.error.issues[0];
      throw new RunDirError(`${where}: ${issue.path.join('.')} is ${issue.message.toLowerCase()}; the run directory is damaged`);
    }
    lines.push(value as MetricsLine);
  }
  return lines;
}
