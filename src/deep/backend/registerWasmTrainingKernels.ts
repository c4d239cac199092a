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

// The stock configs, captured before we first replace them, so options can switch back (used by bench/kernels.ts).
let stockInputGrad: tf.KernelConfig | undefined;
let stockBatchNormGrad: tf.GradConfig | undefined;
let stockIdentity: tf.KernelConfig | undefined;
let stockConv2D: tf.KernelConfig | undefined;
let stockCast: tf.KernelConfig | undefined;
let stockSum: tf.KernelConfig | undefined;
let stockMean: tf.KernelConfig | undefined;
let stockBatchNorm: tf.KernelConfig | undefined;
let stockTile: tf.KernelConfig | undefined;
let stockMeanGrad: tf.GradConfig | undefined;
let stockSumGrad: tf.GradConfig | undefined;
let stockFusedConv2D: tf.KernelConfig | undefined;
let captured = false;

function setKernel(kernelName: string, config: tf.KernelConfig | undefined): void {
  if (tf.getKernel(kernelName, 'wasm') !== undefined) tf.unregisterKernel(kernelName, 'wasm');
  if (config !== undefined) tf.registerKernel(config);
}

/**
 * Idempotent; calling again with other options re-registers accordingly (the stock kernels come back when an option
 * is turned off). Returns the names of what is now replaced.
 */
export function registerWasmTrainingKernels(opts: WasmKernelOptions = {}, env: Record<string, string | undefined> = process.env): string[] {
  if (!captured) {
    stockInputGrad = tf.getKernel('Conv2DBackpropInput', 'wasm');
    stockBatchNormGrad = tf.getGradient('FusedBatchNorm');
    stockIdentity = tf.getKernel('Identity', 'wasm');
    stockConv2D = tf.getKernel('Conv2D', 'wasm');
    stockFusedConv2D = tf.getKernel('FusedConv2D', 'wasm');
    stockCast = tf.getKernel('Cast', 'wasm');
    stockSum = tf.getKernel('Sum', 'wasm');
    stockMean = tf.getKernel('Mean', 'wasm');
    stockBatchNorm = tf.getKernel('FusedBatchNorm', 'wasm');
    stockTile = tf.getKernel('Tile', 'wasm');
    stockMeanGrad = tf.getGradient('Mean');
    stockSumGrad = tf.getGradient('Sum');
    captured = true;
  }
  const native = (opts.native ?? true) ? loadNativeKernels(env).kernels : undefined;
  setNativeBatchNormTraining(native !== undefined && (opts.nativeChannelOps ?? true) ? native : undefined);
  if (native !== undefined) return registerNative(native, opts);
  for (const [name, stock] of [['Conv2D', stockConv2D], ['FusedConv2D', stockFusedConv2D], ['Sum', stockSum], ['Mean', stockMean], ['FusedBatchNorm', stockBatchNorm]] as const) {
    setKernel(name, stock);
  }
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
    setKernel('Conv2DBackpropInput', stockInputGrad);
  }
  return replaced.concat(registerCommon(opts));
}

function registerNative(native: NonNullable<ReturnType<typeof loadNativeKernels>['kernels']>, opts: WasmKernelOptions): string[] {
  const withStock = (name: string, stock: tf.KernelConfig | undefined, make: (s: tf.KernelFunc) => tf.KernelFunc): void => {
    if (stock === undefined) throw new Error(`wasm kernel '${name}' is not registered`);
    setKernel(name, { kernelName: name, backendName: 'wasm', kernelFunc: make(stock.kernelFunc) });
  };
  withStock('Conv2D', stockConv2D, (s) => makeNativeConv2DKernel(native, s));
  withStock('FusedConv2D', stockFusedConv2D, (s) => makeNativeConv2DKernel(native, s));
  const channelOps = opts.nativeChannelOps ?? true;
  if (channelOps) {
    withStock('Sum', stockSum, (s) => makeNativeReduceKernel('Sum', native, s));
    withStock('Mean', stockMean, (s) => makeNativeReduceKernel('Mean', native, s));
    withStock('FusedBatchNorm', stockBatchNorm, (s) => makeNativeBatchNormKernel(native, s));
  } else {
    for (const [name, stock] of [['Sum', stockSum], ['Mean', stockMean], ['FusedBatchNorm', stockBatchNorm]] as const) setKernel(name, stock);
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
  if (opts.batchNormGrad ?? true) {
    tf.registerGradient(fusedBatchNormGradConfig);
    replaced.push('FusedBatchNorm gradient');
  } else if (stockBatchNormGrad !== undefined) {
    tf.registerGradient(stockBatchNormGrad);
  }
  if (opts.zeroCopyIdentity ?? true) {
    setKernel('Identity', {
      kernelName: 'Identity',
      backendName: 'wasm',
      kernelFunc: makeZeroCopyIdentityKernel(stockIdentity?.kernelFunc),
    });
    setKernel('Cast', { kernelName: 'Cast', backendName: 'wasm', kernelFunc: makeZeroCopyCastKernel(stockCast?.kernelFunc) });
    replaced.push('Identity', 'Cast');
  } else {
    setKernel('Identity', stockIdentity);
    setKernel('Cast', stockCast);
  }
  if (opts.broadcastReduceGrads ?? true) {
    tf.registerGradient(meanGradConfig);
    tf.registerGradient(sumGradConfig);
    setKernel('Tile', { kernelName: 'Tile', backendName: 'wasm', kernelFunc: makeHeapTileKernel(stockTile?.kernelFunc) });
    replaced.push('Mean gradient', 'Sum gradient', 'Tile');
  } else {
    if (stockMeanGrad !== undefined) tf.registerGradient(stockMeanGrad);
    if (stockSumGrad !== undefined) tf.registerGradient(stockSumGrad);
    setKernel('Tile', stockTile);
  }
  return replaced;
}
