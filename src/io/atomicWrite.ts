import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Writes a file so that readers see either the old content or the whole new content, never a half-written file:
 * write a temporary file in the same directory, fsync it, then rename it over the target (rename is atomic on POSIX).
 */
export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
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
