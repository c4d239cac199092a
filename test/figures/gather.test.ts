import { mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { discoverRuns, pickDefaultPair, recordsFromMetrics, readTrainingRun } from '../../src/figures/index.js';
import { RunDirError } from '../../src/run/index.js';
import { writeSyntheticRun } from './syntheticRun.js';

const root = mkdtempSync(join(tmpdir(), 'mlnc-gather-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('recordsFromMetrics', () => {
  it('keeps NC lines only, passes non-finite values through for the plot to reject, and measures ρ error against a reference', () => {
    const recs = recordsFromMetrics([
      { epoch: 0, trainLoss: 1 },
      { epoch: 1, nc1: 2, nc2W: null, nc2H: 0.5, nc3: Infinity, tagAngle: 0.1, rho: { 2: 1.5 } },
    ], { 2: 1.8 });
    expect(recs).toHaveLength(1);
    expect(recs[0]).toMatchObject({ step: 1, nc1: 2, nc2W: null, nc2H: 0.5, nc3: Infinity, tagAngle: 0.1 });
    expect(recs[0].rhoRelError?.[2]).toBeCloseTo(0.3 / 1.8, 12);
    expect(recordsFromMetrics([{ epoch: 1, nc1: 1, rho: { 2: 1.5 } }])[0].rhoRelError).toBeUndefined();
  });
});

describe('run discovery for `mlnc figures` without arguments', () => {
  it('finds complete runs newest first and pairs the newest learned with the newest fixed-ETF run', () => {
    const runs = join(root, 'runs');
    const spec = { K: 3, d: 2, perSet: { 1: 2, 2: 1 }, lambda: 5e-3 };
    writeSyntheticRun(join(runs, 'old-learned'), spec);
    writeSyntheticRun(join(runs, 'new-learned'), spec);
    writeSyntheticRun(join(runs, 'fixed'), { ...spec, fixedEtf: true });
    writeSyntheticRun(join(runs, 'unfinished'), { ...spec, epochs: 5, lines: [{ epoch: 0, nc1: 1 }] });
    const t = Date.now() / 1000;
    utimesSync(join(runs, 'old-learned', 'metrics.jsonl'), t - 100, t - 100);
    utimesSync(join(runs, 'new-learned', 'metrics.jsonl'), t, t);
    const found = discoverRuns(runs).map((r) => r.name);
    expect(found).not.toContain('unfinished');
    expect(found.indexOf('new-learned')).toBeLessThan(found.indexOf('old-learned'));
    expect(pickDefaultPair(discoverRuns(runs))?.map((r) => r.name)).toEqual(['new-learned', 'fixed']);
    expect(pickDefaultPair(discoverRuns(join(root, 'nothing-here')))).toBeNull();
  });

  it('readTrainingRun names the problem of a bad directory', () => {
    expect(() => readTrainingRun(join(root, 'missing'))).toThrow(RunDirError);
    expect(() => readTrainingRun(root)).toThrow(/holds no run \(no config.json\)/);
  });
});
