import { describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { workerPlan } from '../../../src/cli/train.js';
import { defaultWorkerCount } from '../../../src/deep/parallel/trainer.js';

describe('mlnc train --workers', () => {
  it('defaults to every core on wasm and to one process on tfjs-node or cpu', () => {
    expect(defaultWorkerCount('wasm', 2)).toBe(2);
    expect(defaultWorkerCount('wasm', 1)).toBe(1);
    expect(defaultWorkerCount('tensorflow', 8)).toBe(1);
    expect(defaultWorkerCount('cpu', 8)).toBe(1);
    expect(workerPlan(undefined, 'wasm', undefined)).toEqual({ workers: availableParallelism(), shards: availableParallelism() });
    expect(workerPlan(undefined, 'tensorflow', undefined)).toEqual({ workers: 1, shards: 1 });
  });

  it('gives a new run as many shards as workers; a resumed run keeps its shards and caps the workers at them', () => {
    expect(workerPlan('3', 'cpu', undefined)).toEqual({ workers: 3, shards: 3 });
    expect(workerPlan('4', 'wasm', 2)).toEqual({ workers: 2, shards: 2 });
    expect(workerPlan('1', 'wasm', 2)).toEqual({ workers: 1, shards: 2 });
    const single = workerPlan('2', 'wasm', 1);
    expect(single).toMatchObject({ workers: 1, shards: 1 });
    expect(single.note).toMatch(/--workers is ignored on resume/);
  });

  it('rejects a non-positive or fractional count with a one-line error', () => {
    expect(() => workerPlan('0', 'wasm', undefined)).toThrow(/--workers/);
    expect(() => workerPlan('1.5', 'wasm', undefined)).toThrow(/--workers must be an integer/);
  });
});
