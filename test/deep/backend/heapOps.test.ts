import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/deep/backend/initBackend.js';
import { col2im, dilateSpatial, im2colTransposed, transpose4d } from '../../../src/deep/backend/heapOps.js';
import type { WasmBackendLike } from '../../../src/deep/backend/wasmOps.js';
import { Rng } from '../../../src/util/rng.js';

function wasmBackend(): WasmBackendLike {
  return tf.backend() as unknown as WasmBackendLike;
}

/** Runs a heap op on engine tensors and returns the result's values, freeing the backend output. */
function heapValues(f: (b: WasmBackendLike) => tf.TensorInfo): Float32Array {
  const b = wasmBackend();
  const out = f(b);
  const values = Float32Array.from(b.typedArrayFromHeap(out));
  b.disposeData(out.dataId);
  return values;
}

function randTensor(rng: Rng, shape: number[]): tf.Tensor {
  return tf.tensor(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1))), shape);
}

const dim = fc.integer({ min: 1, max: 5 });

describe('heap-side data movement on the wasm backend', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('transpose4d equals tf.transpose for every permutation', () => {
    const perm = fc.constantFrom(
      ...[0, 1, 2, 3].flatMap((a) =>
        [0, 1, 2, 3].flatMap((b) => [0, 1, 2, 3].flatMap((c) => [0, 1, 2, 3].map((d) => [a, b, c, d]))),
      ).filter((p) => new Set(p).size === 4),
    );
    fc.assert(
      fc.property(fc.tuple(dim, dim, dim, dim), perm, fc.integer(), (shape, p, seed) => {
        const x = randTensor(new Rng(seed), shape);
        const got = heapValues((b) => transpose4d(b, x, p as [number, number, number, number]));
        const want = tf.transpose(x, p);
        expect(Array.from(got)).toEqual(Array.from(want.dataSync()));
        tf.dispose([x, want]);
      }),
      { numRuns: 40, seed: 11 },
    );
  });

  it('dilateSpatial puts dy at multiples of the stride and zeros elsewhere', () => {
    fc.assert(
      fc.property(fc.tuple(dim, dim, dim, dim), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), (s, sh, sw) => {
        const x = randTensor(new Rng(s[0] * 7 + s[3]), s);
        const got = heapValues((b) => dilateSpatial(b, x, sh, sw));
        const xv = x.dataSync();
        const [n, h, w, c] = s;
        let nonzeroSlots = 0;
        for (let a = 0; a < n; a++)
          for (let i = 0; i < h * sh; i++)
            for (let j = 0; j < w * sw; j++)
              for (let k = 0; k < c; k++) {
                const v = got[((a * h * sh + i) * w * sw + j) * c + k];
                const onGrid = i % sh === 0 && j % sw === 0;
                if (onGrid) nonzeroSlots++;
                expect(v).toBe(onGrid ? xv[((a * h + i / sh) * w + j / sw) * c + k] : 0);
              }
        expect(nonzeroSlots).toBe(xv.length);
        x.dispose();
      }),
      { numRuns: 30, seed: 12 },
    );
  });

  it('col2im is the adjoint of im2col: <im2col(x), C> = <x, col2im(C)>', () => {
    const geom = fc.record({
      n: fc.integer({ min: 1, max: 2 }),
      h: fc.integer({ min: 1, max: 7 }),
      w: fc.integer({ min: 1, max: 7 }),
      ci: fc.integer({ min: 1, max: 4 }),
      k: fc.constantFrom(1, 2, 3),
      stride: fc.constantFrom(1, 2),
      padTop: fc.integer({ min: 0, max: 2 }),
      padLeft: fc.integer({ min: 0, max: 2 }),
      seed: fc.integer(),
    });
    fc.assert(
      fc.property(geom, (q) => {
        const outH = Math.floor((q.h + 2 * q.padTop - q.k) / q.stride) + 1;
        const outW = Math.floor((q.w + 2 * q.padLeft - q.k) / q.stride) + 1;
        fc.pre(outH >= 1 && outW >= 1);
        const g = { fH: q.k, fW: q.k, sH: q.stride, sW: q.stride, padTop: q.padTop, padLeft: q.padLeft, outH, outW };
        const rng = new Rng(q.seed);
        const x = randTensor(rng, [q.n, q.h, q.w, q.ci]);
        const m = q.n * outH * outW;
        const kk = q.k * q.k * q.ci;
        const cT = randTensor(rng, [kk, m]); // in im2colTransposed's layout [K, M]
        const cM = tf.transpose(cT); // col2im takes [M, K]
        const colsX = heapValues((b) => im2colTransposed(b, x, g));
        const back = heapValues((b) => col2im(b, cM, x.shape, g));
        const cv = cT.dataSync();
        const xv = x.dataSync();
        let lhs = 0;
        let rhs = 0;
        for (let i = 0; i < cv.length; i++) lhs += colsX[i] * cv[i];
        for (let i = 0; i < xv.length; i++) rhs += xv[i] * back[i];
        expect(Math.abs(lhs - rhs)).toBeLessThan(1e-4 * (Math.abs(lhs) + 1));
        tf.dispose([x, cT, cM]);
      }),
      { numRuns: 60, seed: 13 },
    );
  });
});
