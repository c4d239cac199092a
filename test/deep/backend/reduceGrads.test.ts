import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/deep/backend/initBackend.js';
import { meanGradConfig, sumGradConfig } from '../../../src/deep/backend/reduceGrads.js';
import { Rng } from '../../../src/util/rng.js';

// Captured before anything replaces them: the reference gradients are tfjs-core's own.
const stockMean = tf.getGradient('Mean');
const stockSum = tf.getGradient('Sum');

const reduceCase = fc
  .integer({ min: 1, max: 4 })
  .chain((rank) =>
    fc.record({
      shape: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: rank, maxLength: rank }),
      axes: fc.subarray(Array.from({ length: rank }, (_, i) => i), { minLength: 1 }),
      keepDims: fc.boolean(),
      seed: fc.nat(),
    }),
  );

/** ∂/∂x of Σ reduce(x) ⊙ m for random x, m, with the currently registered Mean/Sum gradients. */
function grad(kind: 'mean' | 'sum', shape: number[], axes: number[], keepDims: boolean, seed: number): Float32Array {
  return tf.tidy(() => {
    const rng = new Rng(seed);
    const x = tf.tensor(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1))), shape);
    const f = (t: tf.Tensor) => (kind === 'mean' ? tf.mean(t, axes, keepDims) : tf.sum(t, axes, keepDims));
    const outShape = f(x).shape;
    const m = tf.tensor(rng.fillNormal(new Float32Array(outShape.reduce((a, b) => a * b, 1))), outShape);
    return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(f(t), m)))(x).dataSync() as Float32Array;
  });
}

describe('broadcasting Mean and Sum gradients', () => {
  for (const backend of ['cpu', 'wasm']) {
    it(`equal tfjs-core's ones-multiplying gradients on ${backend} (random ranks, axes, keepDims)`, async () => {
      await initBackend(backend as 'cpu' | 'wasm');
      fc.assert(
        fc.property(reduceCase, fc.constantFrom('mean' as const, 'sum' as const), ({ shape, axes, keepDims, seed }, kind) => {
          tf.registerGradient(stockMean as tf.GradConfig);
          tf.registerGradient(stockSum as tf.GradConfig);
          const want = grad(kind, shape, axes, keepDims, seed);
          tf.registerGradient(meanGradConfig);
          tf.registerGradient(sumGradConfig);
          const got = grad(kind, shape, axes, keepDims, seed);
          expect(got.length).toBe(want.length);
          for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(want[i])));
        }),
        { numRuns: 60, seed: backend === 'cpu' ? 31 : 32 },
      );
    });
  }
});
