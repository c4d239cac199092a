/** Value types of the multi-label image datasets. Plain typed arrays only: batches become tensors elsewhere. */
import type { LabelSet } from '../../geometry/types.js';

export type { LabelSet };

/** One split of a multi-label image dataset. */
export interface ImageDataset {
  /** e.g. 'mlab-mnist'. */
  name: string;
  /** Number of classes. */
  K: number;
  height: number;
  width: number;
  channels: number;
  /** N×H×W×C row-major (NHWC), 0..255; divide by 255 at batch time. */
  images: Uint8Array;
  /** One sorted label set per image (class indices 0..K−1). */
  labels: LabelSet[];
  /** Everything that determines the content (cache key, run records). JSON-serialisable. */
  recipe: Record<string, unknown>;
}

export interface DatasetSplits {
  train: ImageDataset;
  test: ImageDataset;
}

/** A single-label source collection (MNIST, Fashion-MNIST, CIFAR-10 split): N images of H×W×C, NHWC uint8. */
export interface SourceImages {
  count: number;
  height: number;
  width: number;
  channels: number;
  pixels: Uint8Array;
  /** Class index of every image. */
  classes: Uint8Array;
  /** Where it came from, for the recipe (e.g. { kind: 'idx', path }). */
  origin: Record<string, unknown>;
}

/** The one list of dataset names (`mlnc train --dataset`, config.json's `train.dataset`). */
export const DATASET_NAMES = ['mlab-mnist', 'mlab-fashion', 'mlab-cifar10', 'svhn'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];
export type SplitName = 'train' | 'test';
