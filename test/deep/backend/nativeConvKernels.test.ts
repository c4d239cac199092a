import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync } from 'node:fs';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/deep/backend/initBackend.js';
import { loadNativeKernels, nativeAddonPath } from '../../../src/deep/backend/nativeKernels.js';
import type { NativeKernels } from '../../../src/deep/backend/nativeKernels.js';
import { registerWasmTrainingKernels } from '../../../src/deep/backend/registerWasmTrainingKernels.js';
import { Rng } from '../../../src/util/rng.js';
import { expectAllClose } from '../../helpers/close.js';
import type { ConvCase as Case } from '../../helpers/convCase.js';
import { compilerPresent } from '../../helpers/compiler.js';

/** Forward (plain and fused with bias + relu) and both gradients of Σ conv(x, w) ⊙ m, on one backend. */
function convAll(backend: string, c: Case): Record<string, Float32Array> {
  tf.setBackend(backend);
  const rng = new Rng(c.seed);
  const rand = (shape: number[]) => tf.tensor(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1))), shape);
  const x = rand([c.batch, c.h, c.w, c.ci]) as tf.Tensor4D;
  const w = rand([c.k, c.k, c.ci, c.co]) as tf.Tensor4D;
  const bias = rand([c.co]) as tf.Tensor1D;
  const y = tf.conv2d(x, w, c.stride, c.pad);
  const fused = tf.fused.conv2d({ x, filter: w, strides: c.stride, pad: c.pad, bias, activation: 'relu' });
  const m = rand(y.shape);
  const [dx, dw] = tf.grads((xx: tf.Tensor, ww: tf.Tensor) =>
    tf.sum(tf.mul(tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, c.stride, c.pad), m)),
  )([x, w]);
  const out = {
    y: y.dataSync() as Float32Array,
    fused: fused.dataSync() as Float32Array,
    dx: dx.dataSync() as Float32Array,
    dw: dw.dataSync() as Float32Array,
  };
  tf.dispose([x, w, bias, y, fused, m, dx, dw]);
  return out;
}

