import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { initBackend, wasmBinaryDir } from '../../../src/deep/backend/initBackend.js';
import { registerWasmTrainingKernels } from '../../../src/deep/backend/registerWasmTrainingKernels.js';
import type { FilterGradRoute } from '../../../src/deep/backend/conv2dBackpropFilter.js';
import type { InputGradRoute } from '../../../src/deep/backend/conv2dBackpropInput.js';
import { Rng } from '../../../src/util/rng.js';
import { expectAllClose } from '../../helpers/close.js';
import type { ConvCase } from '../../helpers/convCase.js';

interface Grads {
  dx: Float32Array;
  dw: Float32Array;
}

/** Gradients of Σ conv2d(x, w) ⊙ m with respect to x and w (m random, so every output element matters). */
function convGrads(backend: string, c: ConvCase): Grads {
  tf.setBackend(backend);
  const rng = new Rng(c.seed);
  const xShape: [number, number, number, number] = [c.batch, c.h, c.w, c.ci];
  const wShape: [number, number, number, number] = [c.k, c.k, c.ci, c.co];
  const x = tf.tensor4d(rng.fillNormal(new Float32Array(xShape.reduce((a, b) => a * b))), xShape);
  const w = tf.tensor4d(rng.fillNormal(new Float32Array(wShape.reduce((a, b) => a * b))), wShape);
  const yShape = tf.tidy(() => tf.conv2d(x, w, c.stride, c.pad).shape);
  const m = tf.tensor(rng.fillNormal(new Float32Array(yShape.reduce((a, b) => a * b))), yShape);
  const g = tf.grads((xx: tf.Tensor, ww: tf.Tensor) =>
    tf.sum(tf.mul(tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, c.stride, c.pad), m)),
  );
  const [dx, dw] = g([x, w]);
  const out = { dx: dx.dataSync() as Float32Array, dw: dw.dataSync() as Float32Array };
  tf.dispose([x, w, m, dx, dw]);
  return out;
}

const convCase: fc.Arbitrary<ConvCase> = fc.record({
  batch: fc.integer({ min: 1, max: 3 }),
  h: fc.integer({ min: 1, max: 9 }),
  w: fc.integer({ min: 1, max: 9 }),
  ci: fc.integer({ min: 1, max: 8 }),
  co: fc.integer({ min: 1, max: 8 }),
  k: fc.constantFrom(1, 3),
  stride: fc.constantFrom(1 as const, 2 as const),
  pad: fc.constantFrom('same' as const, 'valid' as const),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
}).filter((c) => c.pad === 'same' || (c.h >= c.k && c.w >= c.k));

