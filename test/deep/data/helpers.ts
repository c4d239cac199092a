/** Test helpers: synthetic sources, an independent reference for the composite recipe, temp folders. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompositeSample } from '../../../src/deep/data/compositeRecipe.js';
import type { SourceImages } from '../../../src/deep/data/types.js';
import { Rng } from '../../../src/util/rng.js';

/** `perClass` random images of side s for each of K classes, classes interleaved. */
export function syntheticSource(K: number, perClass: number, s: number, C: number, seed: number): SourceImages {
  const rng = new Rng(seed);
  const count = K * perClass;
  const pixels = new Uint8Array(count * s * s * C);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rng.int(256);
  const classes = Uint8Array.from({ length: count }, (_, i) => i % K);
  return { count, height: s, width: s, channels: C, pixels, classes, origin: { kind: 'synthetic', seed } };
}

/** np.pad into a 2s canvas at (by, bx), then np.roll by (dy, dx) along H and W: the literal original recipe. */
export function padThenRoll(src: SourceImages, index: number, by: number, bx: number, dy: number, dx: number): Uint8Array {
  const s = src.height;
  const S = 2 * s;
  const C = src.channels;
  const padded = new Uint8Array(S * S * C);
  for (let r = 0; r < s; r++) {
    for (let c = 0; c < s; c++) {
      for (let ch = 0; ch < C; ch++) padded[((by + r) * S + bx + c) * C + ch] = src.pixels[((index * s + r) * s + c) * C + ch];
    }
  }
  const rolled = new Uint8Array(S * S * C);
  for (let i = 0; i < S; i++) {
    for (let j = 0; j < S; j++) {
      for (let ch = 0; ch < C; ch++) rolled[(((i + dy) % S) * S + ((j + dx) % S)) * C + ch] = padded[(i * S + j) * C + ch];
    }
  }
  return rolled;
}

export const QUADRANT_BASE = { TL: [0, 0], TR: [0, 1], BL: [1, 0], BR: [1, 1] } as const;

/**
 * Recomputes a composite from its provenance with the reference operations and returns it, checking the placement
 * rule on the way (throws on a violation): 'roll' parts sit at quadrant base + shift with shift ∈ 0..maxShift;
 * 'offset' parts sit p inward from their quadrant's outer corner, one p per sample.
 */
export function referenceComposite(src: SourceImages, sample: CompositeSample, placement: 'roll' | 'offset', maxShift: number): Uint8Array {
  const s = src.height;
  const S = 2 * s;
  const out = new Uint8Array(S * S * src.channels);
  let p: number | undefined;
  for (const part of sample.parts) {
    const [qy, qx] = QUADRANT_BASE[part.quadrant];
    let img: Uint8Array;
    if (placement === 'roll') {
      const dy = part.y - qy * s;
      const dx = part.x - qx * s;
      if (dy < 0 || dy > maxShift || dx < 0 || dx > maxShift) throw new Error(`roll shift (${dy}, ${dx}) out of 0..${maxShift}`);
      img = padThenRoll(src, part.source, qy * s, qx * s, dy, dx);
    } else {
      const py = qy === 0 ? part.y : s - part.y;
      const px = qx === 0 ? part.x : s - part.x;
      if (py !== px || py < 0 || py > maxShift) throw new Error(`offset part at (${part.y}, ${part.x}) is not p inward from ${part.quadrant}`);
      if (p !== undefined && p !== py) throw new Error('parts of one sample use different offsets p');
      p = py;
      img = padThenRoll(src, part.source, part.y, part.x, 0, 0);
    }
    for (let i = 0; i < out.length; i++) out[i] = Math.max(out[i], img[i]);
  }
  return out;
}

export function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'mlnc-data-test-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Label set as a string key, for counting in tests. */
export const key = (s: readonly number[]): string => s.join(',');

export function countByKey(labels: readonly (readonly number[])[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const s of labels) m.set(key(s), (m.get(key(s)) ?? 0) + 1);
  return m;
}

/** Byte equality of two images (fast; vitest's deep equality is slow on large typed arrays). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** Writes an IDX uint8 buffer by hand (independent of the parser). */
export function idxBytes(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => new DataView(out.buffer).setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
