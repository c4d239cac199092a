import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WORKER_ENTRIES, workerEntryUrl } from '../../src/parallel/workerEntry.js';

describe('workerEntryUrl', () => {
  it('finds every worker entry in the build, from the sources as from dist/ (npm test builds first)', () => {
    for (const entry of WORKER_ENTRIES) {
      const path = fileURLToPath(workerEntryUrl(entry));
      expect(path.endsWith(`/dist/src/${entry}.js`)).toBe(true);
      expect(existsSync(path), `${path} (run npm run build)`).toBe(true);
      // The same module path under src/ is TypeScript source of the same entry.
      expect(existsSync(fileURLToPath(new URL(`../../src/${entry}.ts`, import.meta.url)))).toBe(true);
    }
  });

  it('the compiled resolver resolves to the same files', async () => {
    const compiled = new URL('../../dist/src/parallel/workerEntry.js', import.meta.url);
    expect(readFileSync(compiled, 'utf8')).toContain('workerEntryUrl');
    const m = (await import(compiled.href)) as typeof import('../../src/parallel/workerEntry.js');
    for (const entry of WORKER_ENTRIES) expect(m.workerEntryUrl(entry).href).toBe(workerEntryUrl(entry).href);
  });
});
