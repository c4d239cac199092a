/**
 * The network's final state as compare/figures need it: training-set features and logits in inference mode, the
 * classifier, and the test set's nearest-prototype accuracy (from the run's own final metrics line). Extracted once
 * from the newest checkpoint with tfjs, then cached as RUN_DIR/final-features.json (keyed by the checkpoint epoch).
 * A run directory that carries only final-features.json (no checkpoints) is read as is — that is how tests build
 * synthetic runs without tfjs.
 */
import { z } from 'zod';
import type { CompareSettings, DecodingAccuracy, NetworkSnapshot } from '../compare/index.js';
import { labelSet } from '../geometry/types.js';
import { RUN_FILES, RunDirError, type RunDir } from '../run/index.js';
import type { TrainingRun } from './runDir.js';

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

/** The cached snapshot of a run, or undefined when there is none. */
function readSnapshotFile(run: RunDir): (NetworkSnapshot & { epoch: number }) | undefined {
  const raw = run.readJson('finalFeatures');
  if (raw === undefined) return undefined;
  const path = run.file('finalFeatures');
  const p = SnapshotSchema.safeParse(raw);
  if (!p.success) throw new RunDirError(`${path} is not a ${FORMAT} file (${p.error.issues[0]?.path.join('.')}: ${p.error.issues[0]?.message})`);
  const s = p.data;
  return {
    K: s.K, d: s.d, epoch: s.epoch, labels: s.labels.map((S) => labelSet(S, s.K)), features: Float64Array.from(s.features),
    logits: Float64Array.from(s.logits), W: Float64Array.from(s.W), b: Float64Array.from(s.b), testDecoding: s.testDecoding,
  };
}

/** The test decoding accuracy logged by the run at `epoch` (prototypes of its own training features). */
export function loggedDecoding(run: TrainingRun, epoch: number): DecodingAccuracy | null {
  const t = run.lines.find((l) => l.epoch === epoch)?.test;
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
  const newest = run.files.epochCheckpoints().pop();
  const cached = readSnapshotFile(run.files);
  if (cached && (!newest || newest.epoch === cached.epoch)) return { ...cached, source: run.files.file('finalFeatures') };
  if (!newest) throw new RunDirError(`${run.dir} has no complete checkpoint and no ${RUN_FILES.finalFeatures}`);
  const s = await extractSnapshot(run, newest.dir, newest.epoch, opts);
  run.files.writeJson('finalFeatures', snapshotToJson(s));
  return { ...s, source: newest.dir };
}

async function extractSnapshot(run: TrainingRun, ckptDir: string, epoch: number, opts: SnapshotOptions): Promise<NetworkSnapshot & { epoch: number }> {
  // Imported lazily: reading a cached snapshot must not load tfjs.
  const { initBackend } = await import('../deep/backend/initBackend.js');
  const { loadRunData } = await import('../deep/train/runData.js');
  const { loadCheckpointModel } = await import('../deep/checkpoint/checkpoint.js');
  const { classifierOf, extractAll } = await import('../deep/train/extract.js');
  const backend = await initBackend((opts.backend ?? 'auto') as Parameters<typeof initBackend>[0]);
  const c = run.config;
  opts.log?.(`extracting the final features of ${run.dir} (checkpoint epoch ${epoch}, backend ${backend.name})`);
  let splits;
  try {
    splits = await loadRunData(c, run.meta.dataOptions ?? {});
  } catch (err) {
    throw new RunDirError(`cannot load the run's training data: ${(err as Error).message.split('\n')[0]}`);
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
    convention: run.meta.lambdaHConvention,
  };
}
