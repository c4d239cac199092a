/**
 * Picks and initialises the tfjs backend: node-gpu → node → webgpu (hardware adapters only) → wasm → cpu.
 *
 * tfjs-node(-gpu) are optional dependencies (their install downloads libtensorflow), so each is a caught dynamic
 * import; so are webgpu's two packages (webgpu.ts). All backends share the one tfjs-core instance that '@tensorflow/tfjs' re-exports: tfjs-node registers
 * its backend on the tfjs-core it requires, which npm dedupes to the same package.
 */
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../../util/userError.js';
import { registerWasmTrainingKernels } from './registerWasmTrainingKernels.js';
import type { WasmKernelOptions } from './registerWasmTrainingKernels.js';
import { loadNativeKernels } from './nativeKernels.js';
import { describeAdapter, initWebgpu, type AdapterInfo } from './webgpu.js';

/** The one list of backend names (`--backend`, MLNC_BACKEND); `auto` tries the others in this order. */
export const BACKEND_PREFERENCES = ['auto', 'node-gpu', 'node', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendPreference = (typeof BACKEND_PREFERENCES)[number];

export interface InitBackendOptions {
  /** Options for the custom wasm training kernels (only used on wasm). */
  wasmKernels?: WasmKernelOptions;
  /** Environment to read MLNC_BACKEND from (default process.env); for tests. */
  env?: Record<string, string | undefined>;
}

export interface BackendInfo {
  /** tf.getBackend() after init: 'tensorflow' (node / node-gpu), 'wasm' or 'cpu'. */
  name: string;
  /** Which preference was satisfied. */
  kind: Exclude<BackendPreference, 'auto'>;
  /** On wasm: which conv kernels run, e.g. 'native conv kernels (avx2 fma)' or why the pure-wasm ones do. */
  kernels?: string;
  /** On webgpu: the adapter (GPU) the backend runs on. */
  adapter?: AdapterInfo;
  tf: typeof tf;
}

/** 'wasm + native conv kernels (avx2 fma)' or 'webgpu on nvidia ampere: …': what a run reports as its backend. */
export function describeBackend(info: BackendInfo): string {
  if (info.adapter !== undefined) return `${info.name} on ${describeAdapter(info.adapter)}`;
  return info.kernels === undefined ? info.name : `${info.name} + ${info.kernels}`;
}

function wasmKernelDescription(opts: InitBackendOptions): string {
  if (opts.wasmKernels?.native === false) return 'wasm conv kernels (native kernels off by option)';
  return loadNativeKernels(opts.env ?? process.env).description;
}

/** A backend that cannot be used as asked (not installed, failed to initialise, an unknown name). */
export class BackendError extends UserError {}

/** Sets the backend up; returns the adapter on webgpu. */
type Attempt = () => Promise<AdapterInfo | void>;

async function tryNode(pkg: '@tensorflow/tfjs-node' | '@tensorflow/tfjs-node-gpu'): Promise<void> {
  // A variable specifier keeps TypeScript from requiring the (possibly absent) package's types.
  const spec: string = pkg;
  await import(spec);
  if (!(await tf.setBackend('tensorflow'))) throw new Error(`${pkg} loaded but backend 'tensorflow' did not initialise`);
}

/** Directory of the tfjs-backend-wasm .wasm binaries, resolved through node_modules from this file. */
export function wasmBinaryDir(): string {
  const require = createRequire(import.meta.url);
  return require.resolve('@tensorflow/tfjs-backend-wasm/package.json').replace(/package\.json$/, 'dist/');
}

let wasmPathsSet = false;

async function tryWasm(opts: InitBackendOptions): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (!wasmPathsSet) {
    wasm.setWasmPaths(wasmBinaryDir());
    wasmPathsSet = true;
  }
  if (!(await tf.setBackend('wasm'))) throw new Error(`backend 'wasm' did not initialise`);
  registerWasmTrainingKernels(opts.wasmKernels, opts.env ?? process.env);
}

async function tryCpu(): Promise<void> {
  // The cpu backend greets Node users with a banner recommending tfjs-node; mlnc reports its backend itself.
  // backend_util.warn stays silent in production mode (tf.enableProdMode), which only also skips debug-mode checks.
  tf.enableProdMode();
  if (!(await tf.setBackend('cpu'))) throw new Error(`backend 'cpu' did not initialise`);
}

/**
 * In `auto`, webgpu counts only on a hardware adapter: a software (fallback) one such as lavapipe trains slower than
 * wasm, so it is used only when asked for by name.
 */
function attemptFor(kind: Exclude<BackendPreference, 'auto'>, opts: InitBackendOptions, auto: boolean): Attempt {
  switch (kind) {
    case 'webgpu':
      return () => initWebgpu({ requireHardware: auto });
    case 'node-gpu':
      return () => tryNode('@tensorflow/tfjs-node-gpu');
    case 'node':
      return () => tryNode('@tensorflow/tfjs-node');
    case 'wasm':
      return () => tryWasm(opts);
    case 'cpu':
      return tryCpu;
  }
}

function parsePreference(value: string, source: string): BackendPreference {
  if ((BACKEND_PREFERENCES as readonly string[]).includes(value)) return value as BackendPreference;
  throw new BackendError(`${source} '${value}' is not a backend; expected one of ${BACKEND_PREFERENCES.join(', ')}`);
}


let current: { preference: BackendPreference; info: BackendInfo } | undefined;

/**
 * Initialise a backend. The argument wins over env MLNC_BACKEND, which wins over 'auto'. 'auto' tries
 * node-gpu → node → webgpu (hardware adapter only) → wasm → cpu and silently skips what is unavailable; an explicit choice that cannot
 * load throws BackendError. Idempotent: a repeated call with the same preference returns the same result
 * (re-selecting the backend if someone switched it since).
 */
export async function initBackend(preference?: BackendPreference, opts: InitBackendOptions = {}): Promise<BackendInfo> {
  const envValue = (opts.env ?? process.env).MLNC_BACKEND;
  const pref =
    preference !== undefined
      ? parsePreference(preference, 'backend preference')
      : envValue !== undefined && envValue !== ''
        ? parsePreference(envValue, 'MLNC_BACKEND')
        : 'auto';
  if (current !== undefined && current.preference === pref && tf.getBackend() === current.info.name) {
    if (current.info.kind === 'wasm' && opts.wasmKernels !== undefined) {
      registerWasmTrainingKernels(opts.wasmKernels, opts.env ?? process.env);
      current.info.kernels = wasmKernelDescription(opts);
    }
    return current.info;
  }
  const kinds = pref === 'auto' ? BACKEND_PREFERENCES.filter((p): p is Exclude<BackendPreference, 'auto'> => p !== 'auto') : [pref];
  const failures: string[] = [];
  for (const kind of kinds) {
    try {
      const adapter = await attemptFor(kind, opts, pref === 'auto')();
      await tf.ready();
      const info: BackendInfo = { name: tf.getBackend(), kind, tf };
      if (kind === 'wasm') info.kernels = wasmKernelDescription(opts);
      if (adapter) info.adapter = adapter;
      current = { preference: pref, info };
      return info;
    } catch (err) {
      failures.push(`${kind}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
  }
  throw new BackendError(`no tfjs backend could be initialised for '${pref}' (${failures.join('; ')})`);
}
