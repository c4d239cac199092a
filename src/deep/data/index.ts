/**
 * Entry point of the multi-label image datasets: `loadDataset` builds (or reads from the cache) the train and test
 * splits of MLab-MNIST, MLab-Fashion, MLab-CIFAR10 or SVHN. It is async by signature (the work itself is synchronous
 * file and pixel work); `loadDatasetSync` is the same thing without the Promise.
 *
 * Determinism: the train split uses seed 2·seed and the test split 2·seed + 1 (so no two (seed, split) pairs share a
 * random stream); SVHN involves no randomness. User-fixable problems throw `DatasetError` (one-line message).
 */
import { resolve } from 'node:path';
import { cachedDataset, type CacheStatus } from './cache.js';
import { locateCifar } from './cifar.js';
import { buildComposites, MAX_COMPOSITE_MULTIPLICITY, type Placement } from './compositeRecipe.js';
import { DatasetError } from './errors.js';
import { downsampleSource } from './imageOps.js';
import { locateFashion, locateMnist, type LocatedSource } from './mnistSources.js';
import {
  CIFAR_MAX_OFFSET, countsUpTo, MNIST_MAX_ROLL, PRESET_COUNTS, PRESET_DOWNSAMPLE, type Preset,
} from './presets.js';
import { locateSvhn, readSvhnSplit, SVHN_K, SVHN_MAX_MULTIPLICITY, SVHN_MAX_SINGLE_PER_CLASS } from './svhn.js';
import { DATASET_NAMES, type DatasetName, type DatasetSplits, type ImageDataset, type SourceImages, type SplitName } from './types.js';

export { DATASET_NAMES, type DatasetName, type DatasetSplits, type ImageDataset, type SourceImages, type SplitName } from './types.js';
export { DatasetError } from './errors.js';
export { PRESETS, type Preset } from './presets.js';
export type { CacheStatus } from './cache.js';

export const DEFAULT_CACHE_DIR = '.mlnc-cache';
/** Recipe version: bump when the recipe code changes what a given recipe object produces. */
export const RECIPE_VERSION = 1;

export interface LoadDatasetOptions {
  dataset: DatasetName;
  /** Sample counts and resolution (default 'small'); see presets.ts. SVHN has no preset counts. */
  preset?: Preset;
  /** Source folder: IDX files (MNIST, Fashion), CIFAR-10 binary batches, or the SVHN folder format (svhn.ts). */
  dataDir?: string;
  /** Cache folder (default `.mlnc-cache` under the working directory); false disables the cache. */
  cacheDir?: string | false;
  seed: number;
  counts?: {
    /** Per label set, index m−1 = multiplicity m (composites only). */
    train?: number[];
    test?: number[];
    /** SVHN single-label cap per class (default 543). */
    maxSinglePerClass?: number;
  };
  /** Composites: largest multiplicity (default: the counts' length, 2 for the presets; at most 4). SVHN: default 3. */
  maxMultiplicity?: number;
  /** Composites: block-mean downsampling factor of the sources (overrides the preset's resolution). */
  downsample?: number;
  /** Reports cache hits, builds and rebuilds (with the reason). */
  onCache?: (split: SplitName, status: CacheStatus, path: string | undefined, problem?: string) => void;
}

export async function loadDataset(opts: LoadDatasetOptions): Promise<DatasetSplits> {
  return loadDatasetSync(opts);
}

