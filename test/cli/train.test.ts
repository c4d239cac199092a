import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainCommand, trainConfigFromFlags } from '../../src/cli/train.js';
import { validateCommand } from '../../src/cli/validate.js';
import { UserError } from '../../src/util/userError.js';
import { runCli } from '../helpers/runCli.js';

const root = mkdtempSync(join(tmpdir(), 'mlnc-cli-train-'));
const base = { dataset: 'mlab-mnist', preset: 'small', arch: 'resnet-small', loss: 'pal', backend: 'cpu' };
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The one line main() prints for a user error (exit code 2): the run, the data or the flags are the user's to fix. */
async function userErrorMessage(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(UserError);
  expect((err as UserError).exitCode).toBe(2);
  const msg = (err as Error).message;
  expect(msg).not.toMatch(/\n/);
  return msg;
}

describe('mlnc train: flags', () => {
  it('defaults to the small MLab-MNIST preset with resnet-small', () => {
    const c = trainConfigFromFlags(base);
    expect(c).toMatchObject({ dataset: 'mlab-mnist', preset: 'small', arch: 'resnet-small', loss: 'pal' });
  });
  it('rejects unknown choices and malformed numbers with one-line usage errors', () => {
    expect(() => trainConfigFromFlags({ ...base, arch: 'lenet5' })).toThrow(/unknown --arch "lenet5"/);
    expect(() => trainConfigFromFlags({ ...base, loss: 'bce' })).toThrow(/unknown --loss "bce"/);
    expect(() => trainConfigFromFlags({ ...base, epochs: '2.5' })).toThrow(/--epochs must be an integer/);
    expect(() => trainConfigFromFlags({ ...base, lr: '-1' })).toThrow(/--lr must be positive/);
    expect(() => trainConfigFromFlags({ ...base, arch: 'resnet18', depth: '2' })).toThrow(/--depth applies to --arch resnet-small only/);
    expect(() => trainConfigFromFlags({ ...base, arch: 'resnet18' })).not.toThrow();
  });
});

describe('mlnc train / validate: bad input exits with one line and loses nothing', () => {
  it('a missing dataset path', async () => {
    const msg = await userErrorMessage(trainCommand({ ...base, dataDir: join(root, 'no-such-dir'), out: join(root, 'r1'), cacheDir: join(root, 'cache') }));
    expect(msg).toMatch(/no-such-dir/);
    expect(existsSync(join(root, 'r1', 'config.json'))).toBe(false);
  });
  it('a malformed dataset folder', async () => {
    const bad = join(root, 'bad-mnist');
    mkdirSync(bad, { recursive: true });
    writeFileSync(join(bad, 'train-images-idx3-ubyte'), 'not an idx file');
    await userErrorMessage(trainCommand({ ...base, dataDir: bad, out: join(root, 'r2'), cacheDir: join(root, 'cache2') }));
  });
  it('--counts of all zeros (an empty training set) is a usage error, not an internal one; no run is written', async () => {
    const msg = await userErrorMessage(trainCommand({ ...base, counts: '0,0', epochs: '1', out: join(root, 'r0'), cacheDir: join(root, 'cache') }));
    expect(msg).toMatch(/--counts "0,0" leaves the training set empty/);
    expect(existsSync(join(root, 'r0'))).toBe(false);
  });
  it('--fixed-etf with a feature dimension below K names the fix', async () => {
    const msg = await userErrorMessage(trainCommand({ ...base, width: '1', fixedEtf: true, out: join(root, 'r3'), cacheDir: join(root, 'cache') }));
    expect(msg).toMatch(/--fix-dim/);
  });
  it('--fix-dim or --fixed-etf on --resume of a run trained without them', async () => {
    const dir = join(root, 'plain-run');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ train: trainConfigFromFlags(base) }));
    expect(await userErrorMessage(trainCommand({ ...base, resume: true, out: dir, fixDim: true }))).toMatch(/--fix-dim is incompatible with --resume/);
    expect(await userErrorMessage(trainCommand({ ...base, resume: true, out: dir, fixedEtf: true }))).toMatch(/--fixed-etf is incompatible with --resume/);
    expect(existsSync(join(dir, 'metrics.jsonl'))).toBe(false);
  });
  // Regression: an unwritable --out only failed once the first files were written (a path under /proc hung in mkdir).
  it('an unwritable --out fails before the backend and the data are loaded, and leaves nothing behind', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'keep');
    // A data folder that does not exist: if the data were loaded first, the error would name it instead.
    const flags = { ...base, dataDir: join(root, 'no-such-data'), epochs: '1', cacheDir: join(root, 'cache') };
    expect(await userErrorMessage(trainCommand({ ...flags, out: file }))).toMatch(/cannot write .*a-file: it is a file, not a folder/);
    expect(await userErrorMessage(trainCommand({ ...flags, out: join(file, 'run') }))).toMatch(/a part of its folder path is a file/);
    if (existsSync('/proc/self')) {
      expect(await userErrorMessage(trainCommand({ ...flags, out: '/proc/mlnc-no-such-entry/run' }))).toMatch(/cannot create \/proc\/mlnc-no-such-entry/);
    }
    // A writable --out passes the check without a trace: the error is then the data folder's, and no folder is left.
    expect(await userErrorMessage(trainCommand({ ...flags, out: join(root, 'fresh', 'run') }))).toMatch(/no-such-data/);
    expect(existsSync(join(root, 'fresh'))).toBe(false);
  });

  it('--resume of a directory without a run, and validate of a missing directory', async () => {
    await userErrorMessage(trainCommand({ ...base, resume: true, out: join(root, 'nothing-here') }));
    await userErrorMessage(trainCommand({ ...base, resume: true }));
    await userErrorMessage(validateCommand(join(root, 'nothing-here'), { backend: 'cpu' }));
  });
});

// Regression: `mlnc train --resume --epochs N` ignored N (the saved total won), so a finished run could not be extended.
describe('mlnc train --resume --epochs N', () => {
  it('extends a finished run to N epochs, says that the schedule is recomputed, and refuses N below the epochs done', async () => {
    const out = join(root, 'extend');
    const tiny = ['--counts', '3,1', '--width', '2', '--batch-size', '25', '--backend', 'cpu', '--workers', '1', '--cache-dir', join(root, 'cache-extend')];
    const first = await runCli(['train', ...tiny, '--epochs', '1', '--out', out]);
    expect(first.code, first.stderr).toBe(0);
    const more = await runCli(['train', '--resume', '--out', out, '--epochs', '2', '--backend', 'cpu']);
    expect(more.code, more.stderr).toBe(0);
    expect(more.stdout).toMatch(/to epoch 2 in/);
    expect(more.stderr).toMatch(/from 1 to 2 epochs at epoch 1: the cosine learning-rate schedule is recomputed over 2 epochs from epoch 2 on/);
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).train.epochs).toBe(2);
    // Resuming the finished, extended run without --epochs keeps its (new) total: nothing to do.
    const again = await runCli(['train', '--resume', '--out', out, '--backend', 'cpu']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/to epoch 2 in/);
    const fewer = await runCli(['train', '--resume', '--out', out, '--epochs', '1', '--backend', 'cpu']);
    expect(fewer.code).toBe(2);
    expect(fewer.stderr.trim().split('\n').filter((l) => l.startsWith('mlnc:'))).toEqual([`mlnc: --epochs 1 is below the 2 epochs ${out} has already trained; give at least 2`]);
    const bad = await runCli(['train', '--resume', '--out', out, '--epochs', '0', '--backend', 'cpu']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--epochs must be positive/);
  });
});
