import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/deep/backend/initBackend.js';
import { contiguousReduction } from '../../../src/deep/backend/nativeChannelKernels.js';
import { registerWasmTrainingKernels } from '../../../src/deep/backend/registerWasmTrainingKernels.js';
import { Rng } from '../../../src/util/rng.js';
import { expectAllClose } from '../../helpers/close.js';
import { compilerPresent } from '../../helpers/compiler.js';

describe('contiguousReduction', () => {
  it('views a contiguous run of axes as [outer, reduced, inner] and refuses gaps', () => {
    expect(contiguousReduction([2, 3, 4, 5], [0, 1, 2])).toEqual([1, 24, 5]);
    expect(contiguousReduction([2, 3, 4, 5], [2, 1])).toEqual([2, 12, 5]);
    expect(contiguousReduction([2, 3, 4, 5], [3])).toEqual([24, 5, 1]);
    expect(contiguousReduction([2, 3, 4, 5], [0, 2])).toBeUndefined();
    expect(contiguousReduction([2, 3], [])).toBeUndefined();
  });
});

describe.runIf(compilerPresent)('native Sum, Mean and FusedBatchNorm match the cpu backend', () => {
  beforeAll(async () => {
    await initBackend('wasm', { env: {}, wasmKernels: {} });
    expect(registerWasmTrainingKernels({ native: true }, {})).toContain('FusedBatchNorm (native)');
  });

  const reduceCase = fc.integer({ min: 1, max: 5 }).chain((rank) =>
    fc.record({
      shape: fc.array(fc.integer({ min: 0, max: 7 }), { minLength: rank, maxLength: rank }),
      axes: fc.subarray(Array.from({ length: rank }, (_, i) => i), { minLength: 1 }),
      keepDims: fc.boolean(),
      kind: fc.constantFrom('sum' as const, 'mean' as const),
      seed: fc.nat(),
    }),
  );

  it('Sum and Mean over random ranks, axis sets (contiguous or not), keepDims, empty dimensions (regression: the stock wasm kernels divide by zero on those)', () => {
    fc.assert(
      fc.property(reduceCase, ({ shape, axes, keepDims, kind, seed }) => {
        const values = new Rng(seed).fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)));
        const run = (backend: string) => {
          tf.setBackend(backend);
          return tf.tidy(() => {
            const x = tf.tensor(values, shape);
            const r = kind === 'sum' ? tf.sum(x, axes, keepDims) : tf.mean(x, axes, keepDims);
            return { shape: r.shape, values: Array.from(r.dataSync()) };
          });
        };
        const want = run('cpu');
        const got = run('wasm');
        expect(got.shape).toEqual(want.shape);
        expectAllClose(got.values, want.values, `${kind} ${JSON.stringify({ shape, axes, keepDims })}`, { rel: 1e-5, abs: 1e-6 });
      }),
      { numRuns: 150, seed: 41 },
    );
  });

  it('Sum of a long run stays accurate (10^6 elements, mean 1: the float32 sequential sum would drift)', () => {
    tf.setBackend('wasm');
    const n = 1_000_003;
    const s = tf.tidy(() => tf.sum(tf.add(tf.ones([n]), tf.mul(tf.scalar(1e-3), tf.ones([n])))).dataSync()[0]);
    expect(Math.abs(s - n * 1.001) / (n * 1.001)).toBeLessThan(1e-6);
  });

  it('FusedBatchNorm (tf.batchNorm) with per-channel statistics, with and without γ, β; other shapes fall back', () => {
    const bnCase = fc.record({
      shape: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }),
      withScale: fc.boolean(),
      withOffset: fc.boolean(),
      fullStats: fc.boolean(),
      eps: fc.constantFrom(1e-3, 1e-5),
      seed: fc.nat(),
    });
    fc.assert(
      fc.property(bnCase, ({ shape, withScale, withOffset, fullStats, eps, seed }) => {
        const rng = new Rng(seed);
        const c = shape[shape.length - 1];
        const statShape = fullStats ? shape : [c];
        const n = (s: number[]) => s.reduce((a, b) => a * b, 1);
        const x = rng.fillNormal(new Float32Array(n(shape)));
        const mean = rng.fillNormal(new Float32Array(n(statShape)));
        const variance = Float32Array.from(rng.fillNormal(new Float32Array(n(statShape))), (v) => v * v + 0.1);
        // tf.batchNorm wants γ, β of the statistics' rank.
        const gamma = rng.fillNormal(new Float32Array(n(statShape)));
        const beta = rng.fillNormal(new Float32Array(n(statShape)));
        const run = (backend: string) => {
          tf.setBackend(backend);
          return tf.tidy(() =>
            Array.from(
              tf
                .batchNorm(
                  tf.tensor(x, shape), tf.tensor(mean, statShape), tf.tensor(variance, statShape),
                  withOffset ? tf.tensor(beta, statShape) : undefined, withScale ? tf.tensor(gamma, statShape) : undefined, eps,
                )
                .dataSync(),
            ),
          );
        };
        expectAllClose(run('wasm'), run('cpu'), `batchNorm ${JSON.stringify({ shape, withScale, withOffset, fullStats })}`, { rel: 1e-5, abs: 1e-6 });
      }),
      { numRuns: 100, seed: 42 },
    );
  });
});
