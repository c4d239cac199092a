/**
 * The network's final state as compare/figures need it: training-set features and logits in inference mode, the
 * classifier, and the test set's nearest-prototype accuracy (from the run's own final metrics line). Extracted once
 * from the newest checkpoint with tfjs, then cached as RUN_DIR/final-features.json (keyed by the checkpoint epoch).
 * A run directory that carries only final-features.json (no checkpoints) is read as is — that is how tests build
 * synthetic runs without tfjs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { CompareSettings, DecodingAccuracy, NetworkSnapshot } from '../compare/index.js';
import { labelSet } from '../geometry/types.js';
import { writeJsonAtomic } from '../io/atomicWrite.js';
import { RunInputError } from './errors.js';
import type { TrainingRun } from './runDir.js';

export const SNAPSHOT_FILE = 'final-features.json';
const FORMAT = 'mlnc-final-features-1';

const SnapshotSchema = z.object({
  format: z.literal(FORMAT),
  epoch: z.number().int().min(0),
  K: z.number().int().min(2),
  d: z.number().int().min(1),
  labels: z.array(z.array(z.number().int().min(0)).min(1)),
  features: z.array(z.number()),
  logits: z.array(z.number()),
  W: z.array(z.number()),
  b: z.array(z.number()),
  testDecoding: z.object({ classMeans: z.number(), classifier: z.number().nullable(), labelSetMeans: z.number(), n: z.number() }).nullable(),
});

export function snapshotToJson(s: NetworkSnapshot & { epoch: number }): Record<string, unknown> {
  return {
    format: FORMAT, epoch: s.epoch, K: s.K, d: s.d, labels: s.labels.map((S) => [...S]),
    features: Array.from(s.features), logits: Array.from(s.logits), W: Array.from(s.W), b: Array.from(s.b), testDecoding: s.testDecoding ?? null,
  };
}

function readSnapshotFile(path: string): NetworkSnapshot & { epoch: number } {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new RunInputError(`${path} is not valid JSON (${(err as Error).message.split('\n')[0]})`);
  }
  const p = SnapshotSchema.safeParse(raw);
  if (!p.success) throw new RunInputError(`${path} is not a ${FORMAT} file (${p.error.issues[0]?.path.join('.')}: ${p.error.issues[0]?.message})`);
  const s = p.data;
  return {
    K: s.K, d: s.d, epoch: s.epoch, labels: s.labels.map((S) => labelSet(S, s.K)), features: Float64Array.from(s.features),
    logits: Float64Array.from(s.logits), W: Float64Array.from(s.W), b: Float64Array.from(s.b), testDecoding: s.testDecoding,
  };
}

/** The test decoding accuracy logged by the run at `epoch` (prototypes of its own training features). */
export function loggedDecoding(run: TrainingRun, epoch: number): DecodingAccuracy | null {
  const line = run.lines.find((l) => l.epoch === epoch);
  const t = line?.test as { prototypes?: { classMeans?: number; classifier?: number | null; labelSetMeans?: number }; n?: number } | undefined;
  if (!t?.prototypes || typeof t.prototypes.classMeans !== 'number' || typeof t.prototypes.labelSetMeans !== 'number') return null;
  return { classMeans: t.prototypes.classMeans, classifier: t.prototypes.classifier ?? null, labelSetMeans: t.prototypes.labelSetMeans, n: t.n ?? 0 };
}

export interface SnapshotOptions {
  /** tfjs backend preference for the extraction (default auto). */
  backend?: string;
  log?: (message: string) => void;
}

/** The run's final snapshot: cached file if it matches the newest checkpoint, else extracted with tfjs (and cached). */
export async function loadRunSnapshot(run: TrainingRun, opts: SnapshotOptions = {}): Promise<NetworkSnapshot & { epoch: number; source: string }> {
  const cachePath = join(run.dir, SNAPSHOT_FILE);
  const ckptRoot = join(run.dir, 'checkpoints');
  // Imported lazily: reading a cached snapshot must not load tfjs.
  const { listCheckpoints } = await import('../deep/checkpoint/checkpoint.js');
  const ckpts = existsSync(ckptRoot) ? listCheckpoints(ckptRoot).filter((c) => c.name !== 'last') : [];
  const newest = ckpts[ckpts.length - 1];
  if (existsSync(cachePath)) {
    const s = readSnapshotFile(cachePath);
    if (!newest || newest.epoch === s.epoch) return { ...s, source: cachePath };
  }
  if (!newest) throw new RunInputError(`${run.dir} has no complete checkpoint and no ${SNAPSHOT_FILE}`);
  const s = await extractSnapshot(run, newest.dir, newest.epoch, opts);
  writeJsonAtomic(cachePath, snapshotToJson(s));
  return { ...s, source: newest.dir };
}

async function extractSnapshot(run: TrainingRun, ckptDir: string, epoch: number, opts: SnapshotOptions): Promise<NetworkSnapshot & { epoch: number }> {
  const { initBackend } = await import('../deep/backend/initBackend.js');
  const { loadDataset } = await import('../deep/data/index.js');
  const { loadCheckpointModel } = await import('../deep/checkpoint/checkpoint.js');
  const { classifierOf, extractAll } = await import('../deep/train/extract.js');
  const backend = await initBackend((opts.backend ?? 'auto') as Parameters<typeof initBackend>[0]);
  const dataOptions = (run.meta.dataOptions ?? {}) as { dataDir?: string; cacheDir?: string; counts?: { train: number[]; test: number[] } };
  const c = run.config;
  opts.log?.(`extracting the final features of ${run.dir} (checkpoint epoch ${epoch}, backend ${backend.name})`);
  let splits;
  try {
    splits = await loadDataset({ dataset: c.dataset, preset: c.preset, dataDir: dataOptions.dataDir, cacheDir: dataOptions.cacheDir, seed: c.seed, ...(dataOptions.counts ? { counts: dataOptions.counts } : {}) });
  } catch (err) {
    throw new RunInputError(`cannot load the run's training data: ${(err as Error).message.split('\n')[0]}`);
  }
  const model = await loadCheckpointModel(ckptDir);
  try {
    const tr = await extractAll(model, splits.train, c.evalBatchSize);
    const { W, b, K, d } = await classifierOf(model);
    return {
      K, d, epoch, labels: splits.train.labels, features: tr.features, logits: tr.logits, W, b, testDecoding: loggedDecoding(run, epoch),
    };
  } finally {
    model.dispose();
  }
}

/** compare's settings from the run's config.json. */
export function compareSettingsOf(run: TrainingRun): CompareSettings {
  const c = run.config;
  return {
    loss: c.loss, lambdaH: c.lambdaH, weightDecay: c.weightDecay, batchSize: c.batchSize, fixedEtf: c.fixedEtf,
    convention: typeof run.meta.lambdaHConvention === 'string' ? run.meta.lambdaHConvention : undefined,
  };
}
