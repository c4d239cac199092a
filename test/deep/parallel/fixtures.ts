/** Tiny models and datasets for the parallel-trainer tests. */
import * as tf from '@tensorflow/tfjs';
import type { LabelSet } from '../../../src/geometry/types.js';
import type { TrainingImages } from '../../../src/deep/train/types.js';
import { Rng } from '../../../src/util/rng.js';

/** 8×8×1 → 3×3 conv (4 channels) → [BatchNorm] → ReLU → global average pool (features) → dense K (logits). */
export function tinyModel(K: number, batchNorm: boolean, seed: number): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 1] });
  let h = tf.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: !batchNorm, kernelInitializer: tf.initializers.heNormal({ seed }) })
    .apply(input) as tf.SymbolicTensor;
  if (batchNorm) h = tf.layers.batchNormalization({ momentum: 0.9 }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.reLU().apply(h) as tf.SymbolicTensor;
  const features = tf.layers.globalAveragePooling2d({}).apply(h) as tf.SymbolicTensor;
  const logits = tf.layers
    .dense({ units: K, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }), biasInitializer: 'zeros' })
    .apply(features) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: [logits, features] });
}

/** N random 8×8×1 images with random label sets of size 1 or 2 out of K. */
export function tinyDataset(N: number, K: number, seed: number, side = 8): TrainingImages {
  const rng = new Rng(seed);
  const images = new Uint8Array(N * side * side);
  for (let i = 0; i < images.length; i++) images[i] = rng.int(256);
  const labels: LabelSet[] = [];
  for (let i = 0; i < N; i++) {
    const a = rng.int(K);
    const b = rng.int(K);
    labels.push(a === b || rng.uniform() < 0.5 ? [a] : [Math.min(a, b), Math.max(a, b)]);
  }
  return { name: 'tiny', K, height: side, width: side, channels: 1, images, labels };
}

/** max |a − b| / (1 + |b|) over all entries. */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i])));
  return m;
}
