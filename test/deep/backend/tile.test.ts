import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/deep/backend/initBackend.js';
import { registerWasmTrainingKernels } from '../../../src/deep/backend/registerWasmTrainingKernels.js';
import { tileInto } from '../../../src/deep/backend/tile.js';
import { Rng } from '../../../src/util/rng.js';

/** Reference tile by index arithmetic: out[idx] = x[idx mod shape], axis by axis. */
function naiveTile(x: Float32Array, shape: number[], reps: number[]): Float32Array {
  const outShape = shape.map((s, d) => s * reps[d]);
  const n = outShape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  for (let flat = 0; flat < n; flat++) {
    let rem = flat;
    let src = 0;
    let inStride = 1;
    for (let d = shape.length - 1; d >= 0; d--) {
      const i = rem % outShape[d];
      rem = Math.floor(rem / outShape[d]);
      src += (i % shape[d]) * inStride;
      inStride *= shape[d];
    }
    out[flat] = x[src];
  }
  return out;
}

const shapeReps = fc
  .integer({ min: 0, max: 5 })
  .chain((rank) => fc.tuple(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: rank, maxLength: rank }), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: rank, maxLength: rank })));

describe('block-copy Tile', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('tileInto equals index-arithmetic tiling for random ranks 0–5, sizes and reps (zeros included)', () => {
    fc.assert(
      fc.property(shapeReps, fc.nat(), ([shape, reps], seed) => {
        const x = new Rng(seed).fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)));
        const out = new Float32Array(shape.reduce((a, s, d) => a * s * reps[d], 1)).fill(Number.NaN);
        tileInto(x, shape, reps, out);
        expect(Array.from(out)).toEqual(Array.from(naiveTile(x, shape, reps)));
      }),
      { numRuns: 200, seed: 21 },
    );
  });

  it('the wasm Tile kernel (tf.tile, tf.broadcastTo) equals the cpu backend for float32, int32 and bool', () => {
    registerWasmTrainingKernels();
    fc.assert(
      fc.property(shapeReps, fc.nat(), fc.constantFrom('float32' as const, 'int32' as const, 'bool' as const), ([shape, reps], seed, dtype) => {
        fc.pre(shape.length > 0);
        const rng = new Rng(seed);
        const values = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (dtype === 'float32' ? rng.normal() : rng.int(3)));
        const run = (backend: string) => {
          tf.setBackend(backend);
          return tf.tidy(() => Array.from(tf.tile(tf.tensor(values, shape, dtype), reps).dataSync()));
        };
        expect(run('wasm')).toEqual(run('cpu'));
      }),
      { numRuns: 60, seed: 22 },
    );
    tf.setBackend('wasm');
    const b = tf.tidy(() => Array.from(tf.broadcastTo(tf.tensor([1, 2, 3], [1, 1, 3]), [2, 2, 3]).dataSync()));
    expect(b).toEqual([1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3]);
  });

  it('same-dtype Cast shares the buffer (the source can be disposed), other casts convert', () => {
    registerWasmTrainingKernels();
    tf.setBackend('wasm');
    const x = tf.tensor([1.5, -2.5, 3], [3]);
    const same = tf.cast(x, 'float32');
    const toInt = tf.cast(x, 'int32');
    const before = tf.backend().numDataIds();
    x.dispose();
    expect(tf.backend().numDataIds()).toBe(before); // still referenced by `same`
    expect(Array.from(same.dataSync())).toEqual([1.5, -2.5, 3]);
    expect(Array.from(toInt.dataSync())).toEqual([1, -2, 3]);
    tf.dispose([same, toInt]);
  });
});
