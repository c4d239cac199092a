/**
 * Thin wrappers that call the wasm backend's own registered kernels from inside our kernels.
 *
 * Our training kernels are compositions of existing wasm kernels (XNNPACK Conv2D, Transpose, Slice, ...).
 * Calling the kernel functions directly — as the wasm backend does internally — avoids the engine (no tape,
 * no tensor tracking), so every intermediate must be released with `release`.
 */
import * as tf from '@tensorflow/tfjs';

type TensorInfo = tf.TensorInfo;
type NamedAttrMap = tf.NamedAttrMap;

/** The slice of the wasm backend's API that our kernels use (BackendWasm in tfjs-backend-wasm). */
export interface WasmBackendLike {
  disposeData(dataId: object, force?: boolean): boolean;
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** A float32 tensor's values as a view of the wasm heap (no copy). Take views after every makeOutput of the kernel:
 *  allocating may grow, and so detach, the wasm memory. */
export function heapF32(backend: WasmBackendLike, t: TensorInfo): Float32Array {
  const a = backend.typedArrayFromHeap(t);
  if (!(a instanceof Float32Array)) throw new Error(`expected a float32 tensor, got ${t.dtype}`);
  return a;
}

export function runWasmKernel(
  kernelName: string,
  inputs: Record<string, TensorInfo>,
  attrs: NamedAttrMap,
  backend: WasmBackendLike,
): TensorInfo {
  const kernel = tf.getKernel(kernelName, 'wasm');
  if (kernel === undefined) throw new Error(`wasm kernel '${kernelName}' is not registered`);
  const out = kernel.kernelFunc({ inputs, attrs, backend: backend as unknown as tf.KernelBackend });
  if (Array.isArray(out)) throw new Error(`wasm kernel '${kernelName}' returned several outputs; expected one`);
  return out;
}

export function release(backend: WasmBackendLike, ...infos: TensorInfo[]): void {
  for (const t of infos) backend.disposeData(t.dataId);
}

export function transpose(backend: WasmBackendLike, x: TensorInfo, perm: number[]): TensorInfo {
  return runWasmKernel('Transpose', { x }, { perm }, backend);
}

export function reshape(backend: WasmBackendLike, x: TensorInfo, shape: number[]): TensorInfo {
  return runWasmKernel('Reshape', { x }, { shape }, backend);
}

export function slice(backend: WasmBackendLike, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  return runWasmKernel('Slice', { x }, { begin, size }, backend);
}

/** Forward NHWC conv on XNNPACK; `padding` is explicit [[top, bottom], [left, right]]. */
export function conv2d(
  backend: WasmBackendLike,
  x: TensorInfo,
  filter: TensorInfo,
  strides: [number, number],
  dilations: [number, number],
  padding: [[number, number], [number, number]],
): TensorInfo {
  const explicitPad = [[0, 0], padding[0], padding[1], [0, 0]];
  return runWasmKernel(
    'Conv2D',
    { x, filter },
    { strides, dilations, pad: explicitPad as unknown as string, dataFormat: 'NHWC', dimRoundingMode: null as unknown as string },
    backend,
  );
}

export function matMul(
  backend: WasmBackendLike,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): TensorInfo {
  return runWasmKernel('BatchMatMul', { a, b }, { transposeA, transposeB }, backend);
}
