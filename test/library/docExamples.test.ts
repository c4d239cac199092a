/**
 * Doc tests: every exported function of src/geometry and src/ufm (the `mlnc/geometry` and `mlnc/ufm` entry points)
 * carries a doc comment with an `@example`, and every example runs. An example line ending in `// → value` must give
 * exactly that value (deep equality; typed arrays compare as arrays), one ending in `// ≈ value` that value to the
 * digits written.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '../../src');
const FOLDERS = ['geometry', 'ufm'];

/** Exported function declarations of one file, each with the texts of its @example tags. */
function examplesOf(file: string): { name: string; examples: string[] }[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const out: { name: string; examples: string[] }[] = [];
  source.forEachChild((node) => {
    if (!ts.isFunctionDeclaration(node) || !node.name) return;
    if (!node.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return;
    const examples = ts.getJSDocTags(node).filter((t) => t.tagName.text === 'example').map((t) => ts.getTextOfJSDocComment(t.comment) ?? '');
    out.push({ name: node.name.text, examples });
  });
  return out;
}

const files = FOLDERS.flatMap((f) => readdirSync(join(SRC, f)).filter((n) => n.endsWith('.ts') && n !== 'index.ts').map((n) => join(SRC, f, n)));
const documented = files.flatMap((file) => examplesOf(file).map((e) => ({ ...e, file: file.slice(SRC.length + 1) })));

/** Every export of the two folders (and the Rng their examples seed), as the examples' scope. */
async function exampleScope(): Promise<Record<string, unknown>> {
  const scope: Record<string, unknown> = {};
  for (const file of files) Object.assign(scope, await import(file));
  Object.assign(scope, await import('../../src/util/rng.js'));
  return scope;
}

/** Turns `expr; // → v` into a check of expr against v, and `const x = expr; // ≈ v` into one of x. */
function instrument(code: string): string {
  return code.split('\n').map((line, i) => {
    const m = /^(\s*)(.*?);?\s*\/\/ ([→≈]) (.+)$/.exec(line);
    if (!m) return line;
    const [, indent, stmt, kind, expected] = m;
    const decl = /^(const|let)\s+(\w+)\s*=/.exec(stmt);
    const subject = decl ? decl[2] : `(${stmt})`;
    const check = `__check(${subject}, ${expected}, ${JSON.stringify(kind)}, ${JSON.stringify(expected)}, ${i + 1});`;
    return decl ? `${indent}${stmt}; ${check}` : `${indent}${check}`;
  }).join('\n');
}

const plain = (v: unknown): unknown => (ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : Array.isArray(v) ? v.map(plain)
  : v && typeof v === 'object' && !(v instanceof Map) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)])) : v);

/** Approximate equality to the digits written in the expected literal (per number). */
function close(actual: unknown, expected: unknown, text: string): boolean {
  if (typeof expected === 'number') {
    const decimals = /\.(\d+)/.exec(text)?.[1].length ?? 0;
    return typeof actual === 'number' && Math.abs(actual - expected) <= 0.5 * 10 ** -decimals * (1 + 1e-9);
  }
  if (Array.isArray(expected)) {
    const parts = text.replace(/^\[|\]$/g, '').split(',');
    const a = plain(actual) as unknown[];
    return Array.isArray(a) && a.length === expected.length && expected.every((e, i) => close(a[i], e, parts[i] ?? ''));
  }
  return false;
}

describe('doc comments of src/geometry and src/ufm', () => {
  it('give every exported function an @example', () => {
    expect(documented.length).toBeGreaterThan(40);
    const missing = documented.filter((d) => d.examples.length === 0).map((d) => `${d.file}: ${d.name}`);
    expect(missing).toEqual([]);
  });

  it('hold examples that run and give the values they state', async () => {
    const scope = await exampleScope();
    const names = Object.keys(scope);
    let checks = 0;
    const failures: string[] = [];
    for (const d of documented) {
      for (const code of d.examples) {
        const where = `${d.file} ${d.name}`;
        const js = ts.transpileModule(instrument(code), { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
        const check = (actual: unknown, expected: unknown, kind: string, text: string, line: number) => {
          checks++;
          const ok = kind === '→' ? JSON.stringify(plain(actual)) === JSON.stringify(plain(expected)) : close(actual, expected, text);
          if (!ok) failures.push(`${where} line ${line}: got ${JSON.stringify(plain(actual))}, the example says ${text}`);
        };
        try {
          new Function(...names, '__check', js)(...names.map((n) => scope[n]), check);
        } catch (err) {
          failures.push(`${where}: ${(err as Error).message}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(checks).toBeGreaterThan(40);
  });
});