describe('pure-wasm conv gradient kernels (native addon off) match the cpu backend', () => {
  let stockFilterGradMissing = false;
  beforeAll(async () => {
    // Load the wasm backend without our kernels first, to record what the stock backend offers.
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(wasmBinaryDir());
    stockFilterGradMissing = tf.getKernel('Conv2DBackpropFilter', 'wasm') === undefined;
    await initBackend('wasm');
  });

  const routes: [FilterGradRoute, InputGradRoute][] = [
    ['conv', 'conv'],
    ['im2col', 'col2im'],
    ['auto', 'auto'],
  ];
  for (const [route, inputRoute] of routes) {
    it(`dW (route ${route}) and dx (route ${inputRoute}) over random shapes, strides 1/2, 'same'/'valid', k 1/3`, () => {
      registerWasmTrainingKernels({ native: false, filterGradRoute: route, inputGradRoute: inputRoute });
      fc.assert(
        fc.property(convCase, (c) => {
          const ref = convGrads('cpu', c);
          const got = convGrads('wasm', c);
          expectAllClose(got.dw, ref.dw, `dW ${JSON.stringify(c)}`);
          expectAllClose(got.dx, ref.dx, `dx ${JSON.stringify(c)}`);
        }),
        { numRuns: 60, seed: route === 'conv' ? 1 : 2 },
      );
    });
  }

  it("dW (route grid, stride 1 only) over random shapes, 'same'/'valid', k 1/3", () => {
    registerWasmTrainingKernels({ native: false, filterGradRoute: 'grid' });
    fc.assert(
      fc.property(convCase, (c0) => {
        const c = { ...c0, stride: 1 as const };
        expectAllClose(convGrads('wasm', c).dw, convGrads('cpu', c).dw, `dW ${JSON.stringify(c)}`);
      }),
      { numRuns: 40, seed: 5 },
    );
  });

  it('explicit paddings, including ones larger than the filter (auto routes)', () => {
    registerWasmTrainingKernels({ native: false });
    const explicit = fc.record({
      base: convCase,
      t: fc.integer({ min: 0, max: 3 }),
      b: fc.integer({ min: 0, max: 3 }),
      l: fc.integer({ min: 0, max: 3 }),
      r: fc.integer({ min: 0, max: 3 }),
    });
    fc.assert(
      fc.property(explicit, ({ base, t, b, l, r }) => {
        const c: ConvCase = { ...base, pad: [[0, 0], [t, b], [l, r], [0, 0]] };
        fc.pre(base.h + t + b >= base.k && base.w + l + r >= base.k);
        const ref = convGrads('cpu', c);
        const got = convGrads('wasm', c);
        expectAllClose(got.dw, ref.dw, `dW ${JSON.stringify(c)}`);
        expectAllClose(got.dx, ref.dx, `dx ${JSON.stringify(c)}`);
      }),
      { numRuns: 40, seed: 6 },
    );
  });

  it('the stock wasm backend really lacks Conv2DBackpropFilter (so the property above tests our kernel)', () => {
    expect(stockFilterGradMissing).toBe(true);
  });

  it('does not leak wasm memory across a gradient step (every route)', () => {
    for (const [route, inputRoute] of routes) {
      registerWasmTrainingKernels({ native: false, filterGradRoute: route, inputGradRoute: inputRoute });
      for (const stride of [1, 2] as const) leakCheck(stride);
    }
    registerWasmTrainingKernels({ native: false, filterGradRoute: 'grid' });
    leakCheck(1);
  });
});

function leakCheck(stride: 1 | 2): void {
  const c: ConvCase = { batch: 2, h: 6, w: 5, ci: 3, co: 4, k: 3, stride, pad: 'same', seed: 7 };
  convGrads('wasm', c);
  tf.setBackend('wasm');
  const tensorsBefore = tf.memory().numTensors;
  const dataBefore = tf.backend().numDataIds(); // backend-level buffers, including our kernels' intermediates
  convGrads('wasm', c);
  tf.setBackend('wasm');
  expect(tf.memory().numTensors).toBe(tensorsBefore);
  expect(tf.backend().numDataIds()).toBe(dataBefore);
}

describe('conv gradients of an empty batch', () => {
  // Regression: the pure-wasm dW routes returned uninitialised heap memory for a batch of 0 (XNNPACK skips M = 0),
  // and the native kernels rejected it; both must give zeros, as the cpu backend does.
  for (const native of [false, true]) {
    it(`are zeros (dW) and empty (dx) with native ${native ? 'on' : 'off'}`, async () => {
      await initBackend('wasm');
      registerWasmTrainingKernels({ native });
      tf.setBackend('wasm');
      // Dirty the heap first so that uninitialised memory would show.
      tf.tidy(() => tf.fill([4096], 7).dataSync());
      const x = tf.zeros([0, 5, 5, 3]) as tf.Tensor4D;
      const w = tf.ones([3, 3, 3, 4]) as tf.Tensor4D;
      for (const stride of [1, 2] as const) {
        const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, 'same')))([x, w]);
        expect(dx.shape).toEqual([0, 5, 5, 3]);
        expect(Array.from(dw.dataSync()).every((v) => v === 0)).toBe(true);
        expect(tf.conv2d(x, w, stride, 'same').shape).toEqual([0, stride === 1 ? 5 : 3, stride === 1 ? 5 : 3, 4]);
        tf.dispose([dx, dw]);
      }
      tf.dispose([x, w]);
    });
  }
});
