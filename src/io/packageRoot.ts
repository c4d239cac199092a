import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | null | undefined;

/**
 * The directory that holds mlnc's package.json, found by walking up from this file. The walk is the same whether this
 * module runs as source (src/io, under vitest) or compiled (dist/src/io), and when mlnc is installed as a dependency.
 */
export function packageRoot(): string | undefined {
  if (cached !== undefined) return cached ?? undefined;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'mlnc') {
          cached = dir;
          return dir;
        }
      } catch {
        // not ours; keep walking
      }
    }
    const up = dirname(dir);
    if (up === dir) {
      cached = null;
      return undefined;
    }
    dir = up;
  }
}

/** mlnc's version, from its package.json. */
export function packageVersion(): string {
  const root = packageRoot();
  if (root === undefined) throw new Error("cannot locate mlnc's package.json");
  return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
}
