import { describe, expect, it } from 'vitest';
import { gatherBatch, summarizeDataset } from '../../../src/deep/data/batch.js';
import type { ImageDataset } from '../../../src/deep/data/types.js';

const ds: ImageDataset = {
  name: 't', K: 4, height: 1, width: 2, channels: 1,
  images: Uint8Array.from([0, 255, 51, 102, 7, 8, 9, 10]),
  labels: [[0], [1, 3], [2], [1, 3]], recipe: {},
};

describe('gatherBatch', () => {
  it('scales pixels by 1/255 and builds multi-hot targets in the requested order', () => {
    const b = gatherBatch(ds, [1, 0]);
    expect(b.size).toBe(2);
    expect(Array.from(b.x)).toEqual([0.2, 0.4, 0, 1].map(Math.fround));
    expect(Array.from(b.y)).toEqual([0, 1, 0, 1, 1, 0, 0, 0]);
    expect(() => gatherBatch(ds, [4])).toThrow(/index 4/);
  });
});

describe('summarizeDataset', () => {
  it('counts samples per multiplicity and per label set', () => {
    expect(summarizeDataset(ds)).toEqual({ N: 4, perMultiplicity: { 1: 2, 2: 2 }, labelSets: 3, perSetRange: { 1: [1, 1], 2: [2, 2] } });
  });
});
