/**
 * Pure helpers between a dataset and the training code: gather a batch as float32 (pixels / 255, NHWC) with multi-hot
 * targets, and summarise the label-set design. No tfjs here: the trainer wraps these arrays in tensors.
 */
import type { ImageDataset } from './types.js';

export interface FloatBatch {
  /** B×H×W×C, values in [0, 1]. */
  x: Float32Array;
  /** B×K multi-hot targets (1 for every class in the label set). Scale by 1/m for PAL-N targets. */
  y: Float32Array;
  size: number;
}

export function gatherBatch(ds: ImageDataset, indices: ArrayLike<number>): FloatBatch {
  const size = indices.length;
  const stride = ds.height * ds.width * ds.channels;
  const N = ds.labels.length;
  const x = new Float32Array(size * stride);
  const y = new Float32Array(size * ds.K);
  for (let b = 0; b < size; b++) {
    const i = indices[b];
    if (!Number.isInteger(i) || i < 0 || i >= N) throw new Error(`gatherBatch: index ${i} is not a sample index in 0..${N - 1}`);
    const off = i * stride;
    for (let j = 0; j < stride; j++) x[b * stride + j] = ds.images[off + j] / 255;
    for (const k of ds.labels[i]) y[b * ds.K + k] = 1;
  }
  return { x, y, size };
}

export interface DatasetSummary {
  N: number;
  /** Number of samples with each multiplicity m (key m). */
  perMultiplicity: Record<number, number>;
  /** Number of distinct label sets. */
  labelSets: number;
  /** Smallest and largest number of samples per label set, per multiplicity. */
  perSetRange: Record<number, [number, number]>;
}

export function summarizeDataset(ds: ImageDataset): DatasetSummary {
  const perSet = new Map<string, { m: number; n: number }>();
  const perMultiplicity: Record<number, number> = {};
  for (const s of ds.labels) {
    const k = s.join(',');
    const e = perSet.get(k) ?? { m: s.length, n: 0 };
    e.n++;
    perSet.set(k, e);
    perMultiplicity[s.length] = (perMultiplicity[s.length] ?? 0) + 1;
  }
  const perSetRange: Record<number, [number, number]> = {};
  for (const { m, n } of perSet.values()) {
    const r = perSetRange[m];
    perSetRange[m] = r === undefined ? [n, n] : [Math.min(r[0], n), Math.max(r[1], n)];
  }
  return { N: ds.labels.length, perMultiplicity, labelSets: perSet.size, perSetRange };
}
