/**
 * Convolutions with nothing to multiply (an empty batch, an empty output grid, no input channels): their gradients are
 * zero-filled tensors. The matmul-based kernels must not run on them: XNNPACK does nothing for M = 0 and the output
 * would keep whatever the wasm heap held, and the native addon rejects zero sizes.
 */
import type * as tf from '@tensorflow/tfjs';
import type { ConvGeometry } from './convGeometry.js';
import { heapF32 } from './wasmOps.js';
import type { WasmBackendLike } from './wasmOps.js';

export function emptyConv(g: ConvGeometry): boolean {
  return g.batch * g.outH * g.outW * g.outC * g.inC * g.inH * g.inW === 0;
}

export function zerosOutput(backend: WasmBackendLike, shape: number[]): tf.TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  heapF32(backend, out).fill(0);
  return out;
}
