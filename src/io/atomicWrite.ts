import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ensureDir } from './outputPath.js';
import { WriteError } from './writeError.js';

/**
 * Writes a file so that readers see either the old content or the whole new content, never a half-written file:
 * write a temporary file in the same directory, fsync it, then rename it over the target (rename is atomic on POSIX).
 */
export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  try {
    writeThroughTemp(path, content);
  } catch (err) {
    throw asWriteError(path, err);
  }
}

export { WriteError };

const REASONS: Record<string, string> = {
  EISDIR: 'it is a directory',
  EEXIST: 'a part of its folder path is a file',
  ENOTDIR: 'a part of its folder path is a file',
  ENOENT: 'its folder does not exist and cannot be created',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
};

function asWriteError(path: string, err: unknown): unknown {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (err instanceof WriteError || typeof code !== 'string') return err;
  return new WriteError(`cannot write ${path}: ${REASONS[code] ?? code}`);
}

function writeThroughTemp(path: string, content: string | Uint8Array): void {
  const dir = dirname(path);
  // Not mkdirSync(recursive): it hangs on Node 20 for paths like /proc/x (see outputPath.ts).
  ensureDir(dir, path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    const fd = openSync(tmp, 'w');
    try {
      const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** JSON with a trailing newline; refuses non-finite numbers so that no NaN is ever written to disk. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${stringifyFinite(value)}\n`);
}

/** JSON.stringify that throws on NaN/±Infinity instead of silently writing null. */
export function stringifyFinite(value: unknown, indent = 2): string {
  return JSON.stringify(
    value,
    (key, v) => {
      if (typeof v === 'number' && !Number.isFinite(v)) {
        throw new Error(`refusing to write a non-finite number (${v}) at key "${key}"`);
      }
      return v;
    },
    indent,
  );
}
