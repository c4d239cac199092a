import { accessSync, closeSync, constants, mkdirSync, openSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { WriteError } from './writeError.js';

/**
 * Output folders, created and checked without `mkdirSync(..., { recursive: true })`: on Node 20 that call loops forever
 * on paths such as /proc/x/figs, where mkdir answers ENOENT although the parent exists. Here the first existing
 * ancestor is found and checked (a writable directory), then the missing levels are created one at a time, so every
 * failure is one WriteError (exit code 2) naming the folder and why.
 */

const MKDIR_REASONS: Record<string, string> = {
  EEXIST: 'a file is in the way',
  ENOTDIR: 'a part of the path is a file',
  // mkdir answers ENOENT under a parent that exists when the file system has no room for new folders (/proc, /sys).
  ENOENT: 'its parent does not accept new folders',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  ENAMETOOLONG: 'the name is too long',
};

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'unknown error';
}

interface PathPlan {
  /** The nearest ancestor of the folder (or the folder itself) that exists. */
  existing: string;
  /** The levels below it still to create, outermost first. */
  missing: string[];
}

/** Where `dir` stands: its nearest existing ancestor, which must be a writable directory, and the levels to create. */
function plan(dir: string, subject: string): PathPlan {
  const missing: string[] = [];
  let p = resolve(dir);
  for (;;) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch (err) {
      const code = codeOf(err);
      // ENOTDIR: a file further up; the walk reaches it and reports it below.
      if ((code === 'ENOENT' || code === 'ENOTDIR') && dirname(p) !== p) {
        missing.unshift(p);
        p = dirname(p);
        continue;
      }
      throw new WriteError(`cannot write ${subject}: ${p} is not accessible (${MKDIR_REASONS[code] ?? code})`);
    }
    if (!isDir) {
      throw new WriteError(`cannot write ${subject}: ${p === resolve(subject) ? 'it is a file, not a folder' : `a part of its folder path is a file (${p})`}`);
    }
    try {
      accessSync(p, constants.W_OK | constants.X_OK);
    } catch (err) {
      const code = codeOf(err);
      throw new WriteError(`cannot write ${subject}: ${p} is not writable (${MKDIR_REASONS[code] ?? code})`);
    }
    return { existing: p, missing };
  }
}

function createLevels(levels: readonly string[], subject: string): string[] {
  const made: string[] = [];
  for (const level of levels) {
    try {
      mkdirSync(level);
      made.push(level);
    } catch (err) {
      const code = codeOf(err);
      // Another process may have created it meanwhile: fine when it is a folder.
      if (code === 'EEXIST' && isDirectory(level)) continue;
      removeLevels(made);
      throw new WriteError(`cannot write ${subject}: cannot create ${level} (${MKDIR_REASONS[code] ?? code})`);
    }
  }
  return made;
}

function removeLevels(made: readonly string[]): void {
  for (const level of [...made].reverse()) {
    try {
      rmdirSync(level);
    } catch {
      // not empty any more or already gone: leave it
    }
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Creates `dir` and its missing parents; a WriteError (one line, exit code 2) when it cannot. `subject` is what the
 * message says could not be written (default: the folder itself; writeFileAtomic passes the file).
 */
export function ensureDir(dir: string, subject = dir): void {
  ensureDirLevels(dir, subject);
}

/** ensureDir that returns the levels it created (outermost first), for callers that remove them again. */
export function ensureDirLevels(dir: string, subject = dir): string[] {
  return createLevels(plan(dir, subject).missing, subject);
}

/**
 * Creates and removes a file in `dir`: the only sure test that files can be made there (permission bits say nothing
 * to root, and /proc or /sys refuse new files in folders that look writable).
 */
function probeFile(dir: string, subject: string): void {
  const probe = join(dir, `.mlnc-write-check-${process.pid}-${Date.now()}`);
  try {
    closeSync(openSync(probe, 'wx'));
  } catch (err) {
    const code = codeOf(err);
    throw new WriteError(`cannot write ${subject}: ${dir} does not accept new files (${MKDIR_REASONS[code] ?? code})`);
  }
  rmSync(probe, { force: true });
}

/** Proves `dir` can hold new files, creating its missing levels for the test and removing them afterwards. */
function checkDir(dir: string, subject: string): void {
  const made = createLevels(plan(dir, subject).missing, subject);
  try {
    probeFile(resolve(dir), subject);
  } finally {
    removeLevels(made);
  }
}

/**
 * Fails fast, before any work, when `dir` cannot serve as an output folder: it must be a folder that accepts new files,
 * or the missing levels of its path must be creatable. Those are created to prove it and removed again, so a later
 * failure of the command leaves nothing behind.
 */
export function assertWritableDir(dir: string): void {
  checkDir(dir, dir);
}

/** Fails fast when a file cannot be written at `path` (a folder in the way, or a folder that cannot be created). */
export function assertWritableFile(path: string): void {
  if (isDirectory(path)) throw new WriteError(`cannot write ${path}: it is a directory`);
  checkDir(dirname(resolve(path)), path);
}
