import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '../../src/util/rng.js';
import { etfEmbedding } from '../../src/geometry/etf.js';
import { nc2H, nc2HUncentred, nc2W } from '../../src/geometry/nc2.js';
import { nc3 } from '../../src/geometry/nc3.js';
import { scaled } from './helpers.js';

describe('NC2 and NC3', () => {
  it('NC3 is 0 for class means γ·W + c and 2 (the maximum) for means −γ·W', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 0, max: 3 }), fc.integer(),
      fc.double({ min: 0.1, max: 10, noNaN: true }), (K, extra, seed, g) => {
        const d = K - 1 + extra;
        const rng = new Rng(seed);
        const W = scaled(etfEmbedding(K, d, rng), 2);
        const shift = rng.fillNormal(new Float64Array(d));
        const means = { rows: K, cols: d, data: W.data.map((x, i) => g * x + shift[i % d]) };
        expect(nc3(W, means)).toBeLessThan(1e-7);
        expect(nc3(W, scaled(W, -g))).toBeCloseTo(2, 9);
        expect(nc2W(W, K)).toBeLessThan(1e-7);
        // Centred NC2_H ignores the common shift; the public code's uncentred variant sees it.
        expect(nc2H(means)).toBeLessThan(1e-7);
        expect(nc2HUncentred(means)).toBeGreaterThan(1e-3);
      }), { numRuns: 30, seed: 71 });
  });

  it('NC3 rejects mismatched shapes', () => {
    const W = etfEmbedding(3, 4);
    expect(() => nc3(W, etfEmbedding(4, 4))).toThrow(/classifier is 3×4 but class means are 4×4/);
  });
});
