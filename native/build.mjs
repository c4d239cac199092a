#!/usr/bin/env node
// Builds build/native/mlnc_kernels.node (native conv kernels for the wasm backend) with the machine's g++ against
// Node's own headers. Runs from `npm run prepare` (so on every `npm ci`) and never fails the install: without a
// compiler or headers it says why and exits 0, and mlnc then uses its pure-wasm kernels.
// One translation unit and no third-party code, so g++ is called directly rather than through node-gyp's python/gyp
// layer. -march=native: the addon is built on the machine that runs it (it is not shipped), so it may use that CPU's
// widest FMA units. Set MLNC_NATIVE_BUILD=0 to skip the build, MLNC_NATIVE_MARCH to pick another -march; an
// up-to-date addon is kept (--force rebuilds).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'build', 'native');
const target = join(outDir, 'mlnc_kernels.node');

function skip(reason) {
  console.warn(`mlnc: native kernels not built (${reason}); training uses the pure-wasm kernels`);
  rmSync(target, { force: true }); // never leave a stale addon from other sources behind
  process.exit(0);
}

if (process.env.MLNC_NATIVE_BUILD === '0') skip('MLNC_NATIVE_BUILD=0');

const candidates = [
  process.env.npm_config_nodedir ? join(process.env.npm_config_nodedir, 'include', 'node') : undefined,
  join(dirname(process.execPath), '..', 'include', 'node'),
  '/usr/include/node',
  '/usr/local/include/node',
].filter((p) => p !== undefined);
const include = candidates.find((p) => existsSync(join(p, 'node_api.h')));
if (include === undefined) skip(`no node_api.h in ${candidates.join(', ')}`);

const cxx = process.env.CXX || 'g++';
const march = process.env.MLNC_NATIVE_MARCH || 'native';

// Up to date: the addon is newer than every source (and this script), and no other -march was asked for.
const sources = readdirSync(join(root, 'native')).filter((f) => /\.(h|cc|mjs)$/.test(f)).map((f) => join(root, 'native', f));
const stamp = join(outDir, 'march');
if (existsSync(target) && !process.env.MLNC_NATIVE_MARCH && !process.argv.includes('--force')) {
  const built = statSync(target).mtimeMs;
  if (sources.every((f) => statSync(f).mtimeMs < built) && !existsSync(stamp)) {
    console.log(`mlnc: native kernels up to date (${target})`);
    process.exit(0);
  }
}
mkdirSync(outDir, { recursive: true });
const tmp = `${target}.${process.pid}.tmp`;
const args = [
  '-O3', `-march=${march}`, '-ffp-contract=fast', '-std=c++17', '-shared', '-fPIC', '-fvisibility=hidden',
  '-Wall', '-Wextra', '-Wno-unused-parameter', `-I${include}`, join(root, 'native', 'mlnc_kernels.cc'), '-o', tmp,
];
const started = Date.now();
const r = spawnSync(cxx, args, { encoding: 'utf8' });
if (r.error !== undefined || r.status !== 0) {
  rmSync(tmp, { force: true });
  const detail = r.error !== undefined ? r.error.message : (r.stderr || '').trim().split('\n').slice(0, 5).join(' | ');
  skip(`${cxx} failed: ${detail}`);
}
renameSync(tmp, target); // atomic: a half-written addon is never loaded
// A build for another -march is marked, so that the next plain build replaces it with a native one.
if (process.env.MLNC_NATIVE_MARCH) writeFileSync(stamp, march);
else rmSync(stamp, { force: true });
console.log(`mlnc: built native kernels (${cxx} -march=${march}, ${((Date.now() - started) / 1000).toFixed(1)} s) → ${target}`);
