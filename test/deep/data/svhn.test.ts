import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatasetError, loadDatasetSync } from '../../../src/deep/data/index.js';
import { parsePpm, parseSvhnCsv, selectSvhn, type SvhnRecord } from '../../../src/deep/data/svhn.js';
import { Rng } from '../../../src/util/rng.js';
import { sameBytes, withTempDir } from './helpers.js';

function ppm(width: number, height: number, rng: Rng, header = `P6\n${width} ${height}\n255\n`): { bytes: Uint8Array; raster: Uint8Array } {
  const raster = Uint8Array.from({ length: width * height * 3 }, () => rng.int(256));
  return { bytes: Uint8Array.from([...Buffer.from(header, 'ascii'), ...raster]), raster };
}

/** Writes <dir>/<split>/labels.csv and PPM images; returns the rasters by file name. */
function writeSplit(dir: string, split: string, rows: [string, string][], size = 4, seed = 1): Map<string, Uint8Array> {
  const rng = new Rng(seed);
  const rasters = new Map<string, Uint8Array>();
  mkdirSync(join(dir, split, 'img'), { recursive: true });
  for (const [file] of rows) {
    const { bytes, raster } = ppm(size, size, rng);
    writeFileSync(join(dir, split, file), bytes);
    rasters.set(file, raster);
  }
  writeFileSync(join(dir, split, 'labels.csv'), `file,labels\n${rows.map(([f, l]) => `${f},${l}`).join('\n')}\n`);
  return rasters;
}

describe('SVHN label-set rule', () => {
  const rec = (digits: number[]): SvhnRecord => ({ file: 'f', digits });
  it('drops digit 0, empty sets and more than 3 classes; class = digit − 1; caps singles per class in file order', () => {
    const records = [rec([1, 0]), rec([0]), rec([0, 0]), rec([9, 2, 9]), rec([1, 2, 3, 4]), rec([1]), rec([1]), rec([5, 6, 7]), rec([2])];
    const { index, labels } = selectSvhn(records, 2, 3);
    expect(index).toEqual([0, 3, 5, 7, 8]); // the third single of digit 1 (record 6) is over the cap of 2
    expect(labels).toEqual([[0], [1, 8], [0], [4, 5, 6], [1]]);
    expect(selectSvhn(records, 0, 3).labels).toEqual([[1, 8], [4, 5, 6]]);
    expect(selectSvhn(records, 10, 4).index).toContain(4);
  });

  it('parses labels.csv strictly', () => {
    expect(parseSvhnCsv('file,labels\na.ppm,1 5 9\n\nb.ppm, 0 3 \n', 'l.csv')).toEqual([
      { file: 'a.ppm', digits: [1, 5, 9] }, { file: 'b.ppm', digits: [0, 3] },
    ]);
    expect(() => parseSvhnCsv('name,digits\n', 'l.csv')).toThrow(/l\.csv: first line must be the header "file,labels"/);
    expect(() => parseSvhnCsv('file,labels\na.ppm,1 10\n', 'l.csv')).toThrow(/l\.csv:2: "10" is not a digit/);
    expect(() => parseSvhnCsv('file,labels\na.ppm\n', 'l.csv')).toThrow(DatasetError);
    expect(() => parseSvhnCsv('file,labels\na.ppm,\n', 'l.csv')).toThrow(/no digits/);
  });

  it('parses P6 PPM with comments and rejects other formats', () => {
    const rng = new Rng(2);
    const { bytes, raster } = ppm(3, 2, rng, 'P6 # rgb\n3 2\n# max\n255\n');
    const img = parsePpm(bytes, 'a.ppm');
    expect([img.width, img.height]).toEqual([3, 2]);
    expect(sameBytes(img.pixels, raster)).toBe(true);
    expect(() => parsePpm(Buffer.from('\x89PNG\r\n'), 'a.png')).toThrow(/a\.png: not a binary PPM/);
    expect(() => parsePpm(ppm(2, 2, rng, 'P6\n2 2\n65535\n').bytes, 'b.ppm')).toThrow(/maxval 65535/);
    expect(() => parsePpm(bytes.subarray(0, bytes.length - 1), 'c.ppm')).toThrow(/c\.ppm: PPM raster has 17 bytes, expected 3×2×3 = 18/);
  });
});

