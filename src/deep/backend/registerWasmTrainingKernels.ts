/**
 * Installs our training kernels on the tfjs wasm backend: Conv2DBackpropFilter (missing in tfjs-backend-wasm 4.22),
 * a faster Conv2DBackpropInput (XNNPACK conv / matmul instead of the stock loop), a tile-free FusedBatchNorm
 * gradient and a zero-copy Identity. (Tried and dropped: JS Sum/Mean over leading axes — the stock wasm ones
 * were as fast, ~1.9 ms for 64×32×32×16 over N, H, W.)
 */
import * as tf from '@tensorflow/tfjs';
import { makeConv2DBackpropFilterKernel } from './conv2dBackpropFilter.js';
import type { FilterGradRoute } from './conv2dBackpropFilter.js';
import { makeConv2DBackpropInputKernel } from './conv2dBackpropInput.js';
import type { InputGradRoute } from './conv2dBackpropInput.js';
import { fusedBatchNormGradConfig } from './batchNormGrad.js';
import { makeZeroCopyCastKernel, makeZeroCopyIdentityKernel } from './identity.js';
import { meanGradConfig, sumGradConfig } from './reduceGrads.js';
import { makeHeapTileKernel } from './tile.js';
import { loadNativeKernels } from './nativeKernels.js';
import type { NativeKernels } from './nativeKernels.js';
import {
  makeNativeConv2DBackpropFilterKernel,
  makeNativeConv2DBackpropInputKernel,
  makeNativeConv2DKernel,
} from './nativeConvKernels.js';
import { makeNativeBatchNormKernel, makeNativeReduceKernel } from './nativeChannelKernels.js';
import { setNativeBatchNormTraining } from './nativeBatchNormTraining.js';

export interface WasmKernelOptions {
  /** Run Conv2D, FusedConv2D, both conv gradients, Sum, Mean and FusedBatchNorm on the native addon when it is built (default true; also off
   *  with MLNC_NATIVE=0). The options below then only matter where the addon is missing. */
  native?: boolean;
  /** With `native`: also Sum, Mean, FusedBatchNorm and the fused training-mode BatchNorm (models/batchNorm.ts) on the
   *  addon (default true; false keeps only the convs native). */
  nativeChannelOps?: boolean;
  /** How dW is computed: 'conv' (transposed forward conv), 'im2col' (transposed patches · dy), 'grid' (stride 1,
   *  memcpy'd patches · dy), 'auto' (grid or im2col by shape, measured). */
  filterGradRoute?: FilterGradRoute;
  /** Replace the stock wasm Conv2DBackpropInput (default true). */
  fastInputGrad?: boolean;
  /** How our dx is computed: 'conv' (zero-stuffed dy ⊛ flipped filter), 'col2im' (dy · Wᵀ then scatter-add). */
  inputGradRoute?: InputGradRoute;
  /** Replace the FusedBatchNorm gradient (default true). */
  batchNormGrad?: boolean;
  /** Replace the copying wasm Identity (and same-dtype Cast) with buffer-sharing ones (default true). */
  zeroCopyIdentity?: boolean;
  /** Mean/Sum gradients by broadcasting (no full-size `ones`) and a block-copy wasm Tile (default true). */
  broadcastReduceGrads?: boolean;
}

// The stock configs, captured before we first replace any, so options can switch back (used by bench/kernels.ts).
const REPLACEABLE_KERNELS = ['Conv2D', 'FusedConv2D', 'Conv2DBackpropInput', 'Identity', 'Cast', 'Sum', 'Mean', 'FusedBatchNorm', 'Tile'] as const;
const REPLACEABLE_GRADIENTS = ['FusedBatchNorm', 'Mean', 'Sum'] as const;
type KernelName = (typeof REPLACEABLE_KERNELS)[number];
let stock: { kernels: Map<KernelName, tf.KernelConfig | undefined>; gradients: Map<string, tf.GradConfig | undefined> } | undefined;

function setKernel(kernelName: string, config: tf.KernelConfig | undefined): void {
  if (tf.getKernel(kernelName, 'wasm') !== undefined) tf.unregisterKernel(kernelName, 'wasm');
  if (config !== undefined) tf.registerKernel(config);
}

function stockKernel(name: KernelName): tf.KernelConfig | undefined {
  return stock?.kernels.get(name);
}

function restoreStock(...names: KernelName[]): void {
  for (const name of names) setKernel(name, stockKernel(name));
}

function setGradient(name: (typeof REPLACEABLE_GRADIENTS)[number], ours: tf.GradConfig, useOurs: boolean): void {
  const config = useOurs ? ours : stock?.gradients.get(name);
  if (config !== undefined) tf.registerGradient(config);
}

