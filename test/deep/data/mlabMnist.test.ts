import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { planComposites, renderComposites } from '../../../src/deep/data/compositeRecipe.js';
import { downsampleSource } from '../../../src/deep/data/imageOps.js';
import { DatasetError, loadDatasetSync, type DatasetSplits } from '../../../src/deep/data/index.js';
import { locateMnist, mnistDataDir } from '../../../src/deep/data/mnistSources.js';
import type { SourceImages, SplitName } from '../../../src/deep/data/types.js';
import { Rng } from '../../../src/util/rng.js';
import { countByKey, idxBytes, padThenRoll, referenceComposite, sameBytes, withTempDir } from './helpers.js';

const SEED = 17;
const COUNTS = { train: [3, 1], test: [2, 1] };
let real: DatasetSplits;
let sources: Record<SplitName, SourceImages>;

beforeAll(() => {
  sources = locateMnist().load();
  real = loadDatasetSync({ dataset: 'mlab-mnist', seed: SEED, cacheDir: false, downsample: 1, counts: COUNTS });
});

describe('MLab-MNIST on the real MNIST files', () => {
  it('has 56×56×1 images, K = 10, uint8 content, and the requested counts per label set', () => {
    for (const [split, n1, n2] of [['train', 3, 1], ['test', 2, 1]] as const) {
      const ds = real[split];
      expect([ds.name, ds.K, ds.height, ds.width, ds.channels]).toEqual(['mlab-mnist', 10, 56, 56, 1]);
      expect(ds.labels.length).toBe(10 * n1 + 45 * n2);
      expect(ds.images.length).toBe(ds.labels.length * 56 * 56);
      const counts = countByKey(ds.labels);
      for (let a = 0; a < 10; a++) {
        expect(counts.get(`${a}`)).toBe(n1);
        for (let b = a + 1; b < 10; b++) expect(counts.get(`${a},${b}`)).toBe(n2);
      }
      // Non-trivial content: every image has ink, and ink only up to 255.
      for (let i = 0; i < ds.labels.length; i++) {
        const img = ds.images.subarray(i * 3136, (i + 1) * 3136);
        expect(Math.max(...img)).toBeGreaterThan(100);
      }
    }
  });

  it('every image equals the original recipe recomputed from its provenance (train from MNIST-train, test from MNIST-test, seeds 2s and 2s+1)', () => {
    for (const split of ['train', 'test'] as const) {
      const spec = { K: 10, placement: 'roll' as const, maxShift: 6, countsPerSet: COUNTS[split] };
      const samples = planComposites(sources[split], spec, new Rng(2 * SEED + (split === 'test' ? 1 : 0)));
      expect(samples.map((s) => s.label)).toEqual(real[split].labels);
      samples.forEach((s, i) => {
        expect(sameBytes(real[split].images.subarray(i * 3136, (i + 1) * 3136), referenceComposite(sources[split], s, 'roll', 6))).toBe(true);
        for (const p of s.parts) expect(sources[split].classes[p.source]).toBe(p.cls);
      });
      // A single: the digit padded bottom-right, rolled by its shifts.
      const single = samples[0].parts[0];
      expect(single.quadrant).toBe('BR');
      expect(sameBytes(real[split].images.subarray(0, 3136), padThenRoll(sources[split], single.source, 28, 28, single.y - 28, single.x - 28))).toBe(true);
    }
  });

  it('is deterministic for a seed and differs for another seed', () => {
    const again = loadDatasetSync({ dataset: 'mlab-mnist', seed: SEED, cacheDir: false, downsample: 1, counts: COUNTS });
    expect(sameBytes(again.train.images, real.train.images)).toBe(true);
    expect(sameBytes(again.test.images, real.test.images)).toBe(true);
    const other = loadDatasetSync({ dataset: 'mlab-mnist', seed: SEED + 1, cacheDir: false, downsample: 1, counts: COUNTS });
    expect(sameBytes(other.train.images, real.train.images)).toBe(false);
    expect(other.train.labels).toEqual(real.train.labels); // same label-set layout, different images
  });

  it('small preset: 14×14 block-mean digits on a 28×28 canvas with rolls 0..3', () => {
    const small = loadDatasetSync({ dataset: 'mlab-mnist', preset: 'small', seed: 1, cacheDir: false, counts: { train: [1, 1], test: [1, 0] } });
    expect([small.train.height, small.train.width]).toEqual([28, 28]);
    expect(small.train.recipe).toMatchObject({ downsample: 2, maxShift: 3, canvas: 28 });
    const src = downsampleSource(sources.train, 2);
    const samples = planComposites(src, { K: 10, placement: 'roll', maxShift: 3, countsPerSet: [1, 1] }, new Rng(2));
    expect(sameBytes(renderComposites(src, samples), small.train.images)).toBe(true);
    // Block mean by hand for one pixel of one digit.
    const i = 123;
    const [y, x] = [7, 9];
    const o = i * 784;
    const sum = sources.train.pixels[o + 14 * 28 + 18] + sources.train.pixels[o + 14 * 28 + 19]
      + sources.train.pixels[o + 15 * 28 + 18] + sources.train.pixels[o + 15 * 28 + 19];
    expect(src.pixels[i * 196 + y * 14 + x]).toBe(Math.floor((sum + 2) / 4)); // rounded mean, halves up
  });

  it('maxMultiplicity 3 adds C(10,3) = 120 triples per unit count; above 4 is refused', () => {
    const ds = loadDatasetSync({ dataset: 'mlab-mnist', seed: 2, cacheDir: false, counts: { train: [1, 0], test: [0, 0, 1] }, maxMultiplicity: 3 });
    expect(countByKey(ds.train.labels).get('0,1,2')).toBeUndefined(); // train counts [1, 0] extend with their last entry, 0
    expect(ds.train.labels.length).toBe(10);
    expect(ds.test.labels.length).toBe(120);
    expect(ds.test.labels.every((s) => s.length === 3)).toBe(true);
    expect(() => loadDatasetSync({ dataset: 'mlab-mnist', seed: 2, cacheDir: false, maxMultiplicity: 5 })).toThrow(DatasetError);
    expect(() => loadDatasetSync({ dataset: 'mlab-mnist', seed: 2, cacheDir: false, maxMultiplicity: 5 })).toThrow(/maxMultiplicity 5 is above 4/);
  });

  it('caches by recipe: a second load hits, a changed count or seed builds anew, a corrupt file is rebuilt', () => {
    withTempDir((dir) => {
      const log: string[] = [];
      const opts = { dataset: 'mlab-mnist' as const, seed: SEED, cacheDir: dir, downsample: 1, counts: COUNTS, onCache: (sp: SplitName, st: string) => log.push(`${sp}:${st}`) };
      loadDatasetSync(opts);
      const hit = loadDatasetSync(opts);
      expect(log).toEqual(['train:built', 'test:built', 'train:hit', 'test:hit']);
      expect(sameBytes(hit.train.images, real.train.images)).toBe(true);
      expect(hit.train.labels).toEqual(real.train.labels);
      expect(hit.train.recipe).toEqual(real.train.recipe);
      loadDatasetSync({ ...opts, seed: SEED + 1 });
      expect(log.slice(4)).toEqual(['train:built', 'test:built']);
      let path = '';
      const corrupt = { ...opts, onCache: (sp: SplitName, st: string, p?: string) => { log.push(`${sp}:${st}`); if (sp === 'train') path = p!; } };
      loadDatasetSync(corrupt);
      const bytes = readFileSync(path);
      bytes[bytes.length - 100] ^= 1;
      writeFileSync(path, bytes);
      const rebuilt = loadDatasetSync(corrupt);
      expect(log.slice(-2)).toEqual(['train:rebuilt', 'test:hit']);
      expect(sameBytes(rebuilt.train.images, real.train.images)).toBe(true);
    });
  });
});

