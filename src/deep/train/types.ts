import type { LabelSet } from '../../geometry/types.js';

/**
 * The part of a dataset the training loop needs (the data module's ImageDataset satisfies it):
 * NHWC uint8 images in 0..255 and one label set per image.
 */
export interface TrainingImages {
  readonly name?: string;
  readonly K: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly images: Uint8Array;
  readonly labels: readonly LabelSet[];
}

/** Throws an Error naming the problem when the images and labels disagree. */
export function checkImages(ds: TrainingImages, what: string): void {
  const n = ds.labels.length;
  const per = ds.height * ds.width * ds.channels;
  if (n === 0) throw new Error(`${what}: the dataset has no samples`);
  if (ds.images.length !== n * per) {
    throw new Error(`${what}: ${ds.images.length} pixel values for ${n} images of ${ds.height}×${ds.width}×${ds.channels} (expected ${n * per})`);
  }
  for (const S of ds.labels) {
    for (const k of S) if (!Number.isInteger(k) || k < 0 || k >= ds.K) throw new Error(`${what}: label ${k} outside 0..${ds.K - 1}`);
  }
}
