/**
 * The tfjs WebGPU backend in Node, through Dawn (npm `webgpu`) on the machine's Vulkan driver.
 *
 * Both packages are optional dependencies with caught imports, like tfjs-node. Set-up order matters
 * (issue 15): Dawn's globals into globalThis, then `navigator.gpu = create([])`, and only then the import of
 * `@tensorflow/tfjs-backend-webgpu`, which registers its backend only if `navigator.gpu` already exists.
 *
 * Before Dawn is loaded into this process, a child process asks for an adapter: a missing Vulkan loader or a driver
 * Dawn rejects then costs one line (the child's Dawn warnings are condensed into the reason) instead of multi-line
 * native warnings, and a driver that crashes takes only the child down.
 *
 * On webgpu, dataSync() and arraySync() throw in Node ("OffscreenCanvas is not defined"): every read that training
 * and evaluation do is `await tensor.data()`.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { registerWebgpuFilterGrad } from './webgpuFilterGrad.js';

/** The WebGPU adapter a run used, as Dawn describes it (GPUAdapterInfo). */
export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A fallback adapter: Dawn's name for a CPU implementation such as Mesa's lavapipe or SwiftShader. */
  fallback: boolean;
}

/** A WebGPU adapter that cannot be used; the message is one line that says why. */
export class WebgpuUnavailableError extends Error {
  override readonly name = 'WebgpuUnavailableError';
}

/** A CPU implementation of Vulkan: usable for correctness checks, far too slow to train on. */
export function isSoftwareAdapter(a: AdapterInfo): boolean {
  return a.fallback || a.architecture === 'software' || /llvmpipe|lavapipe|swiftshader/i.test(`${a.device} ${a.description}`);
}

/** 'nvidia ampere: NVIDIA GeForce RTX 3090' or 'mesa software: llvmpipe … (software fallback adapter)'. */
export function describeAdapter(a: AdapterInfo): string {
  const name = a.description || a.device || 'unnamed adapter';
  const kind = [a.vendor, a.architecture].filter((s) => s !== '').join(' ');
  return `${kind ? `${kind}: ` : ''}${name}${isSoftwareAdapter(a) ? ' (software fallback adapter)' : ''}`;
}

const require = createRequire(import.meta.url);

function resolvePackage(pkg: string): string | undefined {
  try {
    return require.resolve(pkg);
  } catch {
    return undefined;
  }
}

/**
 * Where the Vulkan loader looks for driver manifests on Linux (the loader's documented search path). A machine with
 * none of them has no Vulkan driver, and `auto` skips webgpu without starting Dawn at all.
 */
function vulkanManifestPresent(env: NodeJS.ProcessEnv): boolean {
  if (env.VK_ICD_FILENAMES || env.VK_DRIVER_FILES || env.VK_ADD_DRIVER_FILES) return true;
  const dataDirs = (env.XDG_DATA_DIRS || '/usr/local/share:/usr/share').split(':');
  const configDirs = (env.XDG_CONFIG_DIRS || '/etc/xdg').split(':');
  const dirs = [...configDirs, '/etc', ...dataDirs].map((d) => join(d, 'vulkan', 'icd.d'));
  if (env.HOME) dirs.push(join(env.HOME, '.local/share/vulkan/icd.d'));
  return dirs.some((d) => existsSync(d) && readdirSync(d).some((f) => f.endsWith('.json')));
}

/** Runs in the child: asks Dawn for the adapter tfjs-backend-webgpu would get and prints its info as JSON. */
const PROBE = `
const { create, globals } = await import(process.argv[1]);
Object.assign(globalThis, globals);
const a = await create([]).requestAdapter({ powerPreference: 'high-performance' });
const i = a && a.info;
process.stdout.write(JSON.stringify(i ? { vendor: i.vendor, architecture: i.architecture, device: i.device,
  description: i.description, fallback: !!(i.isFallbackAdapter ?? a.isFallbackAdapter) } : null));
process.exit(0);
`;

/** The first line of Dawn's own explanation in the child's stderr, e.g. "Couldn't load Vulkan: libvulkan.so.1: …". */
function dawnReason(stderr: string): string | undefined {
  const lines = stderr.split('\n').map((l) => l.replace(/^(Warning|Error):\s*/, '').trim());
  return lines.find((l) => l !== '' && !/artificially reduced|^at /.test(l));
}

const PROBE_TIMEOUT_MS = 60_000;

/**
 * Which adapter Dawn offers on this machine, asked in a child process. Throws WebgpuUnavailableError with a one-line
 * reason when the packages are missing, the machine has no Vulkan driver or Dawn finds no adapter.
 */
