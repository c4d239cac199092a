import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/usageError.js';
import { DatasetError } from '../../src/deep/data/errors.js';
import { WriteError } from '../../src/io/writeError.js';
import { RunDirError } from '../../src/run/index.js';
import { UserError } from '../../src/util/userError.js';

describe('UserError', () => {
  it('keeps only the first line of its message and exits with 2 unless told otherwise', () => {
    const e = new UserError('the run diverged\n    at trainStep (step.ts:40)');
    expect(e.message).toBe('the run diverged');
    expect(e.exitCode).toBe(2);
    expect(new UserError('x', { exitCode: 3 }).exitCode).toBe(3);
  });

  it('is the base of every user-fixable error, each named after its own class', () => {
    for (const e of [new UsageError('a'), new DatasetError('b'), new WriteError('c'), new RunDirError('d')]) {
      expect(e).toBeInstanceOf(UserError);
      expect(e.name).toBe(e.constructor.name);
    }
  });
});
