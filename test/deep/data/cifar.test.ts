import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CIFAR_FILES, CIFAR_RECORD, locateCifar, parseCifarRecords } from '../../../src/deep/data/cifar.js';
import { buildComposites } from '../../../src/deep/data/compositeRecipe.js';
import { DatasetError, loadDatasetSync } from '../../../src/deep/data/index.js';
import { Rng } from '../../../src/util/rng.js';
import { countByKey, referenceComposite, sameBytes, withTempDir } from './helpers.js';

/** One CIFAR binary record: label byte, then R, G, B planes of 32×32 (CHW). */
function record(label: number, rng: Rng): Uint8Array {
  const r = new Uint8Array(CIFAR_RECORD);
  r[0] = label;
  for (let i = 1; i < CIFAR_RECORD; i++) r[i] = rng.int(256);
  return r;
}

/** Writes the six batch files with `perFile` records each, labels cycling 0..9. */
function writeCifar(dir: string, perFile: number, seed = 1): void {
  const rng = new Rng(seed);
  mkdirSync(dir, { recursive: true });
  let n = 0;
  for (const name of [...CIFAR_FILES.train, ...CIFAR_FILES.test]) {
    const buf = new Uint8Array(perFile * CIFAR_RECORD);
    for (let i = 0; i < perFile; i++) buf.set(record(n++ % 10, rng), i * CIFAR_RECORD);
    writeFileSync(join(dir, name), buf);
  }
}

describe('CIFAR-10 binary reader', () => {
  it('converts CHW records to HWC', () => {
    const rng = new Rng(4);
    const a = record(3, rng);
    const b = record(7, rng);
    const s = parseCifarRecords([{ bytes: Uint8Array.from([...a, ...b]), where: 'x' }]);
    expect(s.count).toBe(2);
    expect(Array.from(s.classes)).toEqual([3, 7]);
    // Pixel (y, x), channel c of image 1 comes from byte 1 + c·1024 + y·32 + x of its record.
    for (const [y, x, c] of [[0, 0, 0], [5, 31, 1], [31, 7, 2], [16, 16, 0]]) {
      expect(s.pixels[3072 + (y * 32 + x) * 3 + c]).toBe(b[1 + c * 1024 + y * 32 + x]);
    }
  });

  it('rejects partial records and labels above 9 (CIFAR-100) with a DatasetError naming the file', () => {
    expect(() => parseCifarRecords([{ bytes: new Uint8Array(CIFAR_RECORD + 5), where: 'f.bin' }])).toThrow(/f\.bin: not a CIFAR-10 binary batch/);
    const bad = new Uint8Array(CIFAR_RECORD); bad[0] = 42;
    expect(() => parseCifarRecords([{ bytes: bad, where: 'g.bin' }])).toThrow(/g\.bin: record 0 has label byte 42/);
  });

  it('finds the files in the folder or in its cifar-10-batches-bin child; missing or wrong folders are DatasetErrors', () => {
    withTempDir((dir) => {
      writeCifar(join(dir, 'cifar-10-batches-bin'), 3);
      expect(locateCifar(dir).load().train.count).toBe(15);
      expect(locateCifar(join(dir, 'cifar-10-batches-bin')).load().test.count).toBe(3);
      expect(() => locateCifar(join(dir, 'nope'))).toThrow(DatasetError);
      expect(() => locateCifar(join(dir, 'nope'))).toThrow(/data directory not found: .*nope/);
      expect(() => locateCifar(undefined)).toThrow(/no data directory/);
      mkdirSync(join(dir, 'py'));
      writeFileSync(join(dir, 'py', 'data_batch_1'), 'pickle');
      expect(() => locateCifar(join(dir, 'py'))).toThrow(/not a CIFAR-10 binary folder: missing data_batch_1\.bin/);
      writeCifar(join(dir, 'short'), 2);
      writeFileSync(join(dir, 'short', 'test_batch.bin'), new Uint8Array(100));
      expect(() => locateCifar(join(dir, 'short'))).toThrow(/test_batch\.bin: 100 bytes is not a positive multiple/);
    });
  });
});

describe('MLab-CIFAR10', () => {
  it('64×64×3 composites at (p,p) and (32−p,32−p), each the max of its parts, singles in the bottom-right slot', () => {
    withTempDir((dir) => {
      writeCifar(dir, 6);
      const src = locateCifar(dir).load().train;
      const { images, samples, side } = buildComposites(src, { K: 10, placement: 'offset', maxShift: 7, countsPerSet: [2, 1] }, 5);
      expect(side).toBe(64);
      const stride = 64 * 64 * 3;
      const ps = new Set<number>();
      samples.forEach((s, i) => {
        if (s.label.length === 1) {
          expect(s.parts[0].quadrant).toBe('BR');
          expect(s.parts[0].y).toBe(s.parts[0].x);
        } else {
          const tl = s.parts.find((p) => p.quadrant === 'TL')!;
          const br = s.parts.find((p) => p.quadrant === 'BR')!;
          expect([tl.y, tl.x]).toEqual([tl.y, tl.y]);
          expect([br.y, br.x]).toEqual([32 - tl.y, 32 - tl.y]);
          ps.add(tl.y);
        }
        expect(sameBytes(images.subarray(i * stride, (i + 1) * stride), referenceComposite(src, s, 'offset', 7))).toBe(true);
      });
      for (const p of ps) expect(p >= 0 && p <= 7).toBe(true);
      expect(ps.size).toBeGreaterThan(3); // 45 pairs: p takes many values
    });
  });

  it('loadDataset: shapes, counts, cache hit on a second call, determinism', () => {
    withTempDir((dir) => {
      writeCifar(join(dir, 'data'), 10);
      const opts = { dataset: 'mlab-cifar10' as const, dataDir: join(dir, 'data'), cacheDir: join(dir, 'cache'), seed: 3, downsample: 1, counts: { train: [3, 1], test: [1, 0] } };
      const statuses: string[] = [];
      const a = loadDatasetSync({ ...opts, onCache: (split, s) => statuses.push(`${split}:${s}`) });
      expect([a.train.height, a.train.width, a.train.channels, a.train.K]).toEqual([64, 64, 3, 10]);
      expect(a.train.labels.length).toBe(3 * 10 + 45);
      expect(a.test.labels.length).toBe(10);
      expect(a.train.images.length).toBe(75 * 64 * 64 * 3);
      const counts = countByKey(a.train.labels);
      expect(counts.get('4')).toBe(3);
      expect(counts.get('2,7')).toBe(1);
      const b = loadDatasetSync({ ...opts, onCache: (split, s) => statuses.push(`${split}:${s}`) });
      expect(statuses).toEqual(['train:built', 'test:built', 'train:hit', 'test:hit']);
      expect(sameBytes(b.train.images, a.train.images)).toBe(true);
      const c = loadDatasetSync({ ...opts, cacheDir: false });
      expect(sameBytes(c.train.images, a.train.images)).toBe(true);
      expect(c.test.labels).toEqual(a.test.labels);
      // small preset: 16×16 sources on a 32×32 canvas.
      const small = loadDatasetSync({ ...opts, downsample: undefined, preset: 'small', cacheDir: false, counts: { train: [1, 1], test: [1, 1] } });
      expect([small.train.height, small.train.width]).toEqual([32, 32]);
      expect(small.train.recipe.maxShift).toBe(3);
    });
  });
});
