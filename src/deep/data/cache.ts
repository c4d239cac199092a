/**
 * On-disk dataset cache, keyed by the recipe. File layout:
 *   8 bytes ASCII "MLNCDSET" | uint32 little-endian header length L | L bytes UTF-8 JSON header | N×H×W×C image bytes
 * Header: { version, name, K, N, H, W, C, recipe, labels, checksum } where checksum = SHA-256 (hex) of the image
 * bytes followed by the labels' JSON. A file that is truncated, has a bad magic/JSON/checksum or a different recipe
 * is reported by `decodeDataset` and rebuilt by `cachedDataset`, never trusted. Writes are atomic (temp + rename).
 * Encoding/decoding is pure; `cachedDataset` is the file-system part.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../io/atomicWrite.js';
import type { LabelSet } from '../../geometry/types.js';
import type { ImageDataset } from './types.js';

const MAGIC = 'MLNCDSET';
export const CACHE_VERSION = 1;

/** JSON with object keys sorted at every level, so equal recipes give equal strings. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, (v as Record<string, unknown>)[k]]));
    }
    return v;
  });
}

export function recipeKey(recipe: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(recipe)).digest('hex').slice(0, 16);
}

function checksum(images: Uint8Array, labels: readonly LabelSet[]): string {
  return createHash('sha256').update(images).update(JSON.stringify(labels)).digest('hex');
}

export function encodeDataset(ds: ImageDataset): Uint8Array {
  const N = ds.labels.length;
  if (ds.images.length !== N * ds.height * ds.width * ds.channels) {
    throw new Error(`encodeDataset: ${ds.images.length} image bytes do not match N×H×W×C = ${N}×${ds.height}×${ds.width}×${ds.channels}`);
  }
  const header = Buffer.from(
    JSON.stringify({
      version: CACHE_VERSION, name: ds.name, K: ds.K, N, H: ds.height, W: ds.width, C: ds.channels,
      recipe: ds.recipe, labels: ds.labels, checksum: checksum(ds.images, ds.labels),
    }),
    'utf8',
  );
  const out = new Uint8Array(12 + header.length + ds.images.length);
  out.set(Buffer.from(MAGIC, 'ascii'), 0);
  new DataView(out.buffer).setUint32(8, header.length, true);
  out.set(header, 12);
  out.set(ds.images, 12 + header.length);
  return out;
}

export type DecodeResult = { ok: true; dataset: ImageDataset } | { ok: false; problem: string };

/** Decodes and verifies a cache file's bytes against the expected recipe. */
export function decodeDataset(bytes: Uint8Array, expectedRecipe: Record<string, unknown>): DecodeResult {
  const fail = (problem: string): DecodeResult => ({ ok: false, problem });
  if (bytes.length < 12 || Buffer.from(bytes.subarray(0, 8)).toString('ascii') !== MAGIC) return fail('bad magic');
  const L = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (12 + L > bytes.length) return fail('truncated header');
  let h: Record<string, unknown>;
  try {
    h = JSON.parse(Buffer.from(bytes.subarray(12, 12 + L)).toString('utf8')) as Record<string, unknown>;
  } catch {
    return fail('header is not valid JSON');
  }
  if (h.version !== CACHE_VERSION) return fail(`version ${String(h.version)} ≠ ${CACHE_VERSION}`);
  if (canonicalJson(h.recipe) !== canonicalJson(expectedRecipe)) return fail('different recipe');
  const { N, H, W, C, K, name, labels } = h as { N: number; H: number; W: number; C: number; K: number; name: string; labels: number[][] };
  const dims = [N, H, W, C, K];
  if (!dims.every((x) => Number.isInteger(x) && x >= 0) || !Array.isArray(labels) || labels.length !== N || typeof name !== 'string') {
    return fail('malformed header fields');
  }
  const size = N * H * W * C;
  if (bytes.length !== 12 + L + size) return fail(`image data has ${bytes.length - 12 - L} bytes, expected ${size}`);
  const images = new Uint8Array(bytes.subarray(12 + L)); // own copy, independent of the read buffer
  for (const s of labels) {
    if (!Array.isArray(s) || s.length === 0 || !s.every((k, j) => Number.isInteger(k) && k >= 0 && k < K && (j === 0 || k > s[j - 1]))) {
      return fail('malformed label set');
    }
  }
  if (checksum(images, labels) !== h.checksum) return fail('checksum mismatch');
  return {
    ok: true,
    dataset: {
      name, K, height: H, width: W, channels: C, images,
      labels: labels.map((s) => Object.freeze(s.slice())), recipe: expectedRecipe,
    },
  };
}

export type CacheStatus = 'hit' | 'built' | 'rebuilt' | 'uncached';

export function cachePath(cacheDir: string, recipe: Record<string, unknown>, stem: string): string {
  return join(cacheDir, `${stem}-${recipeKey(recipe)}.mlds`);
}

/**
 * Returns the cached dataset for `recipe`, or builds, caches and returns it. `cacheDir === false` disables caching.
 * `onStatus` reports what happened (and why a file was rebuilt) for logs and tests.
 */
export function cachedDataset(
  cacheDir: string | false,
  stem: string,
  recipe: Record<string, unknown>,
  build: () => ImageDataset,
  onStatus?: (status: CacheStatus, path: string | undefined, problem?: string) => void,
): ImageDataset {
  if (cacheDir === false) {
    onStatus?.('uncached', undefined);
    return build();
  }
  const path = cachePath(cacheDir, recipe, stem);
  let problem: string | undefined;
  if (existsSync(path)) {
    const decoded = decodeDataset(readFileSync(path), recipe);
    if (decoded.ok) {
      onStatus?.('hit', path);
      return decoded.dataset;
    }
    problem = decoded.problem;
  }
  const ds = build();
  writeFileAtomic(path, encodeDataset(ds));
  onStatus?.(problem === undefined ? 'built' : 'rebuilt', path, problem);
  return ds;
}
