import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  cachedDataset, cachePath, canonicalJson, decodeDataset, encodeDataset, type CacheStatus,
} from '../../../src/deep/data/cache.js';
import type { ImageDataset } from '../../../src/deep/data/types.js';
import { Rng } from '../../../src/util/rng.js';
import { sameBytes, withTempDir } from './helpers.js';

function tinyDataset(seed: number, recipe: Record<string, unknown> = { a: 1, b: [2, 3] }): ImageDataset {
  const rng = new Rng(seed);
  const N = 5;
  const images = new Uint8Array(N * 4 * 3 * 2);
  for (let i = 0; i < images.length; i++) images[i] = rng.int(256);
  return { name: 'tiny', K: 4, height: 4, width: 3, channels: 2, images, labels: [[0], [1, 3], [2], [0, 1, 2], [3]], recipe };
}

describe('dataset cache encoding', () => {
  it('round-trips exactly', () => {
    const ds = tinyDataset(1);
    const back = decodeDataset(encodeDataset(ds), { b: [2, 3], a: 1 }); // key order does not matter
    expect(back.ok).toBe(true);
    if (back.ok) {
      expect(sameBytes(back.dataset.images, ds.images)).toBe(true);
      expect(back.dataset.labels).toEqual(ds.labels);
      expect([back.dataset.height, back.dataset.width, back.dataset.channels, back.dataset.K, back.dataset.name]).toEqual([4, 3, 2, 4, 'tiny']);
    }
  });

  it('canonical JSON ignores key order at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: 0 } })).toBe(canonicalJson({ a: { c: 0, d: [1, { x: 1, y: 2 }] }, b: 1 }));
  });

  it('detects truncation, a flipped image byte, a flipped label, bad JSON, bad magic and a different recipe', () => {
    const ds = tinyDataset(2);
    const bytes = encodeDataset(ds);
    const problem = (b: Uint8Array, recipe = ds.recipe): string => {
      const r = decodeDataset(b, recipe);
      return r.ok ? 'ok' : r.problem;
    };
    expect(problem(bytes)).toBe('ok');
    expect(problem(bytes.subarray(0, bytes.length - 1))).toMatch(/image data/);
    expect(problem(bytes.subarray(0, 20))).toMatch(/truncated header/);
    const flipped = bytes.slice(); flipped[bytes.length - 1] ^= 0xff;
    expect(problem(flipped)).toMatch(/checksum/);
    const text = Buffer.from(bytes).toString('latin1');
    const relabelled = Buffer.from(text.replace('[1,3]', '[1,2]'), 'latin1');
    expect(problem(relabelled)).toMatch(/checksum/);
    const badJson = bytes.slice(); badJson[12] = 0x7b + 1; // '{' → '|'
    expect(problem(badJson)).toMatch(/JSON/);
    const badMagic = bytes.slice(); badMagic[0] = 0;
    expect(problem(badMagic)).toMatch(/magic/);
    expect(problem(bytes, { a: 2, b: [2, 3] })).toMatch(/different recipe/);
  });
});

describe('cachedDataset', () => {
  it('builds once, then hits with identical data; corrupt or mismatched files are rebuilt; no temp files stay', () => {
    withTempDir((dir) => {
      const log: CacheStatus[] = [];
      let builds = 0;
      const build = (): ImageDataset => { builds++; return tinyDataset(3); };
      const get = (): ImageDataset => cachedDataset(dir, 'tiny-train', tinyDataset(3).recipe, build, (s) => log.push(s));
      const first = get();
      const second = get();
      expect(log).toEqual(['built', 'hit']);
      expect(builds).toBe(1);
      expect(sameBytes(second.images, first.images)).toBe(true);
      expect(second.labels).toEqual(first.labels);
      const path = cachePath(dir, tinyDataset(3).recipe, 'tiny-train');
      expect(existsSync(path)).toBe(true);
      // Truncate the file: rebuilt, not trusted.
      const bytes = readFileSync(path);
      writeFileSync(path, bytes.subarray(0, bytes.length - 7));
      let problem: string | undefined;
      const third = cachedDataset(dir, 'tiny-train', tinyDataset(3).recipe, build, (s, _p, pr) => { log.push(s); problem = pr; });
      expect(log[2]).toBe('rebuilt');
      expect(problem).toMatch(/image data/);
      expect(sameBytes(third.images, first.images)).toBe(true);
      expect(builds).toBe(2);
      // The rebuilt file is whole again.
      expect(readFileSync(path)).toEqual(bytes);
      // A file of another recipe written under this name (e.g. a stale copy) is not trusted either.
      writeFileSync(path, encodeDataset(tinyDataset(9, { a: 'other' })));
      get();
      expect(log[3]).toBe('rebuilt');
      expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    });
  });

  it('different recipes use different files; cacheDir false never writes', () => {
    withTempDir((dir) => {
      expect(cachePath(dir, { a: 1 }, 'x')).not.toBe(cachePath(dir, { a: 2 }, 'x'));
      const statuses: CacheStatus[] = [];
      cachedDataset(false, 'x', { a: 1 }, () => tinyDataset(1, { a: 1 }), (s) => statuses.push(s));
      expect(statuses).toEqual(['uncached']);
      expect(readdirSync(dir)).toEqual([]);
    });
  });
});
