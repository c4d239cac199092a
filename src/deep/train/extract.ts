import * as tf from '@tensorflow/tfjs';
import { makeBatch } from './batches.js';
import type { TrainingImages } from './types.js';

export interface Extracted {
  /** N×d penultimate features, row-major. */
  features: Float32Array;
  /** N×K logits, row-major. */
  logits: Float32Array;
  n: number;
  d: number;
  K: number;
}

/**
 * Features and logits of every sample, inference mode (BatchNorm running statistics), in dataset order. Reads are
 * asynchronous (a GPU backend cannot read synchronously in Node).
 */
export async function extractAll(model: tf.LayersModel, ds: TrainingImages, batchSize: number): Promise<Extracted> {
  const n = ds.labels.length;
  const d = (model.outputs[1].shape[1] as number);
  const K = ds.K;
  const features = new Float32Array(n * d);
  const logits = new Float32Array(n * K);
  for (let s = 0; s < n; s += batchSize) {
    const e = Math.min(n, s + batchSize);
    const idx = new Int32Array(e - s);
    for (let i = 0; i < idx.length; i++) idx[i] = s + i;
    const { x, y } = makeBatch(ds, idx);
    const [z, h] = model.predict(x) as tf.Tensor[];
    try {
      const [zd, hd] = await Promise.all([z.data(), h.data()]);
      logits.set(zd as Float32Array, s * K);
      features.set(hd as Float32Array, s * d);
    } finally {
      tf.dispose([x, y, z, h]);
    }
  }
  return { features, logits, n, d, K };
}

/** The classifier as a K×d row-major matrix W (tfjs stores the kernel as d×K) and its bias. */
export async function classifierOf(model: tf.LayersModel, layerName = 'classifier'): Promise<{ W: Float32Array; b: Float32Array; K: number; d: number }> {
  // By name: freezing the kernel moves it behind the bias in the layer's weight list.
  const weights = model.getLayer(layerName).weights;
  const kernel = weights.find((w) => w.originalName.endsWith('/kernel'))?.read();
  const bias = weights.find((w) => w.originalName.endsWith('/bias'))?.read();
  if (!kernel || !bias) throw new Error(`layer ${layerName} lacks a kernel or a bias`);
  const [d, K] = kernel.shape as [number, number];
  const [kd, bd] = await Promise.all([kernel.data(), bias.data()]);
  const W = new Float32Array(K * d);
  for (let j = 0; j < d; j++) for (let k = 0; k < K; k++) W[k * d + j] = kd[j * K + k];
  return { W, b: Float32Array.from(bd), K, d };
}
