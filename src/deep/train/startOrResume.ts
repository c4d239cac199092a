/**
 * The first half of a run: build the model and the optimizer, then either start fresh (seeded initialisation) or take
 * up the newest checkpoint of the run directory (weights, BatchNorm statistics, momentum, RNG state, the metrics lines
 * up to it), so that a resumed run continues exactly like an uninterrupted one.
 */
import type * as tf from '@tensorflow/tfjs';
import { rmSync } from 'node:fs';
import { readCheckpointState, RunDirError, type MetricsLine, type RunDir, type TrainConfig } from '../../run/index.js';
import { Rng } from '../../util/rng.js';
import { loadCheckpointModel, restoreOptimizerState } from '../checkpoint/checkpoint.js';
import { buildModel, initWeights, type BuiltModel } from '../models/index.js';
import { describeEpochsChange, recordEpochsChange, withoutEpochs } from './epochsChange.js';
import { TrainingError } from './errors.js';
import { MomentumSgd } from './sgd.js';
import { trainableParams } from './step.js';

export interface StartInput {
  dir: RunDir;
  config: TrainConfig;
  K: number;
  inputShape: readonly [number, number, number];
  /** What a checkpoint must match to be resumed by this run (fingerprintOf). */
  fingerprint: Record<string, unknown>;
  resume: boolean;
  log(message: string): void;
}

export interface TrainingState {
  built: BuiltModel;
  sgd: MomentumSgd;
  rng: Rng;
  /** Epochs already trained (0 for a new run). */
  startEpoch: number;
  /** metrics.jsonl up to startEpoch. */
  lines: MetricsLine[];
  /** Training seconds up to startEpoch, over every earlier invocation. */
  elapsed: number;
}

export async function startOrResume(input: StartInput): Promise<TrainingState> {
  const { config } = input;
  let built: BuiltModel;
  try {
    built = buildModel({ arch: config.arch, inputShape: input.inputShape, K: input.K, width: config.width, depth: config.depth, fixedEtf: config.fixedEtf, fixDim: config.fixDim });
  } catch (err) {
    throw new TrainingError((err as Error).message);
  }
  input.log(`model ${config.arch} (width ${built.spec.width}${config.fixDim ? ', fix-dim' : ''}${config.fixedEtf ? ', fixed ETF classifier' : ''}): feature dimension ${built.featureDim}, ${built.trainableParams} trainable of ${built.totalParams} parameters`);
  const sgd = new MomentumSgd(trainableParams(built.model), { momentum: config.momentum, weightDecay: config.weightDecay });
  try {
    return input.resume ? { built, sgd, ...(await resume(input, built.model, sgd)) } : { built, sgd, ...start(input, built.model) };
  } catch (err) {
    sgd.dispose();
    built.model.dispose();
    throw err;
  }
}

function start({ dir, config }: StartInput, model: tf.LayersModel): Omit<TrainingState, 'built' | 'sgd'> {
  if (dir.holdsRun() || dir.has('metrics')) {
    throw new RunDirError(`${dir.path} already holds a run; pass --resume to continue it, or choose another --out`);
  }
  const rng = new Rng(config.seed);
  initWeights(model, rng);
  return { rng, startEpoch: 0, lines: [], elapsed: 0 };
}

async function resume(input: StartInput, model: tf.LayersModel, sgd: MomentumSgd): Promise<Omit<TrainingState, 'built' | 'sgd'>> {
  const { dir, config, fingerprint } = input;
  dir.requireRun();
  const latest = dir.newestCheckpoint();
  if (!latest) throw new RunDirError(`${dir.checkpointsDir} holds no complete checkpoint; there is nothing to resume`);
  const state = readCheckpointState(latest.dir);
  // Everything but the epoch total must match; a new total only changes the schedule of the epochs still to train.
  if (JSON.stringify(withoutEpochs(state.fingerprint)) !== JSON.stringify(withoutEpochs(fingerprint))) {
    throw new RunDirError(`checkpoint ${latest.dir} does not match this run's settings (saved ${JSON.stringify(state.fingerprint)})`);
  }
  if (config.epochs < state.epoch) {
    throw new TrainingError(`--epochs ${config.epochs} is below the ${state.epoch} epochs ${dir.path} has already trained; give at least ${state.epoch}`);
  }
  const loaded = await loadCheckpointModel(latest.dir);
  try {
    copyWeights(loaded, model, latest.dir);
  } finally {
    loaded.dispose();
  }
  restoreOptimizerState(latest.dir, state, sgd);
  const startEpoch = state.epoch;
  // Lines past the checkpoint belong to the lost epoch and will be written again.
  const lines = dir.readMetrics().filter((l) => l.epoch <= startEpoch);
  dir.writeMetrics(lines);
  const savedTotal = state.fingerprint.epochs;
  if (typeof savedTotal === 'number' && savedTotal !== config.epochs) {
    const change = { atEpoch: startEpoch, from: savedTotal, to: config.epochs };
    recordEpochsChange(dir, config, fingerprint, change);
    input.log(describeEpochsChange(change, config.lr));
  }
  input.log(`resuming ${dir.path} from ${latest.dir} (epoch ${startEpoch} of ${config.epochs})`);
  return { rng: new Rng(state.rng), startEpoch, lines, elapsed: state.elapsedSeconds ?? 0 };
}

/**
 * A run stopped during set-up, between writing config.json and its epoch-0 checkpoint (a preempted cluster job, a kill
 * during the epoch-0 measurement): nothing was trained, so it can start afresh from its saved settings exactly. Without
 * this, `--resume` would refuse it for good ("no complete checkpoint") and a grid could never finish it.
 */
export function stoppedBeforeFirstCheckpoint(dir: RunDir): boolean {
  return dir.holdsRun() && !dir.newestCheckpoint() && !dir.readMetrics().some((l) => l.epoch > 0);
}

/** Removes what the set-up of such a run wrote (call with the run directory locked). */
export function discardSetUp(dir: RunDir): void {
  rmSync(dir.file('metrics'), { force: true });
  rmSync(dir.file('config'), { force: true });
}

/** Copies checkpoint weights into the freshly built model after checking every weight's name and shape. */
function copyWeights(from: tf.LayersModel, to: tf.LayersModel, dir: string): void {
  const src = from.weights;
  const dst = to.weights;
  const byName = new Map(src.map((w) => [w.originalName, w]));
  if (src.length !== dst.length) {
    throw new RunDirError(`checkpoint ${dir} does not match this run: it has ${src.length} weight tensors, the model ${dst.length}`);
  }
  for (const w of dst) {
    const s = byName.get(w.originalName);
    if (!s || s.shape.join('x') !== w.shape.join('x')) {
      throw new RunDirError(`checkpoint ${dir} does not match this run: weight ${w.originalName} is missing or has another shape`);
    }
    w.write(s.read());
  }
}
