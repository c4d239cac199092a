import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/deep/backend/initBackend.js';
import { batchNormTrainingAvailable } from '../../../src/deep/backend/nativeBatchNormTraining.js';
import { registerWasmTrainingKernels } from '../../../src/deep/backend/registerWasmTrainingKernels.js';
import { BatchNormalization, batchNormalization } from '../../../src/deep/models/batchNorm.js';
import { Rng } from '../../../src/util/rng.js';
import { expectAllClose } from '../../helpers/close.js';
import { compilerPresent } from '../../helpers/compiler.js';

interface Result {
  y: Float32Array;
  dx: Float32Array;
  dGamma: Float32Array;
  dBeta: Float32Array;
  movingMean: Float32Array;
  movingVariance: Float32Array;
}

/** One training-mode call of a fresh layer with the given weights: output, gradients of Σ y ⊙ m, moving statistics. */
function runLayer(shape: number[], momentum: number, epsilon: number, seed: number): Result {
  const rng = new Rng(seed);
  const c = shape[shape.length - 1];
  const n = shape.reduce((a, b) => a * b, 1);
  const layer = batchNormalization({ momentum, epsilon });
  const x = tf.tensor(rng.fillNormal(new Float32Array(n)).map((v, i) => 3 * v + (i % c)), shape);
  layer.build(x.shape);
  const [gamma, beta, mm, mv] = [c, c, c, c].map(() => rng.fillNormal(new Float32Array(c)));
  tf.tidy(() => layer.setWeights([tf.tensor(gamma), tf.tensor(beta), tf.tensor(mm), tf.tensor(mv.map((v) => v * v + 0.5))]));
  const m = tf.tensor(rng.fillNormal(new Float32Array(n)), shape);
  const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
  let y: Float32Array = new Float32Array(0);
  const g = tf.grads((xx: tf.Tensor, ...ws: tf.Tensor[]) => {
    void ws;
    const out = layer.apply(xx, { training: true }) as tf.Tensor;
    y = out.dataSync() as Float32Array;
    return tf.sum(tf.mul(out, m));
  });
  const [dx, dGamma, dBeta] = g([x, ...vars]);
  const [, , movingMean, movingVariance] = layer.getWeights().map((w) => w.dataSync() as Float32Array);
  const r = { y, dx: dx.dataSync() as Float32Array, dGamma: dGamma.dataSync() as Float32Array, dBeta: dBeta.dataSync() as Float32Array, movingMean, movingVariance };
  tf.dispose([x, m, dx, dGamma, dBeta]);
  disposeWeights(layer);
  return r;
}

/** A layer that was never applied symbolically cannot be dispose()d; its variables can. */
function disposeWeights(layer: tf.layers.Layer): void {
  for (const w of layer.weights) (w as unknown as { dispose(): void }).dispose();
}

describe('BatchNormalization (models/batchNorm.ts)', () => {
  it('is registered as tfjs-layers BatchNormalization: a saved topology comes back as this class, same weight names', async () => {
    const input = tf.input({ shape: [4, 4, 3] });
    const model = tf.model({ inputs: input, outputs: batchNormalization({ name: 'bn' }).apply(input) as tf.SymbolicTensor });
    const again = await tf.models.modelFromJSON({ modelTopology: model.toJSON(undefined, false) } as Parameters<typeof tf.models.modelFromJSON>[0]);
    expect(again.layers[1]).toBeInstanceOf(BatchNormalization);
    expect(again.layers[1].getClassName()).toBe('BatchNormalization');
    expect(again.weights.map((w) => w.originalName)).toEqual(['bn/gamma', 'bn/beta', 'bn/moving_mean', 'bn/moving_variance']);
    model.dispose();
    again.dispose();
  });

  describe.runIf(compilerPresent)('fused native training pass', () => {
    beforeAll(async () => {
      await initBackend('wasm', { env: {}, wasmKernels: {} });
    });

    it('equals tfjs-layers (output, ∂x, ∂γ, ∂β, moving mean and variance) over random shapes, momenta and ε', () => {
      const arb = fc.record({
        shape: fc.oneof(
          fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 6 })).map((t) => [...t]),
          fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 7 })).map((t) => [...t]),
        ),
        momentum: fc.constantFrom(0.9, 0.99, 0.5),
        epsilon: fc.constantFrom(1e-3, 1e-5),
        seed: fc.nat(),
      });
      fc.assert(
        fc.property(arb, ({ shape, momentum, epsilon, seed }) => {
          fc.pre(shape.slice(0, -1).reduce((a, b) => a * b, 1) > 1); // a single row has zero variance: 1/√ε blows up both
          registerWasmTrainingKernels({ native: false }, {});
          expect(batchNormTrainingAvailable()).toBe(false);
          const want = runLayer(shape, momentum, epsilon, seed);
          registerWasmTrainingKernels({ native: true }, {});
          expect(batchNormTrainingAvailable()).toBe(true);
          const got = runLayer(shape, momentum, epsilon, seed);
          for (const k of ['y', 'dx', 'dGamma', 'dBeta', 'movingMean', 'movingVariance'] as const) expectAllClose(got[k], want[k], `${k} ${JSON.stringify({ shape, momentum, epsilon })}`, { rel: 2e-4 });
        }),
        { numRuns: 60, seed: 51 },
      );
    });

    it('leaves no tensors or wasm buffers behind', () => {
      registerWasmTrainingKernels({ native: true }, {});
      runLayer([2, 3, 3, 4], 0.9, 1e-5, 1);
      const before = [tf.memory().numTensors, tf.backend().numDataIds()];
      runLayer([2, 3, 3, 4], 0.9, 1e-5, 1);
      expect([tf.memory().numTensors, tf.backend().numDataIds()]).toEqual(before);
    });

    it('inference mode uses the moving statistics, as tfjs-layers does', () => {
      registerWasmTrainingKernels({ native: true }, {});
      const layer = batchNormalization({});
      layer.build([null, 2]);
      tf.tidy(() => layer.setWeights([tf.tensor([2, 1]), tf.tensor([0, 1]), tf.tensor([1, -1]), tf.tensor([4, 1])]));
      const y = tf.tidy(() => Array.from((layer.apply(tf.tensor2d([[3, 0]]), { training: false }) as tf.Tensor).dataSync()));
      expect(y[0]).toBeCloseTo((2 * (3 - 1)) / Math.sqrt(4 + 1e-3), 5);
      expect(y[1]).toBeCloseTo((1 * (0 + 1)) / Math.sqrt(1 + 1e-3) + 1, 5);
      disposeWeights(layer);
    });
  });
});
