import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { featurePenalty, palLoss, palLossPerSample } from '../../src/deep/palLoss.js';
import { palGradient, palValue } from '../../src/ufm/pal.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Random batches: K classes, B samples, logits of a chosen scale, label sets of random size 1..K. */
const batchArb = fc
  .record({ K: fc.integer({ min: 2, max: 7 }), B: fc.integer({ min: 1, max: 6 }), scale: fc.constantFrom(0.1, 1, 10, 40) })
  .chain(({ K, B, scale }) =>
    fc.record({
      K: fc.constant(K),
      logits: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: K * B, maxLength: K * B }).map((a) => a.map((v) => v * scale)),
      sets: fc.array(fc.uniqueArray(fc.integer({ min: 0, max: K - 1 }), { minLength: 1, maxLength: K }).map((s) => [...s].sort((a, b) => a - b)), { minLength: B, maxLength: B }),
    }),
  );

function multiHot(sets: number[][], K: number): Float32Array {
  const y = new Float32Array(sets.length * K);
  sets.forEach((S, i) => S.forEach((k) => (y[i * K + k] = 1)));
  return y;
}

describe('tfjs PAL loss', () => {
  for (const loss of ['pal', 'pal-n'] as const) {
    it(`${loss}: per-sample values and batch mean equal the float64 reference (src/ufm/pal.ts)`, () => {
      fc.assert(
        fc.property(batchArb, ({ K, logits, sets }) => {
          const B = sets.length;
          const z = tf.tensor2d(Float32Array.from(logits), [B, K]);
          const y = tf.tensor2d(multiHot(sets, K), [B, K]);
          const per = palLossPerSample(z, y, loss).dataSync();
          const mean = palLoss(z, y, loss).dataSync()[0];
          tf.dispose([z, y]);
          let refMean = 0;
          sets.forEach((S, i) => {
            // Reference on the float32-rounded logits the tensor actually holds.
            const zi = Array.from(Float32Array.from(logits.slice(i * K, (i + 1) * K)));
            const ref = palValue(zi, S, loss);
            refMean += ref / B;
            expect(Math.abs(per[i] - ref)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(ref)));
          });
          expect(Math.abs(mean - refMean)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(refMean)));
        }),
        { numRuns: 60, seed: 11 },
      );
    });

    it(`${loss}: the tfjs gradient equals c_m(m·softmax − 1_S)/B`, () => {
      fc.assert(
        fc.property(batchArb, ({ K, logits, sets }) => {
          const B = sets.length;
          const z = tf.tensor2d(Float32Array.from(logits), [B, K]);
          const y = tf.tensor2d(multiHot(sets, K), [B, K]);
          const g = tf.grad((t: tf.Tensor) => palLoss(t as tf.Tensor2D, y, loss))(z).dataSync();
          tf.dispose([z, y]);
          const out = new Float64Array(K);
          sets.forEach((S, i) => {
            palGradient(Array.from(Float32Array.from(logits.slice(i * K, (i + 1) * K))), S, out, loss);
            for (let k = 0; k < K; k++) expect(Math.abs(g[i * K + k] - out[k] / B)).toBeLessThanOrEqual(2e-6);
          });
        }),
        { numRuns: 40, seed: 12 },
      );
    });
  }

  it('is invariant to adding a constant to every logit of a sample', () => {
    const z = tf.tensor2d([[0.3, -1.2, 2.0, 0.1]]);
    const y = tf.tensor2d([[1, 0, 1, 0]]);
    const a = palLoss(z, y, 'pal').dataSync()[0];
    const b = palLoss(tf.add(z, 17.5) as tf.Tensor2D, y, 'pal').dataSync()[0];
    expect(Math.abs(a - b)).toBeLessThan(1e-4);
  });

  it('feature penalty is λ_H times the squared Frobenius norm summed over the batch (not averaged)', () => {
    const h = tf.tensor2d([[1, 2], [3, -4]]);
    expect(featurePenalty(h, 0.01).dataSync()[0]).toBeCloseTo(0.01 * (1 + 4 + 9 + 16), 6);
  });
});
