import fc from 'fast-check';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openRunDir, parseMetricsJsonl, RunDirError } from '../../src/run/index.js';

const P = '/runs/r/metrics.jsonl';
const errorOf = (text: string): RunDirError => {
  try {
    parseMetricsJsonl(text, P);
  } catch (e) {
    expect(e).toBeInstanceOf(RunDirError);
    expect((e as RunDirError).exitCode).toBe(2);
    expect((e as Error).message).not.toMatch(/\n/);
    return e as RunDirError;
  }
  throw new Error(`expected a RunDirError for ${JSON.stringify(text)}`);
};

describe('parseMetricsJsonl', () => {
  it('reads one object per line; empty lines at the end (and CRLF endings) are fine', () => {
    const a = { epoch: 0, trainLoss: 1.5 };
    const b = { epoch: 1, trainLoss: 1.25, rho: { 2: 1.1 } };
    for (const text of [`${JSON.stringify(a)}\n${JSON.stringify(b)}`, `${JSON.stringify(a)}\n${JSON.stringify(b)}\n`,
      `${JSON.stringify(a)}\r\n${JSON.stringify(b)}\r\n\r\n  \n`]) {
      expect(parseMetricsJsonl(text, P)).toEqual([a, b]);
    }
    expect(parseMetricsJsonl('', P)).toEqual([]);
    expect(parseMetricsJsonl('\n', P)).toEqual([]);
  });

  it('names the file and the line of a damaged line', () => {
    const ok = '{"epoch":0}\n{"epoch":1}\n';
    expect(errorOf(`${ok}garbage{\n`).message).toBe(`${P} line 3 is not JSON; the run directory is damaged`);
    expect(errorOf(`${ok}{"epoch":2,"trainLoss":1`).message).toMatch(/line 3 is not JSON/);
    expect(errorOf(`${ok}[1,2]\n`).message).toMatch(/line 3 is not a JSON object/);
    expect(errorOf(`${ok}null\n`).message).toMatch(/line 3 is not a JSON object/);
    expect(errorOf(`${ok}{"trainLoss":1}\n`).message).toMatch(/line 3 has no epoch/);
    expect(errorOf(`${ok}{"epoch":"2"}\n`).message).toMatch(/line 3 has no epoch/);
    // Line numbers count every line of the file, empty ones included (the old readers counted only non-empty ones).
    expect(errorOf('{"epoch":0}\n\n{"epoch":1}\n').message).toMatch(/line 2 is empty/);
  });

  it('property: one garbage line among valid ones is reported at its own line number', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ epoch: fc.nat(100), trainLoss: fc.double({ noNaN: true, noDefaultInfinity: true }) }), { minLength: 1, maxLength: 8 }),
        fc.nat(),
        fc.constantFrom('garbage{', '{"epoch":', '42', 'true', '"text"', '{}'),
        fc.boolean(),
        (objs, at, bad, trailingNewline) => {
          const lines = objs.map((o) => JSON.stringify(o));
          const i = at % (lines.length + 1);
          lines.splice(i, 0, bad);
          const msg = errorOf(lines.join('\n') + (trailingNewline ? '\n' : '')).message;
          expect(msg.startsWith(`${P} line ${i + 1} `)).toBe(true);
        },
      ),
      { numRuns: 60, seed: 20261127 },
    );
  });
});

describe('RunDir.readMetrics', () => {
  it('reads metrics.jsonl; a run without one has no lines yet, an unreadable one is a one-line RunDirError', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlnc-metrics-'));
    const run = openRunDir(dir);
    expect(run.readMetrics()).toEqual([]);
    writeFileSync(join(dir, 'metrics.jsonl'), '{"epoch":0,"nc1":0.5}\n');
    expect(run.readMetrics()).toEqual([{ epoch: 0, nc1: 0.5 }]);
    const broken = openRunDir(mkdtempSync(join(tmpdir(), 'mlnc-metrics-')));
    mkdirSync(broken.file('metrics'));
    expect(() => broken.readMetrics()).toThrow(RunDirError);
    expect(() => broken.readMetrics()).toThrow(/^cannot read .*metrics\.jsonl/);
  });

  it('a headline metric that is not a number (or null) is a damaged line, named with its field', () => {
    expect(errorOf('{"epoch":0,"nc1":"0.5"}\n').message).toBe(`${P} line 1: nc1 is not a number; the run directory is damaged`);
    expect(errorOf('{"epoch":0,"rho":{"2":[1]}}\n').message).toMatch(/line 1: rho\.2 is not a number/);
    expect(parseMetricsJsonl('{"epoch":0,"nc1":null,"nonFinite":["nc1"]}', P)).toEqual([{ epoch: 0, nc1: null, nonFinite: ['nc1'] }]);
  });
});
