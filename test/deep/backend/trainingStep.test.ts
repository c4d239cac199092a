import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/deep/backend/initBackend.js';
import {
  buildReferenceNet,
  REFERENCE_NET_PARAMS,
  REFERENCE_NET_TRAINABLE_PARAMS,
} from '../../../src/deep/models/referenceNet.js';
import { Rng } from '../../../src/util/rng.js';

/** Loss and gradients of every trainable weight for one batch, on the given backend, with identical weights. */
function lossAndGrads(backend: string, weights: Float32Array[], seed: number): { loss: number; grads: Float32Array[] } {
  tf.setBackend(backend);
  const model = buildReferenceNet({ inputShape: [8, 8, 3], classes: 4, seed: 1 });
  model.setWeights(model.getWeights().map((w, i) => tf.tensor(weights[i], w.shape)));
  const rng = new Rng(seed);
  const x = tf.tensor4d(rng.fillNormal(new Float32Array(3 * 8 * 8 * 3)), [3, 8, 8, 3]);
  const y = tf.oneHot(tf.tensor1d([0, 3, 1], 'int32'), 4).toFloat();
  const { value, grads } = tf.variableGrads(
    () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
    model.trainableWeights.map((w) => w.read() as tf.Variable),
  );
  const out = {
    loss: value.dataSync()[0],
    grads: model.trainableWeights.map((w) => grads[(w.read() as tf.Variable).name].dataSync() as Float32Array),
  };
  tf.dispose([x, y, value, ...Object.values(grads)]);
  model.dispose();
  return out;
}

describe('reference net on the patched wasm backend', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('has 152,954 parameters (152,026 trainable) at 32×32×3 with 10 classes', () => {
    const model = buildReferenceNet({ seed: 0 });
    expect(model.countParams()).toBe(REFERENCE_NET_PARAMS);
    const trainable = model.trainableWeights.reduce((s, w) => s + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
    expect(trainable).toBe(REFERENCE_NET_TRAINABLE_PARAMS);
    model.dispose();
  });

  it('computes the same loss and weight gradients as the cpu backend (every patched kernel on the path)', () => {
    tf.setBackend('cpu');
    const init = buildReferenceNet({ inputShape: [8, 8, 3], classes: 4, seed: 9 });
    const weights = init.getWeights().map((w) => w.dataSync() as Float32Array);
    init.dispose();
    const cpu = lossAndGrads('cpu', weights, 3);
    const wasm = lossAndGrads('wasm', weights, 3);
    expect(Math.abs(wasm.loss - cpu.loss)).toBeLessThan(1e-4 * Math.abs(cpu.loss));
    expect(wasm.grads.length).toBe(cpu.grads.length);
    cpu.grads.forEach((g, k) => {
      let scale = 0;
      for (const v of g) scale = Math.max(scale, Math.abs(v));
      for (let i = 0; i < g.length; i++) {
        // Looser than the single-conv checks: ~20 layers of float32 rounding, and BN divides by small variances.
        expect(Math.abs(wasm.grads[k][i] - g[i]), `weight ${k} [${i}]`).toBeLessThanOrEqual(2e-3 * scale + 1e-5);
      }
    });
  });

  it('zero-copy Identity: a clone survives disposing its source, and buffers are freed with the last user', () => {
    tf.setBackend('wasm');
    const before = tf.backend().numDataIds();
    const a = tf.tensor([1, 2, 3]);
    const b = tf.clone(a);
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3]);
    b.dispose();
    expect(tf.backend().numDataIds()).toBe(before);
  });
});
