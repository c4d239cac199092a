import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../util/rng.js';
import type { TrainingImages } from './types.js';

/** One batch as float tensors: images scaled to [0, 1] (no normalisation, as the public code) and multi-hot targets. */
export function makeBatch(ds: TrainingImages, indices: ArrayLike<number>): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const per = ds.height * ds.width * ds.channels;
  const n = indices.length;
  const pixels = new Float32Array(n * per);
  const targets = new Float32Array(n * ds.K);
  for (let b = 0; b < n; b++) {
    const i = indices[b];
    const src = ds.images.subarray(i * per, (i + 1) * per);
    const off = b * per;
    for (let j = 0; j < per; j++) pixels[off + j] = src[j] / 255;
    for (const k of ds.labels[i]) targets[b * ds.K + k] = 1;
  }
  return {
    x: tf.tensor4d(pixels, [n, ds.height, ds.width, ds.channels]),
    y: tf.tensor2d(targets, [n, ds.K]),
  };
}

/** A fresh shuffled order of 0..n-1 drawn from the run's RNG (so it is restored exactly on resume). */
export function epochOrder(rng: Rng, n: number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  rng.shuffle(order);
  return order;
}

/** Consecutive batches of `order`; the last one may be smaller (kept, as PyTorch's default drop_last=False). */
export function* batchesOf(order: Int32Array, batchSize: number): Generator<Int32Array> {
  for (let s = 0; s < order.length; s += batchSize) yield order.subarray(s, Math.min(order.length, s + batchSize));
}
