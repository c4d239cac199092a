import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/deep/backend/initBackend.js';
import { registerWasmTrainingKernels } from '../../../src/deep/backend/registerWasmTrainingKernels.js';
import { buildModel, initWeights } from '../../../src/deep/models/index.js';
import { MomentumSgd } from '../../../src/deep/train/sgd.js';
import { trainableParams, trainStep } from '../../../src/deep/train/step.js';
import { Rng } from '../../../src/util/rng.js';
import { compilerPresent } from '../../helpers/compiler.js';

/** Losses of `steps` training steps of mlnc's own step (PAL + λ_H, SGD momentum + weight decay) and the final weights. */
function trajectory(native: boolean, steps: number): { losses: number[]; weights: Float32Array[] } {
  registerWasmTrainingKernels({ native }, {});
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
  for (let s = 0; s < steps; s++) losses.push(trainStep(model, sgd, x, y, { loss: 'pal', lambdaH: 1e-4, lr: 0.05 }).loss);
  const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
  sgd.dispose();
  tf.dispose([x, y]);
  model.dispose();
  return { losses, weights };
}

describe.runIf(compilerPresent)('native kernels keep the training trajectory', () => {
  it('four SGD steps of a BatchNorm ResNet: same losses and weights as the pure-wasm kernels, to float32 tolerance', async () => {
    await initBackend('wasm', { env: {}, wasmKernels: {} });
    const ref = trajectory(false, 4);
    const got = trajectory(true, 4);
    for (let s = 0; s < 4; s++) expect(Math.abs(got.losses[s] - ref.losses[s])).toBeLessThan(1e-4 * Math.abs(ref.losses[s]) + 1e-5);
    expect(ref.losses[3]).toBeLessThan(ref.losses[0]); // it trains, so the comparison is not of a frozen model
    got.weights.forEach((w, i) => {
      let scale = 0;
      let err = 0;
      for (let j = 0; j < w.length; j++) {
        scale = Math.max(scale, Math.abs(ref.weights[i][j]));
        err = Math.max(err, Math.abs(w[j] - ref.weights[i][j]));
      }
      expect(err, `weight ${i}`).toBeLessThanOrEqual(1e-4 * scale + 1e-6);
    });
  });
});
