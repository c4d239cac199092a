import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic, writeJsonAtomic, WriteError } from '../../src/io/atomicWrite.js';

describe('writeFileAtomic', () => {
  it('writes the whole content and leaves no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlnc-atomic-'));
    writeJsonAtomic(join(dir, 'sub', 'a.json'), { x: 1 });
    expect(JSON.parse(readFileSync(join(dir, 'sub', 'a.json'), 'utf8'))).toEqual({ x: 1 });
    expect(readdirSync(join(dir, 'sub'))).toEqual(['a.json']);
  });

  it('writeJsonAtomic refuses NaN and leaves no file behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlnc-atomic-'));
    expect(() => writeJsonAtomic(join(dir, 'a.json'), { x: NaN })).toThrow(/non-finite/);
    expect(readdirSync(dir)).toEqual([]);
  });

  // Regression: these were raw fs errors (EISDIR, EEXIST, ENOENT) that the CLI printed as stack traces with exit 1.
  const cases: [string, (dir: string) => string, RegExp][] = [
    ['a directory in the way', (dir) => dir, /cannot write .*: it is a directory/],
    ['a file where a folder should be', (dir) => {
      writeFileSync(join(dir, 'f'), 'keep me');
      return join(dir, 'f', 'a.json');
    }, /cannot write .*f\/a\.json: a part of its folder path is a file/],
  ];
  for (const [name, target, message] of cases) {
    it(`${name}: a one-line WriteError with exitCode 2, nothing else touched`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'mlnc-atomic-'));
      const err = (() => {
        try {
          writeFileAtomic(target(dir), 'x');
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err).toBeInstanceOf(WriteError);
      expect((err as WriteError).exitCode).toBe(2);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).not.toMatch(/\n/);
      if (existsSync(join(dir, 'f'))) expect(readFileSync(join(dir, 'f'), 'utf8')).toBe('keep me');
      expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    });
  }
});
