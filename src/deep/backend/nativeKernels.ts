/**
 * Loads mlnc's native conv kernels (build/native/mlnc_kernels.node, built by native/build.mjs during `npm ci`).
 *
 * Why native: a training step of the reference net is ≈ 52 M multiply-adds per image, and the wasm backend's
 * 128-bit SIMD without FMA sustains a few GMAC/s per core; the addon's GEMM uses the CPU's FMA units (AVX2 or
 * AVX-512, 20–40 GMAC/s per core here). The addon is optional: when it was not built (no compiler, no Node headers),
 * fails to load, or MLNC_NATIVE=0 is set, mlnc says why and uses its pure-wasm kernels.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from '../../io/packageRoot.js';

/** The addon's functions (native/mlnc_kernels.cc). Tensors are Float32Arrays, geometry an Int32Array (see convGeometry.ts). */
export interface NativeKernels {
  conv2d(x: Float32Array, w: Float32Array, bias: Float32Array | null, activation: 0 | 1, out: Float32Array, geometry: Int32Array): void;
  conv2dBackpropInput(dy: Float32Array, w: Float32Array, dx: Float32Array, geometry: Int32Array): void;
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, geometry: Int32Array): void;
  matMul(a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number, transA: boolean, transB: boolean): void;
  sumMiddle(x: Float32Array, out: Float32Array, outer: number, reduced: number, inner: number, scale: number): void;
  channelAffine(x: Float32Array, a: Float32Array, b: Float32Array, y: Float32Array): void;
  batchNormTrain(x: Float32Array, gamma: Float32Array, beta: Float32Array, eps: number, y: Float32Array, mean: Float32Array, variance: Float32Array): void;
  batchNormTrainGrad(
    x: Float32Array, dy: Float32Array, gamma: Float32Array, mean: Float32Array, variance: Float32Array, eps: number,
    dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array,
  ): void;
  /** The geometry fields in the order the conv functions read them (native/conv.h's MLNC_CONV_GEOMETRY_FIELDS). */
  convGeometryFields(): string[];
  /** Instruction sets the addon was compiled for, e.g. 'avx512f avx2 fma'. */
  features(): string;
}

const NATIVE_FUNCTIONS = ['conv2d', 'conv2dBackpropInput', 'conv2dBackpropFilter', 'matMul', 'sumMiddle', 'channelAffine', 'batchNormTrain', 'batchNormTrainGrad', 'convGeometryFields', 'features'] as const;

export interface NativeKernelStatus {
  kernels?: NativeKernels;
  /** One line for run reports: 'native conv kernels (avx2 fma)' or why they are not used. */
  description: string;
}

export function nativeAddonPath(): string | undefined {
  const root = packageRoot();
  return root === undefined ? undefined : join(root, 'build', 'native', 'mlnc_kernels.node');
}

let cached: NativeKernelStatus | undefined;

/**
 * The addon, or why not. MLNC_NATIVE=0 turns it off (read on every call; the loaded addon itself is cached).
 */
export function loadNativeKernels(env: Record<string, string | undefined> = process.env): NativeKernelStatus {
  if (env.MLNC_NATIVE === '0') return { description: 'wasm conv kernels (native kernels off: MLNC_NATIVE=0)' };
  if (cached !== undefined) return cached;
  const path = nativeAddonPath();
  if (path === undefined || !existsSync(path)) {
    cached = { description: 'wasm conv kernels (native kernels not built: run `npm run build:native` to see why)' };
    return cached;
  }
  try {
    const kernels = createRequire(import.meta.url)(path) as NativeKernels;
    const missing = NATIVE_FUNCTIONS.filter((f) => typeof kernels[f] !== 'function');
    if (missing.length > 0) {
      cached = { description: `wasm conv kernels (native addon is stale, it lacks ${missing.join(', ')}: run \`npm run build\`)` };
      return cached;
    }
    cached = { kernels, description: `native conv kernels (${kernels.features()})` };
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    cached = { description: `wasm conv kernels (native kernels failed to load: ${why})` };
  }
  return cached;
}
