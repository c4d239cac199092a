/**
 * Sum and Mean for the wasm backend when the reduced axes are a contiguous block followed by kept axes, e.g.
 * BatchNorm statistics over N, H, W of NHWC (outer 1, inner C) or global average pooling over H, W.
 * The stock wasm kernels first transpose the reduced axes innermost (tfjs-backend-wasm Sum/Mean call
 * permuteAxesAndTranspose), and its Transpose is slow; here one pass adds rows of `inner` values in place.
 * Anything else (innermost reductions, non-float32, gaps between axes) goes to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmBackendLike } from './wasmOps.js';

/** [outer, reduced, inner] sizes if `axes` are one contiguous block with kept axes after it, else undefined. */
export function contiguousReduction(shape: number[], axes: number[]): [number, number, number] | undefined {
  if (axes.length === 0) return undefined;
  const sorted = [...axes].sort((a, b) => a - b);
  for (let i = 1; i < sorted.length; i++) if (sorted[i] !== sorted[i - 1] + 1) return undefined;
  const lo = sorted[0];
  const hi = sorted[sorted.length - 1];
  const prod = (a: number, b: number): number => shape.slice(a, b).reduce((p, d) => p * d, 1);
  const inner = prod(hi + 1, shape.length);
  if (inner === 1) return undefined;
  return [prod(0, lo), prod(lo, hi + 1), inner];
}

function makeReduction(kind: 'Sum' | 'Mean', stock: tf.KernelFunc | undefined): tf.KernelFunc {
  return (args) => {
    const x = (args.inputs as { x: tf.TensorInfo }).x;
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    const axes = tf.util.parseAxisParam(axis, x.shape);
    const split = x.dtype === 'float32' ? contiguousReduction(x.shape, axes) : undefined;
    if (split === undefined || split[1] === 0) {
      if (stock === undefined) throw new Error(`wasm ${kind}: no stock kernel for this case`);
      return stock(args);
    }
    const [outer, red, inner] = split;
    const backend = args.backend as unknown as WasmBackendLike;
    const [outShape] = tf.backend_util.computeOutAndReduceShapes(x.shape, axes);
    const shape = keepDims ? tf.backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
    const out = backend.makeOutput(shape, 'float32');
    const src = backend.typedArrayFromHeap(x) as Float32Array; // after makeOutput: the heap may have grown
    const dst = backend.typedArrayFromHeap(out) as Float32Array;
    const acc = new Float64Array(inner); // double accumulation: `red` can be 10⁵ terms
    const scale = kind === 'Mean' ? 1 / red : 1;
    for (let o = 0; o < outer; o++) {
      acc.fill(0);
      let i = o * red * inner;
      for (let r = 0; r < red; r++) for (let k = 0; k < inner; k++) acc[k] += src[i++];
      for (let k = 0; k < inner; k++) dst[o * inner + k] = acc[k] * scale;
    }
    return out;
  };
}

export function makeSumKernel(stock: tf.KernelFunc | undefined): tf.KernelFunc {
  return makeReduction('Sum', stock);
}

export function makeMeanKernel(stock: tf.KernelFunc | undefined): tf.KernelFunc {
  return makeReduction('Mean', stock);
}
