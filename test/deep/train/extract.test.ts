import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, canonicalEtf, initWeights } from '../../../src/deep/models/index.js';
import { classifierOf, extractAll } from '../../../src/deep/train/extract.js';
import { Rng } from '../../../src/util/rng.js';
import { syntheticImages } from './synthetic.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('feature extraction', () => {
  // Regression: freezing the kernel moves it behind the bias in the layer's weight list; the classifier must be
  // looked up by name, not by position.
  it('classifierOf returns W (K×d) as the ETF rows and the bias for a fixed-ETF model', async () => {
    const m = buildModel({ arch: 'resnet-small', inputShape: [8, 8, 1], K: 3, width: 1, fixDim: true, fixedEtf: true });
    const { W, b, K, d } = await classifierOf(m.model);
    expect([K, d, b.length]).toEqual([3, 3, 3]);
    const E = canonicalEtf(3).data;
    for (let i = 0; i < 9; i++) expect(W[i]).toBeCloseTo(E[i], 6);
    m.model.dispose();
  });

  it('returns, in dataset order and independent of the batch size, the features and logits the model predicts', async () => {
    const ds = syntheticImages({ K: 3, perClass: 3, perPair: 1, seed: 4 });
    const m = buildModel({ arch: 'resnet-small', inputShape: [8, 8, 1], K: 3, width: 2 });
    initWeights(m.model, new Rng(1));
    const a = await extractAll(m.model, ds, 4);
    const b = await extractAll(m.model, ds, 100);
    expect(a.n).toBe(12);
    for (let i = 0; i < a.features.length; i++) expect(a.features[i]).toBeCloseTo(b.features[i], 5);
    const { W, b: bias, K, d } = await classifierOf(m.model);
    // logits = W h + b, row by row.
    for (let i = 0; i < a.n; i++) {
      for (let k = 0; k < K; k++) {
        let z = bias[k];
        for (let j = 0; j < d; j++) z += W[k * d + j] * a.features[i * d + j];
        expect(a.logits[i * K + k]).toBeCloseTo(z, 4);
      }
    }
    m.model.dispose();
  });
});
