import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { checkShardCounts, shardRange, shardsOfWorker } from '../../../src/deep/parallel/shards.js';

describe('logical shards', () => {
  it('cut a batch into contiguous shards covering it once, sizes differing by at most one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 16 }), (B, S) => {
        let pos = 0;
        const sizes: number[] = [];
        for (let s = 0; s < S; s++) {
          const r = shardRange(B, S, s);
          expect(r.start).toBe(pos);
          pos = r.end;
          sizes.push(r.end - r.start);
        }
        expect(pos).toBe(B);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }),
      { numRuns: 200, seed: 5 },
    );
  });

  it('give every shard to exactly one worker, in order, and every worker at least one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 8 }), (W, extra) => {
        const S = W + extra;
        const all = Array.from({ length: W }, (_, w) => shardsOfWorker(w, W, S));
        expect(all.flat()).toEqual(Array.from({ length: S }, (_, s) => s));
        for (const a of all) expect(a.length).toBeGreaterThan(0);
      }),
      { numRuns: 100, seed: 6 },
    );
  });

  it('reject fewer shards than workers and non-integer counts', () => {
    expect(() => checkShardCounts(2, 1)).toThrow(/shards ≥ workers/);
    expect(() => checkShardCounts(0, 1)).toThrow(/workers must be a positive integer/);
    expect(() => checkShardCounts(2, 2.5)).toThrow(/logical shards must be a positive integer/);
  });
});
