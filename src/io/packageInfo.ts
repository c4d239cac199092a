import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The mlnc package's root folder: the nearest package.json named "mlnc" above this module (src/ or dist/src/). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const p = join(dir, 'package.json');
    if (existsSync(p) && (JSON.parse(readFileSync(p, 'utf8')) as { name?: string }).name === 'mlnc') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the mlnc package.json above this module');
    dir = up;
  }
}

export function mlncVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** The built command line (what `npm run build` makes), run as `node <bin> ...` by grid executors. */
export function mlncBin(): string {
  return join(packageRoot(), 'dist', 'src', 'cli', 'bin.js');
}
