/**
 * tfjs wasm kernels for Sum, Mean and FusedBatchNorm on mlnc's native addon (native/channelOps.h).
 *
 * The stock wasm Sum/Mean transpose the whole input whenever the reduced axes are not the innermost ones, which is
 * every BatchNorm statistic (axes N, H, W of NHWC) and global average pooling (H, W). Reducing a contiguous run of
 * axes needs no transpose: view x as [O, R, C] with R the run, and sum over R. Other axis sets, non-float32 data
 * and FusedBatchNorm with per-element statistics go to the stock kernels.
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeKernels } from './nativeKernels.js';
import { heapF32 } from './wasmOps.js';
import type { WasmBackendLike } from './wasmOps.js';

type TensorInfo = tf.TensorInfo;

/** [O, R, C] for reducing `axes` of `shape`, or undefined when the axes are not one contiguous run. */
export function contiguousReduction(shape: number[], axes: number[]): [number, number, number] | undefined {
  if (axes.length === 0) return undefined;
  const sorted = [...axes].sort((a, b) => a - b);
  for (let i = 1; i < sorted.length; i++) if (sorted[i] !== sorted[i - 1] + 1) return undefined;
  const lo = sorted[0];
  const hi = sorted[sorted.length - 1];
  const prod = (a: number, b: number) => shape.slice(a, b).reduce((p, s) => p * s, 1);
  return [prod(0, lo), prod(lo, hi + 1), prod(hi + 1, shape.length)];
}

export function makeNativeReduceKernel(kind: 'Sum' | 'Mean', native: NativeKernels, stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    const axes = tf.util.parseAxisParam(axis, x.shape);
    const view = x.dtype === 'float32' ? contiguousReduction(x.shape, axes) : undefined;
    const empty = x.dtype === 'float32' && tf.util.sizeFromShape(x.shape) === 0;
    if (view === undefined && !empty) return stock(args);
    const [outShape] = tf.backend_util.computeOutAndReduceShapes(x.shape, axes);
    const shape = keepDims ? tf.backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
    const b = args.backend as unknown as WasmBackendLike;
    const out = b.makeOutput(shape, 'float32');
    if (empty || view === undefined) {
      // The stock kernels divide by zero on empty inputs; the cpu backend returns 0 for an empty sum and mean alike.
      heapF32(b, out).fill(0);
      return out;
    }
    // Views after makeOutput: allocating may grow (and so detach) the wasm memory.
    const scale = kind === 'Mean' ? 1 / view[1] : 1;
    native.sumMiddle(heapF32(b, x), heapF32(b, out), view[0], view[1], view[2], scale);
    return out;
  };
}

/** y = (x − μ)·γ/√(σ² + ε) + β with one μ, σ², γ, β per channel (last axis), as y = x·a + b. */
export function makeNativeBatchNormKernel(native: NativeKernels, stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x, mean, variance, offset, scale } = args.inputs as Record<string, TensorInfo | undefined>;
    if (x === undefined || mean === undefined || variance === undefined) return stock(args);
    const c = x.shape[x.shape.length - 1];
    const perChannel = (t: TensorInfo | undefined) => t === undefined || (t.dtype === 'float32' && tf.util.sizeFromShape(t.shape) === c);
    if (x.dtype !== 'float32' || x.shape.length === 0 || ![mean, variance, offset, scale].every(perChannel) || tf.util.sizeFromShape(x.shape) === 0) {
      return stock(args);
    }
    const eps = (args.attrs as { varianceEpsilon: number }).varianceEpsilon;
    const b = args.backend as unknown as WasmBackendLike;
    const mu = heapF32(b, mean);
    const v = heapF32(b, variance);
    const g = scale === undefined ? undefined : heapF32(b, scale);
    const beta = offset === undefined ? undefined : heapF32(b, offset);
    const a = new Float32Array(c);
    const shift = new Float32Array(c);
    for (let i = 0; i < c; i++) {
      a[i] = (g === undefined ? 1 : g[i]) / Math.sqrt(v[i] + eps);
      shift[i] = (beta === undefined ? 0 : beta[i]) - mu[i] * a[i];
    }
    const out = b.makeOutput(x.shape, 'float32');
    native.channelAffine(heapF32(b, x), a, shift, heapF32(b, out));
    return out;
  };
}
