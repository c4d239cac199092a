/**
 * tfjs wasm kernels (Conv2D, FusedConv2D, Conv2DBackpropInput, Conv2DBackpropFilter) that run mlnc's native
 * im2col + FMA GEMM (native/conv.h) directly on the wasm heap: the tensors' heap views are handed to the addon,
 * so nothing is copied. Cases the addon does not cover (dilation > 1, NCHW, prelu/elu/… activations, a bias that
 * is not one value per output channel, non-float32 data) go to the stock wasm kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { convGeometry, geometryArray } from './convGeometry.js';
import { emptyConv, zerosOutput } from './emptyConv.js';
import type { NativeKernels } from './nativeKernels.js';
import { heapF32 as heap } from './wasmOps.js';
import type { WasmBackendLike } from './wasmOps.js';

type TensorInfo = tf.TensorInfo;

function unitDilation(d: unknown): boolean {
  if (d === undefined || d === null) return true;
  if (typeof d === 'number') return d === 1;
  return Array.isArray(d) && d.every((v) => v === 1);
}

function channelsLast(f: unknown): boolean {
  return f === undefined || f === null || f === 'NHWC' || f === 'channelsLast';
}

/** Conv2D and FusedConv2D (bias + linear/relu) forward; `stock` is the wasm backend's own kernel for the rest. */
export function makeNativeConv2DKernel(native: NativeKernels, stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
    const a = args.attrs as tf.NamedAttrMap;
    const activation = (a.activation as string | undefined) ?? 'linear';
    const supported =
      x !== undefined &&
      filter !== undefined &&
      x.dtype === 'float32' &&
      filter.dtype === 'float32' &&
      preluActivationWeights === undefined &&
      (activation === 'linear' || activation === 'relu') &&
      unitDilation(a.dilations) &&
      channelsLast(a.dataFormat) &&
      (bias === undefined || (bias.dtype === 'float32' && tf.util.sizeFromShape(bias.shape) === filter.shape[3])) &&
      tf.util.sizeFromShape(x.shape) * tf.util.sizeFromShape(filter.shape) > 0; // empty tensors: the stock kernel
    if (!supported || x === undefined || filter === undefined) return stock(args);
    const b = args.backend as unknown as WasmBackendLike;
    const g = convGeometry(x.shape, filter.shape, a.strides as [number, number], a.pad, a.dimRoundingMode, a.dataFormat);
    const out = b.makeOutput([g.batch, g.outH, g.outW, g.outC], 'float32');
    // Views after makeOutput: allocating may grow (and so detach) the wasm memory.
    native.conv2d(heap(b, x), heap(b, filter), bias === undefined ? null : heap(b, bias), activation === 'relu' ? 1 : 0, heap(b, out), geometryArray(g));
    return out;
  };
}

export function makeNativeConv2DBackpropInputKernel(native: NativeKernels): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const a = attrs as tf.NamedAttrMap;
    const g = convGeometry(a.inputShape as number[], filter.shape, a.strides as [number, number], a.pad, a.dimRoundingMode, a.dataFormat);
    const b = backend as unknown as WasmBackendLike;
    if (emptyConv(g)) return zerosOutput(b, [g.batch, g.inH, g.inW, g.inC]);
    const dx = b.makeOutput([g.batch, g.inH, g.inW, g.inC], 'float32');
    native.conv2dBackpropInput(heap(b, dy), heap(b, filter), heap(b, dx), geometryArray(g));
    return dx;
  };
}

export function makeNativeConv2DBackpropFilterKernel(native: NativeKernels): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const a = attrs as tf.NamedAttrMap;
    const g = convGeometry(x.shape, a.filterShape as number[], a.strides as [number, number], a.pad, a.dimRoundingMode, a.dataFormat);
    const b = backend as unknown as WasmBackendLike;
    if (emptyConv(g)) return zerosOutput(b, [g.fH, g.fW, g.inC, g.outC]);
    const dw = b.makeOutput([g.fH, g.fW, g.inC, g.outC], 'float32');
    native.conv2dBackpropFilter(heap(b, x), heap(b, dy), heap(b, dw), geometryArray(g));
    return dw;
  };
}
