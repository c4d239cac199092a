/**
 * Named sample counts and resolutions. Counts are per label set: index m−1 holds the number of samples for every label
 * set of multiplicity m (per class for m = 1, per unordered pair for m = 2, ...).
 * Paper: 3100 per class + 200 per pair train (40,000 images), 800 + 50 test (10,250), MNIST side 28 on a 56 canvas.
 * Small: a CPU-sized run (the lead tunes these). Its resolution rule: source images are block-mean downsampled by
 * SMALL_DOWNSAMPLE (28 → 14 for MNIST, 32 → 16 for CIFAR) and the same recipe runs on a canvas twice the new side
 * (28×28, 32×32), with the shift ranges scaled to ⌊original / factor⌋ (MNIST roll 0..3, CIFAR offset 0..3).
 */
export const PRESETS = ['paper', 'small'] as const;
export type Preset = (typeof PRESETS)[number];

export interface SplitCounts {
  train: number[];
  test: number[];
}

export const PAPER_COUNTS: SplitCounts = { train: [3100, 200], test: [800, 50] };
export const SMALL_COUNTS: SplitCounts = { train: [60, 12], test: [20, 4] };
export const PRESET_COUNTS: Record<Preset, SplitCounts> = { paper: PAPER_COUNTS, small: SMALL_COUNTS };

export const SMALL_DOWNSAMPLE = 2;
export const PRESET_DOWNSAMPLE: Record<Preset, number> = { paper: 1, small: SMALL_DOWNSAMPLE };

/** Original shift ranges at full resolution: MNIST roll 0..6 (side 28), CIFAR inward offset 0..7 (side 32). */
export const MNIST_MAX_ROLL = 6;
export const CIFAR_MAX_OFFSET = 7;

/**
 * Counts for multiplicities 1..maxMultiplicity: truncates, or extends with the last given count (so
 * maxMultiplicity 3 with paper counts adds 200 per triple train, 50 test).
 */
export function countsUpTo(counts: number[], maxMultiplicity: number): number[] {
  if (!Number.isInteger(maxMultiplicity) || maxMultiplicity < 1) {
    throw new Error(`maxMultiplicity must be a positive integer, got ${maxMultiplicity}`);
  }
  const out = counts.slice(0, maxMultiplicity);
  while (out.length < maxMultiplicity) out.push(counts[counts.length - 1]);
  return out;
}
