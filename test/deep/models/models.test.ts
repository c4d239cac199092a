import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, canonicalEtf, etfKernel, initWeights, CLASSIFIER_LAYER } from '../../../src/deep/models/index.js';
import { Rng } from '../../../src/util/rng.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// The ETF's own properties are tested with src/geometry/etf.ts; here only its embedding as a Dense kernel.
describe('fixed ETF classifier kernel', () => {
  it('embeds into d > K as [E | 0] (kernel d×K) and refuses d < K', () => {
    const k = etfKernel(3, 5);
    const E = canonicalEtf(3).data;
    for (let j = 0; j < 5; j++) for (let c = 0; c < 3; c++) expect(k[j * 3 + c]).toBeCloseTo(j < 3 ? E[c * 3 + j] : 0, 6);
    expect(() => etfKernel(4, 3)).toThrow(/d ≥ K/);
  });
});

describe('architectures', () => {
  // Parameter counts of the PyTorch CIFAR models (kuangliu/pytorch-cifar, 10 classes, 32×32×3), which count trainable
  // parameters only; tfjs also holds BatchNorm running mean/variance as (non-trainable) weights.
  it('ResNet18 at 32×32×3, K = 10: 11,173,962 trainable parameters, d = 512, and fix-dim + fixed ETF keeps ≈79%', () => {
    const m = buildModel({ arch: 'resnet18', inputShape: [32, 32, 3], K: 10 });
    expect(m.trainableParams).toBe(11_173_962);
    expect(m.featureDim).toBe(512);
    const bnChannels = m.model.layers.filter((l) => l.getClassName() === 'BatchNormalization')
      .reduce((s, l) => s + (l.getWeights()[0].shape[0] as number), 0);
    expect(m.totalParams).toBe(11_173_962 + 2 * bnChannels);
    m.model.dispose();
    const e = buildModel({ arch: 'resnet18', inputShape: [32, 32, 3], K: 10, fixDim: true, fixedEtf: true });
    expect(e.featureDim).toBe(10);
    expect(e.trainableParams / 11_173_962).toBeGreaterThan(0.78);
    expect(e.trainableParams / 11_173_962).toBeLessThan(0.8);
    e.model.dispose();
  });

  it('ResNet50 has 23,520,842 trainable parameters and d = 2048; VGG16-BN 14,728,266 and VGG19-BN 20,040,522 with d = 512', () => {
    const cases = [
      ['resnet50', 23_520_842, 2048],
      ['vgg16', 14_728_266, 512],
      ['vgg19', 20_040_522, 512],
    ] as const;
    for (const [arch, params, d] of cases) {
      const m = buildModel({ arch, inputShape: [32, 32, 3], K: 10 });
      expect(m.trainableParams).toBe(params);
      expect(m.featureDim).toBe(d);
      m.model.dispose();
    }
  });

  it('every family runs on any input size and channel count, with outputs [logits N×K, features N×d]', () => {
    for (const arch of ['resnet18', 'resnet50', 'vgg16', 'vgg19', 'resnet-small'] as const) {
      for (const [h, w, c] of [[8, 8, 1], [9, 7, 3]] as const) {
        const m = buildModel({ arch, inputShape: [h, w, c], K: 4, width: 2, fixDim: arch === 'vgg16' });
        const [z, f] = m.model.predict(tf.zeros([2, h, w, c])) as tf.Tensor[];
        expect(z.shape).toEqual([2, 4]);
        expect(f.shape).toEqual([2, m.featureDim]);
        if (arch === 'vgg16') expect(m.featureDim).toBe(4);
        tf.dispose([z, f]);
        m.model.dispose();
      }
    }
  });

  it('--fixed-etf sets the classifier kernel to the ETF, freezes it and only it, and needs d ≥ K', () => {
    const m = buildModel({ arch: 'resnet-small', inputShape: [8, 8, 1], K: 3, width: 2, fixedEtf: true });
    const layer = m.model.getLayer(CLASSIFIER_LAYER);
    const kernel = layer.weights.find((w) => w.originalName.endsWith('/kernel'))!.read();
    const expected = etfKernel(3, m.featureDim);
    expect(Array.from(kernel.dataSync())).toEqual(Array.from(expected));
    const trainable = m.model.trainableWeights.map((w) => w.originalName);
    expect(trainable).toContain(`${CLASSIFIER_LAYER}/bias`);
    expect(trainable).not.toContain(`${CLASSIFIER_LAYER}/kernel`);
    initWeights(m.model, new Rng(3));
    expect(Array.from(kernel.dataSync())).toEqual(Array.from(expected));
    m.model.dispose();
    expect(() => buildModel({ arch: 'resnet-small', inputShape: [8, 8, 1], K: 10, width: 1, fixedEtf: true })).toThrow(/d ≥ K/);
  });

  it('rejects an unknown architecture and bad sizes with a message naming the problem', () => {
    expect(() => buildModel({ arch: 'lenet' as never, inputShape: [8, 8, 1], K: 3 })).toThrow(/unknown architecture "lenet"/);
    expect(() => buildModel({ arch: 'resnet18', inputShape: [8, 8, 1], K: 1 })).toThrow(/K must be/);
    expect(() => buildModel({ arch: 'resnet18', inputShape: [8, 8, 1], K: 3, width: 0 })).toThrow(/width/);
  });

  it('seeded initialisation is reproducible and differs between seeds', () => {
    const a = buildModel({ arch: 'resnet-small', inputShape: [8, 8, 1], K: 3, width: 2 });
    const b = buildModel({ arch: 'resnet-small', inputShape: [8, 8, 1], K: 3, width: 2 });
    initWeights(a.model, new Rng(5));
    initWeights(b.model, new Rng(5));
    const wa = a.model.getWeights().map((t) => Array.from(t.dataSync()));
    expect(b.model.getWeights().map((t) => Array.from(t.dataSync()))).toEqual(wa);
    initWeights(b.model, new Rng(6));
    expect(b.model.getWeights().map((t) => Array.from(t.dataSync()))).not.toEqual(wa);
    a.model.dispose();
    b.model.dispose();
  });
});
