/**
 * The README's "Use it as a library" example, taken from the README itself so the two cannot drift: it is type-checked
 * against the package's own declarations and run by Node, importing `mlnc/...` by name (self-reference through
 * package.json `exports`), on .npy files written here. Needs `dist/` (`npm test` builds it first).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelSet, matrix, ncMetrics, type LabelSet } from '../../src/geometry/index.js';
import { writeNpy } from '../../src/io/npy.js';
import { Rng } from '../../src/util/rng.js';

const ROOT = join(import.meta.dirname, '../..');

/** The ```ts block of the README's "## Use it as a library" section. */
function readmeExample(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('Use it as a library\n'));
  if (!section) throw new Error('README.md has no "## Use it as a library" section');
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('the "Use it as a library" section has no ```ts block');
  return block[1];
}

/** Features of K = 3 classes and their pairs in d = 5: class means plus noise, a noisy classifier (deterministic). */
function networkData() {
  const K = 3, d = 5, rng = new Rng(7);
  const dirs = Array.from({ length: K }, () => Array.from({ length: d }, () => rng.normal()));
  const sets = [[0], [1], [2], [0, 1], [0, 2], [1, 2]];
  const rows: number[][] = [];
  const labels: LabelSet[] = [];
  const multiHot: number[] = [];
  for (const S of sets) {
    for (let i = 0; i < (S.length === 1 ? 12 : 6); i++) {
      rows.push(dirs[0].map((_, t) => S.reduce((a, k) => a + dirs[k][t], 0) * (S.length === 1 ? 1 : 0.8) + 0.3 * rng.normal()));
      labels.push(labelSet(S));
      for (let k = 0; k < K; k++) multiHot.push(S.includes(k) ? 1 : 0);
    }
  }
  const W = dirs.map((r) => r.map((v) => v + 0.2 * rng.normal()));
  return { K, d, rows, labels, multiHot, W };
}

describe('the README library example', () => {
  let dir = '';
  const data = networkData();

  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist/src/index.d.ts'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
    // Inside the package (so `mlnc/...` resolves to this checkout by self-reference), in the git-ignored .scratch/.
    mkdirSync(join(ROOT, '.scratch'), { recursive: true });
    dir = mkdtempSync(join(ROOT, '.scratch', 'readme-example-'));
    writeNpy(join(dir, 'features.npy'), Float32Array.from(data.rows.flat()), [data.rows.length, data.d]);
    writeNpy(join(dir, 'labels.npy'), Uint8Array.from(data.multiHot), [data.rows.length, data.K]);
    writeNpy(join(dir, 'W.npy'), Float32Array.from(data.W.flat()), [data.K, data.d]);
    writeFileSync(join(dir, 'example.ts'), readmeExample());
  });
  afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('type-checks against the declarations that package.json exports point to', () => {
    const program = ts.createProgram([join(dir, 'example.ts')], {
      module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022,
      strict: true, noEmit: true, skipLibCheck: true, types: ['node'],
    });
    const messages = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(messages).toEqual([]);
    // the imports resolved through exports to dist's .d.ts files, not to src/
    const resolved = program.getSourceFiles().map((f) => f.fileName).filter((f) => f.includes('/dist/src/'));
    for (const entry of ['geometry/index.d.ts', 'io/index.d.ts', 'ufm/index.d.ts']) expect(resolved.some((f) => f.endsWith(entry))).toBe(true);
  });

  it('runs under Node and prints the metrics of the saved features and the UFM optimum beside the theory', () => {
    const js = ts.transpileModule(readmeExample(), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    writeFileSync(join(dir, 'example.mjs'), js);
    const r = spawnSync(process.execPath, ['example.mjs'], { cwd: dir, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const [networkLine, ufmLine] = r.stdout.trim().split('\n');
    // Oracle: the same metrics computed here from the in-memory data (float32 like the file).
    const features = matrix(data.rows.length, data.d, Float32Array.from(data.rows.flat()));
    const nc = ncMetrics({ features, labels: data.labels, K: data.K, classifier: matrix(data.K, data.d, Float32Array.from(data.W.flat())) });
    expect(networkLine).toBe(`network: NC1 ${nc.nc1.toPrecision(4)}, NC2_W ${nc.nc2W?.toPrecision(4)}, NC2_H ${nc.nc2H.toPrecision(4)}, ` +
      `NC3 ${nc.nc3?.toPrecision(4)}, rho_2 ${nc.rho['2'].mean.toPrecision(4)}`);
    expect(nc.nc1).toBeGreaterThan(0.001); // the noise is real: not a collapsed toy
    // Reference case A of the theory (K = 4, n1 = 3, n2 = 2, λ = 5e-3, pal): objective 0.8947813933…, ρ_2 = 1.7508648.
    expect(ufmLine).toBe('UFM: objective 0.89478139 (theory 0.89478139), rho_2 1.750865 (theory 1.750865)');
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(`It prints \`${ufmLine}\``);
  });
});
