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
import { makeZeroCopyIdentityKernel } from './identity.js';

export interface WasmKernelOptions {
  /** How dW is computed: 'conv' (transposed forward conv), 'im2col' (transposed patches · dy), 'grid' (stride 1,
   *  memcpy'd patches · dy), 'auto' (grid or im2col by shape, measured). */
  filterGradRoute?: FilterGradRoute;
  /** Replace the stock wasm Conv2DBackpropInput (default true). */
  fastInputGrad?: boolean;
  /** How our dx is computed: 'conv' (zero-stuffed dy ⊛ flipped filter), 'col2im' (dy · Wᵀ then scatter-add). */
  inputGradRoute?: InputGradRoute;
  /** Replace the FusedBatchNorm gradient (default true). */
  batchNormGrad?: boolean;
  /** Replace the copying wasm Identity with a buffer-sharing one (default true). */
  zeroCopyIdentity?: boolean;
}

// The stock configs, captured before we first replace them, so options can switch back (used by bench/kernels.ts).
let stockInputGrad: tf.KernelConfig | undefined;
let stockBatchNormGrad: tf.GradConfig | undefined;
let stockIdentity: tf.KernelConfig | undefined;
let captured = false;

function setKernel(kernelName: string, config: tf.KernelConfig | undefined): void {
  if (tf.getKernel(kernelName, 'wasm') !== undefined) tf.unregisterKernel(kernelName, 'wasm');
  if (config !== undefined) tf.registerKernel(config);
}

/**
 * Idempotent; calling again with other options re-registers accordingly (the stock kernels come back when an option
 * is turned off). Returns the names of what is now replaced.
 */
export function registerWasmTrainingKernels(opts: WasmKernelOptions = {}): string[] {
  if (!captured) {
    stockInputGrad = tf.getKernel('Conv2DBackpropInput', 'wasm');
    stockBatchNormGrad = tf.getGradient('FusedBatchNorm');
    stockIdentity = tf.getKernel('Identity', 'wasm');
    captured = true;
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
    replaced.push('Identity');
  } else {
    setKernel('Identity', stockIdentity);
  }
  return replaced;
}
