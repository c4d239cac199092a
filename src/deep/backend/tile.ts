/**
 * Tile for the tfjs wasm backend as block copies on the heap (tf.broadcastTo runs the Tile kernel).
 *
 * The stock wasm Tile walks the output element by element; a training step broadcasts per-channel vectors to full
 * activations many times (the Mean/Sum gradients in reduceGrads.ts). Here every innermost row is copied once and then
 * replicated with copyWithin, which is a memmove, doubling nothing by hand. Any dtype, any rank.
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmBackendLike } from './wasmOps.js';

/** out[…, r·s[d] + i, …] = x[…, i, …] for every rep r along every axis d; out and x are flat row-major arrays. */
export function tileInto(x: ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> }, shape: number[], reps: number[], out: {
  set(a: ArrayLike<number>, offset: number): void;
  copyWithin(target: number, start: number, end: number): unknown;
}): void {
  const rank = shape.length;
  if (rank === 0) {
    out.set(x.subarray(0, 1), 0);
    return;
  }
  const outShape = shape.map((s, d) => s * reps[d]);
  const inStride = new Array<number>(rank).fill(1);
  const outStride = new Array<number>(rank).fill(1);
  for (let d = rank - 2; d >= 0; d--) {
    inStride[d] = inStride[d + 1] * shape[d + 1];
    outStride[d] = outStride[d + 1] * outShape[d + 1];
  }
  const fill = (d: number, src: number, dst: number): void => {
    if (d === rank - 1) {
      out.set(x.subarray(src, src + shape[d]), dst);
    } else {
      for (let i = 0; i < shape[d]; i++) fill(d + 1, src + i * inStride[d], dst + i * outStride[d]);
    }
    // Replicate the block just written along axis d.
    const block = shape[d] * outStride[d];
    for (let r = 1; r < reps[d]; r++) out.copyWithin(dst + r * block, dst, dst + block);
  };
  if (outShape.every((s) => s > 0)) fill(0, 0, 0);
}

export function makeHeapTileKernel(stock: tf.KernelFunc | undefined): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { x } = inputs as { x: tf.TensorInfo };
    if (x.dtype === 'string') {
      if (stock === undefined) throw new Error('wasm Tile: no stock kernel for string tensors');
      return stock(args);
    }
    const reps = (attrs as { reps: number[] }).reps;
    const b = backend as unknown as WasmBackendLike;
    const out = b.makeOutput(x.shape.map((s, d) => s * reps[d]), x.dtype);
    // Views after makeOutput: allocating may grow (and so detach) the wasm memory.
    tileInto(b.typedArrayFromHeap(x), x.shape, reps, b.typedArrayFromHeap(out));
    return out;
  };
}