describe('MNIST / Fashion-MNIST sources from a data directory', () => {
  it('accepts gzipped IDX files in --data-dir (the Debian layout) for mlab-fashion', () => {
    withTempDir((dir) => {
      const rng = new Rng(5);
      for (const [img, lbl, n] of [['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 40], ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte', 20]] as const) {
        const pixels = Uint8Array.from({ length: n * 784 }, () => rng.int(256));
        writeFileSync(join(dir, `${img}.gz`), gzipSync(idxBytes([n, 28, 28], pixels)));
        writeFileSync(join(dir, `${lbl}.gz`), gzipSync(idxBytes([n], Uint8Array.from({ length: n }, (_, i) => i % 10))));
      }
      const ds = loadDatasetSync({ dataset: 'mlab-fashion', dataDir: dir, seed: 0, cacheDir: false, downsample: 1, counts: { train: [2, 1], test: [1, 0] } });
      expect(ds.train.name).toBe('mlab-fashion');
      expect(ds.train.labels.length).toBe(20 + 45);
      expect(ds.test.labels.length).toBe(10);
      expect(ds.train.recipe.source).toMatchObject({ kind: 'idx', dir });
    });
  });

  it('missing directory, missing file and a corrupt IDX file are DatasetErrors naming the path', () => {
    withTempDir((dir) => {
      const load = (d: string) => loadDatasetSync({ dataset: 'mlab-mnist', dataDir: d, seed: 0, cacheDir: false, counts: { train: [1, 0], test: [1, 0] } });
      expect(() => load(join(dir, 'nope'))).toThrow(/mlab-mnist: data directory not found: .*nope/);
      mkdirSync(join(dir, 'm'));
      const src = mnistDataDir();
      for (const f of ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte', 'train-labels-idx1-ubyte']) copyFileSync(join(src, f), join(dir, 'm', f));
      expect(() => load(join(dir, 'm'))).toThrow(/missing IDX file .*train-images-idx3-ubyte/);
      writeFileSync(join(dir, 'm', 'train-images-idx3-ubyte'), readFileSync(join(src, 't10k-images-idx3-ubyte')).subarray(0, 5000));
      expect(() => load(join(dir, 'm'))).toThrow(DatasetError);
      expect(() => load(join(dir, 'm'))).toThrow(/train-images-idx3-ubyte: IDX size mismatch/);
    });
  });

  it('rejects an unknown dataset name, a bad seed, a bad downsample factor', () => {
    expect(() => loadDatasetSync({ dataset: 'mnist' as never, seed: 0 })).toThrow(/unknown dataset "mnist"/);
    expect(() => loadDatasetSync({ dataset: 'mlab-mnist', seed: -1 })).toThrow(DatasetError);
    expect(() => loadDatasetSync({ dataset: 'mlab-mnist', seed: 0, downsample: 3, cacheDir: false })).toThrow(/downsample factor 3/);
  });
});