export async function probeAdapter(env: NodeJS.ProcessEnv = process.env): Promise<AdapterInfo> {
  const dawn = resolvePackage('webgpu');
  if (dawn === undefined) throw new WebgpuUnavailableError("the optional package 'webgpu' (Dawn) is not installed");
  if (resolvePackage('@tensorflow/tfjs-backend-webgpu') === undefined) {
    throw new WebgpuUnavailableError("the optional package '@tensorflow/tfjs-backend-webgpu' is not installed");
  }
  if (process.platform === 'linux' && !vulkanManifestPresent(env)) {
    throw new WebgpuUnavailableError('no Vulkan driver on this machine (no ICD manifest in the Vulkan loader\'s search path, VK_ICD_FILENAMES unset)');
  }
  const { stdout, stderr, failure } = await new Promise<{ stdout: string; stderr: string; failure?: string }>((done) => {
    execFile(
      process.execPath, ['--input-type=module', '-e', PROBE, pathToFileURL(dawn).href],
      { env, timeout: PROBE_TIMEOUT_MS, maxBuffer: 1 << 20 },
      (err, out, errOut) => done({ stdout: out, stderr: errOut, failure: err ? (err.signal ? `killed by ${err.signal}` : `exit code ${String(err.code)}`) : undefined }),
    );
  });
  let adapter: AdapterInfo | null = null;
  try {
    adapter = failure === undefined ? (JSON.parse(stdout) as AdapterInfo | null) : null;
  } catch {
    adapter = null;
  }
  if (adapter === null) {
    const why = dawnReason(stderr) ?? (failure ? `the adapter probe failed (${failure})` : 'Dawn offers none');
    throw new WebgpuUnavailableError(`no WebGPU adapter: ${why}`);
  }
  return adapter;
}

interface DawnModule {
  create(options: string[]): unknown;
  globals: Record<string, unknown>;
}

let dawnReady = false;

/**
 * Dawn into this process and tfjs-backend-webgpu registered, in the order the backend needs (see the file comment),
 * with mlnc's Conv2DBackpropFilter in place of the stock one (webgpuFilterGrad.ts).
 */
async function loadDawn(): Promise<void> {
  if (dawnReady) return;
  // Variable specifiers keep TypeScript from requiring the optional packages' types.
  const dawnSpec: string = 'webgpu';
  const backendSpec: string = '@tensorflow/tfjs-backend-webgpu';
  const dawn = (await import(dawnSpec)) as DawnModule;
  Object.assign(globalThis, dawn.globals);
  const g = globalThis as { navigator?: { gpu?: unknown } };
  g.navigator ??= {};
  g.navigator.gpu = dawn.create([]);
  await import(backendSpec);
  registerWebgpuFilterGrad();
  dawnReady = true;
}

export interface WebgpuOptions {
  /** Refuse a software (fallback) adapter: what `auto` asks, since such an adapter is slower than wasm. */
  requireHardware: boolean;
  /** The environment of the adapter probe (default: this process's, whose answer is then asked for only once). */
  env?: NodeJS.ProcessEnv;
}

let probed: Promise<AdapterInfo> | undefined;

/**
 * Makes 'webgpu' the active tfjs backend and returns its adapter. Throws WebgpuUnavailableError (one line) when no
 * adapter is there, or when `requireHardware` and the only adapter is a software one.
 */
export async function initWebgpu(opts: WebgpuOptions): Promise<AdapterInfo> {
  let adapter: AdapterInfo;
  if (opts.env !== undefined) {
    adapter = await probeAdapter(opts.env);
  } else {
    probed ??= probeAdapter(process.env);
    adapter = await probed;
  }
  if (opts.requireHardware && isSoftwareAdapter(adapter)) {
    throw new WebgpuUnavailableError(`only a software adapter (${describeAdapter(adapter)}); ask for it with --backend webgpu`);
  }
  await loadDawn();
  if (!(await tf.setBackend('webgpu'))) throw new WebgpuUnavailableError(`the tfjs webgpu backend did not initialise on ${describeAdapter(adapter)}`);
  // The adapter behind the device tfjs created (it asks with the same options as the probe, so this is a check).
  const used = (tf.backend() as { device?: { adapterInfo?: GpuAdapterInfoLike } }).device?.adapterInfo;
  return used ? adapterInfoOf(used) : adapter;
}

interface GpuAdapterInfoLike {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter?: boolean;
}

function adapterInfoOf(i: GpuAdapterInfoLike): AdapterInfo {
  return { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description, fallback: i.isFallbackAdapter === true };
}