describe('native conv kernels', () => {
  it('are built wherever a C++ compiler is present (so the tests below cannot silently not run)', () => {
    const status = loadNativeKernels();
    if (compilerPresent) {
      expect(existsSync(nativeAddonPath() ?? ''), status.description).toBe(true);
      expect(status.kernels, status.description).toBeDefined();
      expect(status.description).toMatch(/^native conv kernels \(/);
    } else {
      expect(status.kernels).toBeUndefined();
      expect(status.description).toMatch(/^wasm conv kernels \(/);
    }
  });

  it('MLNC_NATIVE=0 turns them off, and the backend reports it', async () => {
    expect(loadNativeKernels({ MLNC_NATIVE: '0' }).kernels).toBeUndefined();
    const info = await initBackend('wasm', { env: { MLNC_NATIVE: '0' } });
    expect(info.kernels).toBe('wasm conv kernels (native kernels off: MLNC_NATIVE=0)');
  });
});

describe.runIf(compilerPresent)('native kernels match the cpu backend', () => {
  let native: NativeKernels;
  beforeAll(async () => {
    const info = await initBackend('wasm', { env: {}, wasmKernels: {} });
    const replaced = registerWasmTrainingKernels({ native: true });
    expect(replaced).toContain('Conv2DBackpropFilter (native)');
    expect(info.kernels).toMatch(/^native conv kernels/);
    native = loadNativeKernels().kernels as NativeKernels;
  });

  // Sizes reach past the GEMM's blocks (MR 6, NR 16, KC 256) and the im2col row chunks (2^18 / taps rows).
  const caseArb: fc.Arbitrary<Case> = fc
    .record({
      batch: fc.integer({ min: 1, max: 3 }),
      h: fc.integer({ min: 1, max: 12 }),
      w: fc.integer({ min: 1, max: 12 }),
      ci: fc.integer({ min: 1, max: 40 }),
      co: fc.integer({ min: 1, max: 40 }),
      k: fc.constantFrom(1, 2, 3, 5),
      stride: fc.constantFrom(1 as const, 2 as const),
      pad: fc.constantFrom('same' as const, 'valid' as const),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    })
    .filter((c) => c.pad === 'same' || (c.h >= c.k && c.w >= c.k));

  it("forward, fused bias + relu, dx and dW over random shapes, strides 1/2, 'same'/'valid', k 1/2/3/5", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const ref = convAll('cpu', c);
        const got = convAll('wasm', c);
        for (const key of ['y', 'fused', 'dx', 'dw']) expectAllClose(got[key], ref[key], `${key} ${JSON.stringify(c)}`);
      }),
      { numRuns: 50, seed: 11 },
    );
  });

  it('explicit paddings, also larger than the filter', () => {
    const arb = fc.record({ base: caseArb, t: fc.nat(3), b: fc.nat(3), l: fc.nat(3), r: fc.nat(3) });
    fc.assert(
      fc.property(arb, ({ base, t, b, l, r }) => {
        fc.pre(base.h + t + b >= base.k && base.w + l + r >= base.k);
        const c: Case = { ...base, pad: [[0, 0], [t, b], [l, r], [0, 0]] };
        const ref = convAll('cpu', c);
        const got = convAll('wasm', c);
        for (const key of ['y', 'dx', 'dw']) expectAllClose(got[key], ref[key], `${key} ${JSON.stringify(c)}`);
      }),
      { numRuns: 30, seed: 12 },
    );
  });

  it('a layer larger than one im2col chunk and one GEMM block (64 channels, 3×3, 12×12, batch 4) = the pure-wasm kernels', () => {
    // The pure-wasm kernels are checked against cpu above (convGradients.test.ts); cpu is too slow at this size.
    const c: Case = { batch: 4, h: 12, w: 12, ci: 64, co: 64, k: 3, stride: 1, pad: 'same', seed: 3 };
    registerWasmTrainingKernels({ native: false });
    const ref = convAll('wasm', c);
    registerWasmTrainingKernels({ native: true });
    const got = convAll('wasm', c);
    for (const key of ['y', 'fused', 'dx', 'dw']) expectAllClose(got[key], ref[key], key);
  });

  it('matMul equals the naive triple loop for every transposition, across block edges', () => {
    const arb = fc.record({
      m: fc.integer({ min: 0, max: 110 }),
      n: fc.integer({ min: 0, max: 40 }),
      k: fc.integer({ min: 0, max: 300 }),
      ta: fc.boolean(),
      tb: fc.boolean(),
      seed: fc.nat(),
    });
    fc.assert(
      fc.property(arb, ({ m, n, k, ta, tb, seed }) => {
        const rng = new Rng(seed);
        const a = rng.fillNormal(new Float32Array(m * k));
        const b = rng.fillNormal(new Float32Array(k * n));
        const c = new Float32Array(m * n).fill(Number.NaN); // every entry must be written, also for k = 0
        native.matMul(a, b, c, m, n, k, ta, tb);
        const want = new Float32Array(m * n);
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let s = 0;
            for (let p = 0; p < k; p++) s += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
            want[i * n + j] = s;
          }
        }
        expectAllClose(c, want, `matMul ${JSON.stringify({ m, n, k, ta, tb })}`);
      }),
      { numRuns: 60, seed: 13 },
    );
  });

  it('rejects wrong sizes and types with a clear error instead of writing past a buffer', () => {
    const g = Int32Array.from([1, 4, 4, 2, 4, 4, 3, 3, 3, 1, 1, 1, 1]);
    const x = new Float32Array(32);
    const w = new Float32Array(54);
    expect(() => native.conv2d(x, w, null, 0, new Float32Array(47), g)).toThrow(/out has 47 elements, expected 48/);
    expect(() => native.conv2d(x, new Float32Array(53), null, 0, new Float32Array(48), g)).toThrow(/w has 53 elements/);
    expect(() => native.conv2dBackpropFilter(x, new Float32Array(48), new Float32Array(54), Int32Array.from([1, 2]))).toThrow(
      /geometry must be an Int32Array of 13/,
    );
    expect(() => native.conv2dBackpropInput(new Float64Array(48) as unknown as Float32Array, w, x, g)).toThrow(/dy must be a Float32Array/);
    expect(() => native.matMul(new Float32Array(6), new Float32Array(6), new Float32Array(4), 2, 2, 3, false, false)).not.toThrow();
    expect(() => native.matMul(new Float32Array(6), new Float32Array(5), new Float32Array(4), 2, 2, 3, false, false)).toThrow(/b has 5/);
  });

  it('does not leak wasm memory across a conv gradient step', () => {
    const c: Case = { batch: 2, h: 6, w: 5, ci: 3, co: 4, k: 3, stride: 2, pad: 'same', seed: 7 };
    convAll('wasm', c);
    tf.setBackend('wasm');
    const before = [tf.memory().numTensors, tf.backend().numDataIds()];
    convAll('wasm', c);
    tf.setBackend('wasm');
    expect([tf.memory().numTensors, tf.backend().numDataIds()]).toEqual(before);
  });
});
