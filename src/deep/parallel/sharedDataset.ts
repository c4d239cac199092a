/**
 * The training set in shared memory, so that every worker thread gathers its own shard of a batch without the main
 * thread copying pixels into messages: NHWC uint8 pixels and a multi-hot uint8 target row per sample.
 */
import type { TrainingImages } from '../train/types.js';

export interface SharedDataset {
  N: number;
  K: number;
  height: number;
  width: number;
  channels: number;
  /** N×H×W×C uint8. */
  images: SharedArrayBuffer;
  /** N×K uint8, 1 for each class of the sample's label set. */
  targets: SharedArrayBuffer;
}

export function shareDataset(ds: TrainingImages): SharedDataset {
  const N = ds.labels.length;
  const per = ds.height * ds.width * ds.channels;
  if (ds.images.length !== N * per) throw new Error(`shareDataset: ${ds.images.length} pixel values for ${N} images of ${per}`);
  const images = new SharedArrayBuffer(N * per);
  new Uint8Array(images).set(ds.images);
  const targets = new SharedArrayBuffer(N * ds.K);
  const t = new Uint8Array(targets);
  ds.labels.forEach((S, i) => {
    for (const k of S) {
      if (!Number.isInteger(k) || k < 0 || k >= ds.K) throw new Error(`shareDataset: label ${k} of sample ${i} is outside 0..${ds.K - 1}`);
      t[i * ds.K + k] = 1;
    }
  });
  return { N, K: ds.K, height: ds.height, width: ds.width, channels: ds.channels, images, targets };
}

export interface ShardArrays {
  /** n×H×W×C float32, pixels / 255 (as the single-process makeBatch). */
  x: Float32Array;
  /** n×K multi-hot float32. */
  y: Float32Array;
}

/** Gathers samples indices[start..end) from the shared dataset. */
export function gatherShard(ds: SharedDataset, indices: ArrayLike<number>, start: number, end: number): ShardArrays {
  const per = ds.height * ds.width * ds.channels;
  const pixels = new Uint8Array(ds.images);
  const targets = new Uint8Array(ds.targets);
  const n = end - start;
  const x = new Float32Array(n * per);
  const y = new Float32Array(n * ds.K);
  for (let b = 0; b < n; b++) {
    const i = indices[start + b];
    const src = i * per;
    const dst = b * per;
    for (let j = 0; j < per; j++) x[dst + j] = pixels[src + j] / 255;
    for (let k = 0; k < ds.K; k++) y[b * ds.K + k] = targets[i * ds.K + k];
  }
  return { x, y };
}
