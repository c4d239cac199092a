/**
 * A backend's SGD trajectory beside another's: `steps` steps of mlnc's own training step (PAL + λ_H, momentum, weight
 * decay) on a small BatchNorm ResNet with fixed initial weights and one fixed batch, on the active backend. Two backends
 * that compute the same step give the same losses and final weights to float32 tolerance. The webgpu tests and
 * bench/gpu-check.sh compare webgpu with cpu this way; the native-kernel tests compare native with pure wasm.
 * Reads are asynchronous, so it runs on every backend, webgpu included.
 */
import * as tf from '@tensorflow/tfjs';
import { buildModel, initWeights } from '../models/index.js';
import { MomentumSgd } from './sgd.js';
import { trainableParams, trainStep } from './step.js';
import { Rng } from '../../util/rng.js';

export interface Trajectory {
  losses: number[];
  weights: Float32Array[];
}

export async function stepTrajectory(steps: number): Promise<Trajectory> {
  const { model } = buildModel({ arch: 'resnet-small', inputShape: [12, 12, 1], K: 4, width: 8 });
  initWeights(model, new Rng(5));
  const rng = new Rng(9);
  const x = tf.tensor4d(rng.fillNormal(new Float32Array(16 * 12 * 12)), [16, 12, 12, 1]);
  const yData = new Float32Array(16 * 4);
  for (let i = 0; i < 16; i++) {
    yData[i * 4 + (i % 4)] = 1;
    if (i % 3 === 0) yData[i * 4 + ((i + 1) % 4)] = 1;
  }
  const y = tf.tensor2d(yData, [16, 4]);
  const sgd = new MomentumSgd(trainableParams(model), { momentum: 0.9, weightDecay: 5e-4 });
  try {
    const losses: number[] = [];
    for (let s = 0; s < steps; s++) losses.push((await trainStep(model, sgd, x, y, { loss: 'pal', lambdaH: 1e-4, lr: 0.05 })).loss);
    const weights = await Promise.all(model.getWeights().map(async (w) => (await w.data()) as Float32Array));
    return { losses, weights };
  } finally {
    sgd.dispose();
    tf.dispose([x, y]);
    model.dispose();
  }
}

export interface TrajectoryComparison {
  /** max over steps of |Δloss|. */
  maxLossDifference: number;
  /** max over weight tensors of max|Δw| / max|w_ref|. */
  maxWeightDifference: number;
  /** Every loss within 1e-4·|loss| + 1e-5 and every weight tensor within 1e-4·max|w_ref| + 1e-6: float32 tolerance
   * for sums taken in another order, over a few steps. */
  withinTolerance: boolean;
  /** The reference's loss fell: the trajectory trains, so agreement is not that of a frozen model. */
  trains: boolean;
  /** The first value outside the tolerance, when there is one. */
  firstMismatch?: string;
}

export function compareTrajectories(got: Trajectory, ref: Trajectory): TrajectoryComparison {
  let maxLossDifference = 0;
  let maxWeightDifference = 0;
  let firstMismatch: string | undefined;
  if (got.losses.length !== ref.losses.length || got.weights.length !== ref.weights.length) {
    firstMismatch = 'the trajectories have different step or weight counts';
  }
  ref.losses.forEach((l, s) => {
    const err = Math.abs(got.losses[s] - l);
    maxLossDifference = Math.max(maxLossDifference, err);
    if (!(err <= 1e-4 * Math.abs(l) + 1e-5)) firstMismatch ??= `loss of step ${s + 1}: ${got.losses[s]} vs ${l}`;
  });
  ref.weights.forEach((r, i) => {
    const w = got.weights[i];
    let scale = 0;
    let err = w?.length === r.length ? 0 : Number.NaN;
    for (let j = 0; j < r.length; j++) {
      scale = Math.max(scale, Math.abs(r[j]));
      err = Math.max(err, Math.abs(w?.[j] - r[j]));
    }
    maxWeightDifference = Math.max(maxWeightDifference, err / (scale || 1));
    if (!(err <= 1e-4 * scale + 1e-6)) firstMismatch ??= `weight tensor ${i}: max difference ${err} at scale ${scale}`;
  });
  return {
    maxLossDifference, maxWeightDifference, withinTolerance: firstMismatch === undefined,
    trains: ref.losses[ref.losses.length - 1] < ref.losses[0], ...(firstMismatch ? { firstMismatch } : {}),
  };
}