export function loadDatasetSync(opts: LoadDatasetOptions): DatasetSplits {
  if (!DATASET_NAMES.includes(opts.dataset)) {
    throw new DatasetError(`unknown dataset "${String(opts.dataset)}" (expected one of ${DATASET_NAMES.join(', ')})`);
  }
  if (!Number.isSafeInteger(opts.seed) || opts.seed < 0) throw new DatasetError(`dataset seed must be a non-negative integer, got ${opts.seed}`);
  const cacheDir = opts.cacheDir === false ? false : resolve(opts.cacheDir ?? DEFAULT_CACHE_DIR);
  const dataDir = opts.dataDir === undefined ? undefined : resolve(opts.dataDir);
  if (opts.dataset === 'svhn') return loadSvhn(opts, dataDir, cacheDir);

  const preset = opts.preset ?? 'small';
  if (!(preset in PRESET_COUNTS)) throw new DatasetError(`unknown preset "${String(preset)}" (expected paper or small)`);
  const located: LocatedSource =
    opts.dataset === 'mlab-mnist' ? locateMnist(dataDir) : opts.dataset === 'mlab-fashion' ? locateFashion(dataDir) : locateCifar(dataDir);
  const isCifar = opts.dataset === 'mlab-cifar10';
  const sourceSide = isCifar ? 32 : 28;
  const channels = isCifar ? 3 : 1;
  const downsample = opts.downsample ?? PRESET_DOWNSAMPLE[preset];
  if (!Number.isInteger(downsample) || downsample < 1 || sourceSide % downsample !== 0) {
    throw new DatasetError(`downsample factor ${downsample} must be a positive integer dividing ${sourceSide}`);
  }
  const placement: Placement = isCifar ? 'offset' : 'roll';
  const maxShift = Math.floor((isCifar ? CIFAR_MAX_OFFSET : MNIST_MAX_ROLL) / downsample);
  const side = sourceSide / downsample;

  let sources: Record<SplitName, SourceImages> | undefined;
  const source = (split: SplitName): SourceImages => {
    sources ??= located.load();
    return downsampleSource(sources[split], downsample);
  };

  const build = (split: SplitName): ImageDataset => {
    const given = opts.counts?.[split] ?? PRESET_COUNTS[preset][split];
    if (!Array.isArray(given) || given.length === 0) throw new DatasetError(`${split} counts must be a non-empty list (per label set, index m−1 = multiplicity m)`);
    const maxMultiplicity = opts.maxMultiplicity ?? given.length;
    if (maxMultiplicity > MAX_COMPOSITE_MULTIPLICITY) {
      throw new DatasetError(`maxMultiplicity ${maxMultiplicity} is above ${MAX_COMPOSITE_MULTIPLICITY}, the most the quadrant placement of ${opts.dataset} supports`);
    }
    let countsPerSet: number[];
    try {
      countsPerSet = countsUpTo(given, maxMultiplicity);
    } catch (err) {
      throw new DatasetError((err as Error).message);
    }
    if (countsPerSet.some((n) => !Number.isInteger(n) || n < 0)) {
      throw new DatasetError(`${split} counts [${countsPerSet.join(', ')}] must be non-negative integers`);
    }
    const splitSeed = 2 * opts.seed + (split === 'test' ? 1 : 0);
    const recipe: Record<string, unknown> = {
      recipeVersion: RECIPE_VERSION, dataset: opts.dataset, split, seed: splitSeed, source: located.origin,
      placement, sourceSide, downsample, side, canvas: 2 * side, maxShift, countsPerSet, K: 10,
    };
    return cachedDataset(
      cacheDir, `${opts.dataset}-${split}`, recipe,
      () => {
        const src = source(split);
        const spec = { K: 10, placement, maxShift, countsPerSet };
        const built = buildComposites(src, spec, splitSeed, `${opts.dataset} ${split}`);
        return {
          name: opts.dataset, K: 10, height: built.side, width: built.side, channels, images: built.images,
          labels: built.labels, recipe,
        };
      },
      (status, path, problem) => opts.onCache?.(split, status, path, problem),
    );
  };
  return { train: build('train'), test: build('test') };
}

function loadSvhn(opts: LoadDatasetOptions, dataDir: string | undefined, cacheDir: string | false): DatasetSplits {
  const origin = locateSvhn(dataDir);
  const maxSinglePerClass = opts.counts?.maxSinglePerClass ?? SVHN_MAX_SINGLE_PER_CLASS;
  const maxMultiplicity = opts.maxMultiplicity ?? SVHN_MAX_MULTIPLICITY;
  if (!Number.isInteger(maxSinglePerClass) || maxSinglePerClass < 0) {
    throw new DatasetError(`svhn: maxSinglePerClass ${maxSinglePerClass} must be a non-negative integer`);
  }
  if (!Number.isInteger(maxMultiplicity) || maxMultiplicity < 1) {
    throw new DatasetError(`svhn: maxMultiplicity ${maxMultiplicity} must be a positive integer`);
  }
  const build = (split: SplitName): ImageDataset => {
    const recipe: Record<string, unknown> = {
      recipeVersion: RECIPE_VERSION, dataset: 'svhn', split, source: origin, maxSinglePerClass, maxMultiplicity, K: SVHN_K,
      rule: 'digit 0 dropped, class = digit - 1, empty sets dropped, first maxSinglePerClass singles per class in file order',
    };
    return cachedDataset(
      cacheDir, `svhn-${split}`, recipe,
      () => {
        const s = readSvhnSplit(dataDir as string, split, maxSinglePerClass, maxMultiplicity);
        return { name: 'svhn', K: SVHN_K, height: s.height, width: s.width, channels: 3, images: s.images, labels: s.labels, recipe };
      },
      (status, path, problem) => opts.onCache?.(split, status, path, problem),
    );
  };
  const train = build('train');
  const test = build('test');
  if (train.height !== test.height || train.width !== test.width) {
    throw new DatasetError(`svhn: train images are ${train.width}×${train.height} but test images ${test.width}×${test.height}; use one size`);
  }
  return { train, test };
}

export { gatherBatch, summarizeDataset, type DatasetSummary, type FloatBatch } from './batch.js';