describe('loadDataset svhn', () => {
  it('reads the folder format, applies the rule, caches, and keeps images aligned with labels', () => {
    withTempDir((dir) => {
      const data = join(dir, 'svhn');
      const train = writeSplit(data, 'train', [
        ['img/a.ppm', '1 2'], ['img/b.ppm', '0'], ['img/c.ppm', '3'], ['img/d.ppm', '3'], ['img/e.ppm', '1 2 3 4'], ['img/f.ppm', '5 0 5 7'],
      ]);
      writeSplit(data, 'test', [['img/x.ppm', '9'], ['img/y.ppm', '2 3']], 4, 2);
      const opts = { dataset: 'svhn' as const, dataDir: data, cacheDir: join(dir, 'cache'), seed: 0, counts: { maxSinglePerClass: 1 } };
      const statuses: string[] = [];
      const s = loadDatasetSync({ ...opts, onCache: (split, st) => statuses.push(`${split}:${st}`) });
      expect([s.train.K, s.train.height, s.train.width, s.train.channels]).toEqual([9, 4, 4, 3]);
      expect(s.train.labels).toEqual([[0, 1], [2], [4, 6]]);
      const stride = 4 * 4 * 3;
      ['img/a.ppm', 'img/c.ppm', 'img/f.ppm'].forEach((f, i) => {
        expect(sameBytes(s.train.images.subarray(i * stride, (i + 1) * stride), train.get(f)!)).toBe(true);
      });
      expect(s.test.labels).toEqual([[8], [1, 2]]);
      const again = loadDatasetSync({ ...opts, onCache: (split, st) => statuses.push(`${split}:${st}`) });
      expect(statuses).toEqual(['train:built', 'test:built', 'train:hit', 'test:hit']);
      expect(sameBytes(again.train.images, s.train.images)).toBe(true);
      // Default cap (543) keeps both singles of digit 3; a different cap is a different recipe, not a stale hit.
      expect(loadDatasetSync({ ...opts, counts: undefined }).train.labels).toEqual([[0, 1], [2], [2], [4, 6]]);
    });
  });

  it('clear DatasetErrors for a missing folder, wrong layout, missing image, mixed sizes', () => {
    withTempDir((dir) => {
      const load = (dataDir?: string) => loadDatasetSync({ dataset: 'svhn', dataDir, cacheDir: false, seed: 0 });
      expect(() => load(undefined)).toThrow(/svhn: no data directory given/);
      expect(() => load(join(dir, 'nope'))).toThrow(/svhn: data directory not found: .*nope/);
      mkdirSync(join(dir, 'flat'));
      writeFileSync(join(dir, 'flat', 'labels.csv'), 'file,labels\n');
      expect(() => load(join(dir, 'flat'))).toThrow(/not in the expected format: missing .*train\/labels\.csv/);
      writeSplit(join(dir, 'd1'), 'train', [['img/a.ppm', '1']]);
      writeSplit(join(dir, 'd1'), 'test', [['img/a.ppm', '1']]);
      writeFileSync(join(dir, 'd1', 'test', 'labels.csv'), 'file,labels\nimg/zz.ppm,4\n');
      expect(() => load(join(dir, 'd1'))).toThrow(/missing image .*zz\.ppm/);
      writeSplit(join(dir, 'd2'), 'train', [['img/a.ppm', '1']], 4);
      writeSplit(join(dir, 'd2'), 'test', [['img/a.ppm', '1']], 5);
      expect(() => load(join(dir, 'd2'))).toThrow(DatasetError);
      expect(() => load(join(dir, 'd2'))).toThrow(/train images are 4×4 but test images 5×5/);
    });
  });
});
