import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/deep/backend/initBackend.js';
import { contiguousReduction } from '../../../src/deep/backend/reductions.js';
import { Rng } from '../../../src/util/rng.js';

describe('transpose-free Sum/Mean on wasm', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('splits only contiguous blocks with kept axes after them', () => {
    expect(contiguousReduction([64, 32, 32, 16], [0, 1, 2])).toEqual([1, 65536, 16]);
    expect(contiguousReduction([64, 8, 8, 64], [1, 2])).toEqual([64, 64, 64]);
    expect(contiguousReduction([4, 5, 6], [2])).toBeUndefined(); // innermost: stock kernel, no transpose there
    expect(contiguousReduction([4, 5, 6], [0, 2])).toBeUndefined();
  });

  it('matches the cpu backend for random shapes, axes (any, negative) and keepDims', () => {
    const c = fc.record({
      shape: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }),
      axisSeed: fc.integer({ min: 0, max: 1000 }),
      keepDims: fc.boolean(),
      mean: fc.boolean(),
      seed: fc.integer(),
    });
    fc.assert(
      fc.property(c, (q) => {
        const rank = q.shape.length;
        const rng = new Rng(q.axisSeed);
        const axes = [...Array(rank).keys()].filter(() => rng.uniform() < 0.5).map((a) => (rng.uniform() < 0.3 ? a - rank : a));
        const values = new Rng(q.seed).fillNormal(new Float32Array(q.shape.reduce((a, b) => a * b, 1)));
        const run = (backend: string): { shape: number[]; data: Float32Array } => {
          tf.setBackend(backend);
          return tf.tidy(() => {
            const x = tf.tensor(values, q.shape);
            const ax = axes.length === 0 ? undefined : axes;
            const y = q.mean ? tf.mean(x, ax, q.keepDims) : tf.sum(x, ax, q.keepDims);
            return { shape: y.shape, data: y.dataSync() as Float32Array };
          });
        };
        const want = run('cpu');
        const got = run('wasm');
        expect(got.shape).toEqual(want.shape);
        for (let i = 0; i < want.data.length; i++) expect(Math.abs(got.data[i] - want.data[i])).toBeLessThan(1e-5 * (1 + Math.abs(want.data[i])) + 1e-5);
      }),
      { numRuns: 80, seed: 21 },
    );
  });

  it('int32 sums still work (stock fallback)', () => {
    tf.setBackend('wasm');
    const s = tf.sum(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), 0);
    expect(s.dtype).toBe('int32');
    expect(Array.from(s.dataSync())).toEqual([4, 6]);
    s.dispose();
  });
});
