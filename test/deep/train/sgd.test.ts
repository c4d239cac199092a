import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { cosineLr } from '../../../src/deep/train/schedule.js';
import { MomentumSgd } from '../../../src/deep/train/sgd.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('MomentumSgd', () => {
  it('follows PyTorch SGD: v ← μv + (g + λw), w ← w − lr·v, over several steps (hand recursion)', () => {
    fc.assert(fc.property(
      fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 3, maxLength: 3 }),
      fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 }),
      fc.double({ min: 0, max: 0.99, noNaN: true }), fc.double({ min: 0, max: 0.1, noNaN: true }), fc.double({ min: 1e-3, max: 0.5, noNaN: true }),
      (w0, gs, mu, wd, lr) => {
        const v = tf.variable(tf.tensor1d(w0), true);
        const sgd = new MomentumSgd([{ name: 'w', variable: v }], { momentum: mu, weightDecay: wd });
        const w = Float64Array.from(w0.map((x) => Math.fround(x)));
        const vel = new Float64Array(3);
        for (const g of gs) {
          const gt = tf.fill([3], g);
          sgd.step({ w: gt }, lr);
          gt.dispose();
          for (let i = 0; i < 3; i++) {
            vel[i] = mu * vel[i] + (g + wd * w[i]);
            w[i] -= lr * vel[i];
          }
        }
        const got = v.dataSync();
        for (let i = 0; i < 3; i++) expect(Math.abs(got[i] - w[i])).toBeLessThan(1e-5 * (1 + Math.abs(w[i])));
        sgd.dispose();
        v.dispose();
      }), { numRuns: 30, seed: 21 });
  });
  it('rejects a missing gradient and a mismatched optimizer state', () => {
    const v = tf.variable(tf.zeros([2]));
    const sgd = new MomentumSgd([{ name: 'a', variable: v }], { momentum: 0.9, weightDecay: 0 });
    expect(() => sgd.step({}, 0.1)).toThrow(/no gradient for a/);
    expect(() => sgd.loadStateArrays([{ name: 'a', shape: [3], data: new Float32Array(3) }])).toThrow(/shape/);
    expect(() => sgd.loadStateArrays([{ name: 'b', shape: [2], data: new Float32Array(2) }])).toThrow(/lacks the velocity of a/);
    sgd.dispose();
    v.dispose();
  });
});

describe('cosineLr', () => {
  it('starts at lr, ends near lr/1000 and decreases monotonically (half a cosine period)', () => {
    expect(cosineLr(0, 10, 0.1)).toBeCloseTo(0.1, 15);
    expect(cosineLr(10, 10, 0.1)).toBeCloseTo(1e-4, 15);
    expect(cosineLr(5, 10, 0.1)).toBeCloseTo((0.1 + 1e-4) / 2, 15);
    for (let e = 1; e < 10; e++) expect(cosineLr(e, 10, 0.1)).toBeLessThan(cosineLr(e - 1, 10, 0.1));
  });
});
