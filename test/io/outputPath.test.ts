import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { WriteError } from '../../src/io/atomicWrite.js';
import { assertWritableDir, assertWritableFile, ensureDir } from '../../src/io/outputPath.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'mlnc-outpath-'));

/** The error `f` throws, which must be a one-line WriteError with exit code 2. */
function writeErrorOf(f: () => void): WriteError {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(WriteError);
  const err = caught as WriteError;
  expect(err.exitCode).toBe(2);
  expect(err.message).not.toMatch(/\n/);
  return err;
}

// Regression: mkdirSync(recursive) on Node 20 loops forever inside C++ under /proc (mkdir answers ENOENT there although
// /proc exists), so `mlnc figures --out /proc/x/figs` hung. A hang cannot be interrupted in-process, so the calls run in
// a child node (the io modules transpiled by TypeScript) that is killed after a few seconds: a hang fails the test.
describe.runIf(existsSync('/proc/self'))('paths under /proc fail at once with one line (no hang)', () => {
  it('ensureDir, writeFileAtomic, assertWritableDir, assertWritableFile', () => {
    const dir = fresh();
    // The modules keep their folders, so that their relative imports (../util/userError.js) resolve.
    for (const path of ['io/writeError', 'io/outputPath', 'io/atomicWrite', 'util/userError']) {
      const src = readFileSync(join(import.meta.dirname, '../../src', `${path}.ts`), 'utf8');
      const js = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
      mkdirSync(join(dir, dirname(path)), { recursive: true });
      writeFileSync(join(dir, `${path}.mjs`), js.replaceAll(/from '(\.\.?\/[\w/]+)\.js'/g, "from '$1.mjs'"));
    }
    const script = `
      import { writeFileAtomic } from './io/atomicWrite.mjs';
      import { assertWritableDir, assertWritableFile, ensureDir } from './io/outputPath.mjs';
      const t = '/proc/mlnc-no-such-entry/figs';
      const calls = [() => ensureDir(t), () => writeFileAtomic(t + '/a.svg', 'x'), () => assertWritableDir(t), () => assertWritableFile(t + '/s.json')];
      console.log(JSON.stringify(calls.map((f) => { try { f(); return null; } catch (e) { return { name: e.name, exitCode: e.exitCode, message: e.message }; } })));
    `;
    writeFileSync(join(dir, 'run.mjs'), script);
    const r = spawnSync(process.execPath, [join(dir, 'run.mjs')], { encoding: 'utf8', timeout: 15_000, killSignal: 'SIGKILL' });
    expect(r.signal, 'the child hung and was killed').toBeNull();
    expect(r.status, r.stderr).toBe(0);
    const results = JSON.parse(r.stdout) as ({ name: string; exitCode: number; message: string } | null)[];
    for (const e of results) {
      expect(e).toMatchObject({ name: 'WriteError', exitCode: 2 });
      expect(e!.message).not.toMatch(/\n/);
    }
    expect(results[0]!.message).toMatch(/^cannot write \/proc\/mlnc-no-such-entry\/figs: cannot create \/proc\/mlnc-no-such-entry /);
    expect(results[1]!.message).toMatch(/^cannot write \/proc\/mlnc-no-such-entry\/figs\/a\.svg: /);
  });
});

describe.runIf(existsSync('/proc/self'))('a folder that exists but refuses new files', () => {
  it('is caught by the checks, which try a file (permission bits say nothing to root)', () => {
    expect(writeErrorOf(() => assertWritableFile('/proc/mlnc-out.json')).message).toMatch(/^cannot write \/proc\/mlnc-out\.json: \/proc does not accept new files/);
    expect(writeErrorOf(() => assertWritableDir('/proc')).message).toMatch(/\/proc does not accept new files/);
  });
});

describe('ensureDir', () => {
  it('creates every missing level and accepts a folder that exists', () => {
    const root = fresh();
    const deep = join(root, 'a', 'b', 'c');
    ensureDir(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
    ensureDir(deep);
    ensureDir(root);
    expect(readdirSync(join(root, 'a'))).toEqual(['b']);
  });
  it('a file in the way, as the folder itself or as a parent, is a WriteError that touches nothing', () => {
    const root = fresh();
    writeFileSync(join(root, 'f'), 'keep me');
    expect(writeErrorOf(() => ensureDir(join(root, 'f'))).message).toMatch(/f: it is a file, not a folder$/);
    expect(writeErrorOf(() => ensureDir(join(root, 'f', 'sub', 'deeper'))).message).toMatch(/a part of its folder path is a file \(.*\/f\)$/);
    expect(readFileSync(join(root, 'f'), 'utf8')).toBe('keep me');
    expect(readdirSync(root)).toEqual(['f']);
  });
});

describe('assertWritableDir / assertWritableFile (checks before a command does any work)', () => {
  it('accept a creatable folder and leave no trace of the check', () => {
    const root = fresh();
    assertWritableDir(join(root, 'x', 'y'));
    assertWritableFile(join(root, 'p', 'q', 'out.json'));
    assertWritableDir(root);
    expect(readdirSync(root)).toEqual([]);
  });
  it('keep folders that existed before the check', () => {
    const root = fresh();
    ensureDir(join(root, 'keep'));
    assertWritableDir(join(root, 'keep', 'new', 'deeper'));
    expect(readdirSync(root)).toEqual(['keep']);
    expect(readdirSync(join(root, 'keep'))).toEqual([]);
  });
  it('reject a folder in the place of the file, and a file in the place of a folder', () => {
    const root = fresh();
    writeFileSync(join(root, 'f'), 'keep me');
    expect(writeErrorOf(() => assertWritableFile(root)).message).toMatch(/: it is a directory$/);
    expect(writeErrorOf(() => assertWritableFile(join(root, 'f', 'out.json'))).message).toMatch(/out\.json: a part of its folder path is a file/);
    expect(writeErrorOf(() => assertWritableDir(join(root, 'f'))).message).toMatch(/it is a file, not a folder/);
    expect(readdirSync(root)).toEqual(['f']);
  });
});
