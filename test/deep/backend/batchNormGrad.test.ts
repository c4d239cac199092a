import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { fusedBatchNormGradConfig } from '../../../src/deep/backend/batchNormGrad.js';
import { initBackend } from '../../../src/deep/backend/initBackend.js';
import { Rng } from '../../../src/util/rng.js';
import { expectAllClose } from '../../helpers/close.js';

function expectAllGradsClose(actual: Float32Array[], expected: Float32Array[], what: string): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, k) => expectAllClose(actual[k], e, `${what} grad ${k}`));
}

// Captured before anything replaces it: the reference gradient is tfjs-core's own.
const stockGrad = tf.getGradient('FusedBatchNorm');

interface BnCase {
  n: number;
  h: number;
  w: number;
  c: number;
  eps: number;
  rank4Stats: boolean;
  seed: number;
}

const bnCase: fc.Arbitrary<BnCase> = fc.record({
  n: fc.integer({ min: 1, max: 3 }),
  h: fc.integer({ min: 1, max: 5 }),
  w: fc.integer({ min: 1, max: 5 }),
  c: fc.integer({ min: 1, max: 8 }),
  eps: fc.constantFrom(1e-3, 1e-5),
  rank4Stats: fc.boolean(),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

function randn(rng: Rng, shape: number[], shift = 0): tf.Tensor {
  const v = rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)));
  return tf.tensor(v.map((e) => e + shift), shape);
}

/** Gradients of Σ m ⊙ batchNorm(x, μ, σ², β, γ) w.r.t. (x, μ, σ², β, γ), μ and σ² independent inputs. */
function directGrads(c: BnCase): Float32Array[] {
  return tf.tidy(() => {
    const rng = new Rng(c.seed);
    const xs = [c.n, c.h, c.w, c.c];
    const ss = c.rank4Stats ? [1, 1, 1, c.c] : [c.c];
    const x = randn(rng, xs);
    const mean = randn(rng, ss);
    const variance = tf.abs(randn(rng, ss, 1)).add(0.1);
    const offset = randn(rng, ss);
    const scale = randn(rng, ss);
    const m = randn(rng, xs);
    const f = (a: tf.Tensor, b: tf.Tensor, d: tf.Tensor, e: tf.Tensor, g: tf.Tensor): tf.Scalar =>
      tf.sum(tf.mul(tf.batchNorm(a as tf.Tensor4D, b, d, e, g, c.eps), m));
    return tf.grads(f)([x, mean, variance, offset, scale]).map((t) => t.dataSync() as Float32Array);
  });
}

/** The tfjs-layers training path: μ, σ² = moments(x) over N, H, W, then batchNorm; gradients w.r.t. (x, β, γ). */
function layersPathGrads(c: BnCase): Float32Array[] {
  return tf.tidy(() => {
    const rng = new Rng(c.seed);
    const xs = [c.n, c.h, c.w, c.c];
    const x = randn(rng, xs);
    const offset = randn(rng, [c.c]);
    const scale = randn(rng, [c.c]);
    const m = randn(rng, xs);
    const f = (a: tf.Tensor, e: tf.Tensor, g: tf.Tensor): tf.Scalar => {
      const { mean, variance } = tf.moments(a, [0, 1, 2]);
      return tf.sum(tf.mul(tf.batchNorm(a as tf.Tensor4D, mean, variance, e, g, c.eps), m));
    };
    return tf.grads(f)([x, offset, scale]).map((t) => t.dataSync() as Float32Array);
  });
}

function withGrad<T>(config: tf.GradConfig, f: () => T): T {
  tf.registerGradient(config);
  try {
    return f();
  } finally {
    tf.registerGradient(fusedBatchNormGradConfig);
  }
}

describe('tile-free FusedBatchNorm gradient', () => {
  beforeAll(async () => {
    await initBackend('wasm'); // registers our gradient
    expect(tf.getGradient('FusedBatchNorm')).toBe(fusedBatchNormGradConfig);
  });

  it('matches the stock gradient for independent μ, σ² (rank-1 and rank-4 statistics), on cpu and wasm', () => {
    fc.assert(
      fc.property(bnCase, (c) => {
        tf.setBackend('cpu');
        // The stock gradient cannot handle rank-4 statistics (it only reduces for rank-1 μ and then fails to
        // reshape), so the reference always uses rank-1 statistics: same values, same flat order.
        const ref = withGrad(stockGrad, () => directGrads({ ...c, rank4Stats: false }));
        const cpu = directGrads(c);
        expectAllGradsClose(cpu, ref, `cpu ${JSON.stringify(c)}`);
        tf.setBackend('wasm');
        expectAllGradsClose(directGrads(c), ref, `wasm ${JSON.stringify(c)}`);
      }),
      { numRuns: 40, seed: 3 },
    );
  });

  it('matches the stock gradient through moments (the tfjs-layers training path)', () => {
    fc.assert(
      fc.property(bnCase, (c) => {
        tf.setBackend('cpu');
        const ref = withGrad(stockGrad, () => layersPathGrads(c));
        tf.setBackend('wasm');
        expectAllGradsClose(layersPathGrads(c), ref, `wasm ${JSON.stringify(c)}`);
      }),
      { numRuns: 30, seed: 4 },
    );
  });

  it('handles rank-4 statistics, where the stock gradient throws', () => {
    tf.setBackend('cpu');
    const c: BnCase = { n: 1, h: 1, w: 2, c: 1, eps: 1e-3, rank4Stats: true, seed: 0 };
    expect(() => withGrad(stockGrad, () => directGrads(c))).toThrow();
    expect(directGrads(c).every((g) => g.every(Number.isFinite))).toBe(true);
  });

  it('leaves no tensors behind', () => {
    tf.setBackend('wasm');
    const c: BnCase = { n: 2, h: 3, w: 3, c: 4, eps: 1e-3, rank4Stats: false, seed: 5 };
    layersPathGrads(c);
    const before = tf.memory().numTensors;
    layersPathGrads(c);
    directGrads(c);
    expect(tf.memory().numTensors).toBe(before);
  });
});
