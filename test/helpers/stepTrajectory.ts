import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { buildModel, initWeights } from '../../src/deep/models/index.js';
import { MomentumSgd } from '../../src/deep/train/sgd.js';
import { trainableParams, trainStep } from '../../src/deep/train/step.js';
import { Rng } from '../../src/util/rng.js';

export interface Trajectory {
  losses: number[];
  weights: Float32Array[];
}

/**
 * `steps` SGD steps of mlnc's own training step (PAL + λ_H, momentum, weight decay) on a small BatchNorm ResNet with
 * fixed initial weights and one fixed batch, on the active backend: the losses and the final weights. Reads are
 * asynchronous, so the same trajectory runs on every backend, webgpu included.
 */
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
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) losses.push((await trainStep(model, sgd, x, y, { loss: 'pal', lambdaH: 1e-4, lr: 0.05 })).loss);
  const weights = await Promise.all(model.getWeights().map(async (w) => (await w.data()) as Float32Array));
  sgd.dispose();
  tf.dispose([x, y]);
  model.dispose();
  return { losses, weights };
}

/** Same losses and weights to float32 tolerance, and a trajectory that trains (so the comparison is not of a frozen model). */
export function expectSameTrajectory(got: Trajectory, ref: Trajectory): void {
  ref.losses.forEach((l, s) => expect(Math.abs(got.losses[s] - l), `loss of step ${s + 1}`).toBeLessThan(1e-4 * Math.abs(l) + 1e-5));
  expect(ref.losses[ref.losses.length - 1]).toBeLessThan(ref.losses[0]);
  got.weights.forEach((w, i) => {
    let scale = 0;
    let err = 0;
    for (let j = 0; j < w.length; j++) {
      scale = Math.max(scale, Math.abs(ref.weights[i][j]));
      err = Math.max(err, Math.abs(w[j] - ref.weights[i][j]));
    }
    expect(err, `weight ${i}`).toBeLessThanOrEqual(1e-4 * scale + 1e-6);
  });
}