/** Registers `make(stock kernel)` under the stock kernel's name (our kernels fall back to the stock one). */
function wrapStock(name: KernelName, make: (stockFunc: tf.KernelFunc | undefined) => tf.KernelFunc): void {
  setKernel(name, { kernelName: name, backendName: 'wasm', kernelFunc: make(stockKernel(name)?.kernelFunc) });
}

function requireStock(name: string, f: tf.KernelFunc | undefined): tf.KernelFunc {
  if (f === undefined) throw new Error(`wasm kernel '${name}' is not registered`);
  return f;
}

/**
 * Idempotent; calling again with other options re-registers accordingly (the stock kernels come back when an option
 * is turned off). Returns the names of what is now replaced.
 */
export function registerWasmTrainingKernels(opts: WasmKernelOptions = {}, env: Record<string, string | undefined> = process.env): string[] {
  if (stock === undefined) {
    stock = {
      kernels: new Map(REPLACEABLE_KERNELS.map((k) => [k, tf.getKernel(k, 'wasm')])),
      gradients: new Map(REPLACEABLE_GRADIENTS.map((g) => [g, tf.getGradient(g)])),
    };
  }
  const native = (opts.native ?? true) ? loadNativeKernels(env).kernels : undefined;
  setNativeBatchNormTraining(native !== undefined && (opts.nativeChannelOps ?? true) ? native : undefined);
  if (native !== undefined) return registerNative(native, opts);
  restoreStock('Conv2D', 'FusedConv2D', 'Sum', 'Mean', 'FusedBatchNorm');
  const replaced = ['Conv2DBackpropFilter'];
  setKernel('Conv2DBackpropFilter', {
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: makeConv2DBackpropFilterKernel(opts.filterGradRoute ?? 'auto'),
  });
  if (opts.fastInputGrad ?? true) {
    setKernel('Conv2DBackpropInput', {
      kernelName: 'Conv2DBackpropInput',
      backendName: 'wasm',
      kernelFunc: makeConv2DBackpropInputKernel(opts.inputGradRoute ?? 'auto'),
    });
    replaced.push('Conv2DBackpropInput');
  } else {
    restoreStock('Conv2DBackpropInput');
  }
  return replaced.concat(registerCommon(opts));
}

function registerNative(native: NativeKernels, opts: WasmKernelOptions): string[] {
  wrapStock('Conv2D', (s) => makeNativeConv2DKernel(native, requireStock('Conv2D', s)));
  wrapStock('FusedConv2D', (s) => makeNativeConv2DKernel(native, requireStock('FusedConv2D', s)));
  const channelOps = opts.nativeChannelOps ?? true;
  if (channelOps) {
    wrapStock('Sum', (s) => makeNativeReduceKernel('Sum', native, requireStock('Sum', s)));
    wrapStock('Mean', (s) => makeNativeReduceKernel('Mean', native, requireStock('Mean', s)));
    wrapStock('FusedBatchNorm', (s) => makeNativeBatchNormKernel(native, requireStock('FusedBatchNorm', s)));
  } else {
    restoreStock('Sum', 'Mean', 'FusedBatchNorm');
  }
  setKernel('Conv2DBackpropInput', {
    kernelName: 'Conv2DBackpropInput',
    backendName: 'wasm',
    kernelFunc: makeNativeConv2DBackpropInputKernel(native),
  });
  setKernel('Conv2DBackpropFilter', {
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: makeNativeConv2DBackpropFilterKernel(native),
  });
  const names = ['Conv2D', 'FusedConv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', ...(channelOps ? ['Sum', 'Mean', 'FusedBatchNorm', 'BatchNorm training'] : [])].map((n) => `${n} (native)`);
  return names.concat(registerCommon(opts));
}

/** The kernels that do not depend on the native addon. */
function registerCommon(opts: WasmKernelOptions): string[] {
  const replaced: string[] = [];
  const bnGrad = opts.batchNormGrad ?? true;
  setGradient('FusedBatchNorm', fusedBatchNormGradConfig, bnGrad);
  if (bnGrad) replaced.push('FusedBatchNorm gradient');
  if (opts.zeroCopyIdentity ?? true) {
    wrapStock('Identity', (s) => makeZeroCopyIdentityKernel(s));
    wrapStock('Cast', (s) => makeZeroCopyCastKernel(s));
    replaced.push('Identity', 'Cast');
  } else {
    restoreStock('Identity', 'Cast');
  }
  const broadcast = opts.broadcastReduceGrads ?? true;
  setGradient('Mean', meanGradConfig, broadcast);
  setGradient('Sum', sumGradConfig, broadcast);
  if (broadcast) {
    wrapStock('Tile', (s) => makeHeapTileKernel(s));
    replaced.push('Mean gradient', 'Sum gradient', 'Tile');
  } else {
    restoreStock('Tile');
  }
  return replaced;
}
