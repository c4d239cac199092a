/**
 * Conv2DBackpropFilter for the tfjs wasm backend (which has none), built from XNNPACK kernels.
 *
 *   dW[r, s, ci, co] = Σ_{n, y, x} xPad[n, y·sh + r, x·sw + s, ci] · dy[n, y, x, co]
 *
 * Two routes, both exact up to float32 rounding:
 *  - 'conv':   the sum above is itself a forward conv: input x transposed to [Ci, H, W, N] (ci acts as the batch,
 *              n as the channel), filter dy transposed to [OH, OW, N, Co], stride 1, dilation = the forward stride,
 *              output [Ci, R, S, Co] → transpose to [R, S, Ci, Co].
 *  - 'im2col': for each filter tap (r, s) one matmul of the strided window of x, as [N·OH·OW, Ci]ᵀ, with
 *              dy as [N·OH·OW, Co]; the R·S results are concatenated.
 */
import * as tf from '@tensorflow/tfjs';
import * as ops from './wasmOps.js';
import type { WasmBackendLike } from './wasmOps.js';

type TensorInfo = tf.TensorInfo;

export type FilterGradRoute = 'conv' | 'im2col' | 'auto';

export interface ConvGeometry {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  fH: number;
  fW: number;
  sH: number;
  sW: number;
  padTop: number;
  padLeft: number;
}

/** Shapes and padding of a dilation-1 NHWC conv, via tfjs's own conv-info helper (same 'same'/'valid' rules). */
export function convGeometry(
  xShape: number[],
  filterShape: number[],
  strides: number | [number, number],
  pad: tf.NamedAttrMap[string],
  dimRoundingMode: tf.NamedAttrMap[string],
  dataFormat: tf.NamedAttrMap[string],
): ConvGeometry {
  if (dataFormat !== undefined && dataFormat !== null && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new Error(`wasm conv gradient kernels support only NHWC data, got dataFormat '${String(dataFormat)}'`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    pad as 'same' | 'valid' | number,
    (dimRoundingMode ?? undefined) as 'floor' | 'round' | 'ceil' | undefined,
    false,
    'channelsLast',
  );
  return {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    fH: info.filterHeight,
    fW: info.filterWidth,
    sH: info.strideHeight,
    sW: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

export function filterGradViaConv(backend: WasmBackendLike, x: TensorInfo, dy: TensorInfo, g: ConvGeometry): TensorInfo {
  const xT = ops.transpose(backend, x, [3, 1, 2, 0]); // [Ci, H, W, N]
  const dyT = ops.transpose(backend, dy, [1, 2, 0, 3]); // [OH, OW, N, Co]
  // Pad so the output is exactly R × S; where 'valid' leaves unused input rows the bottom pad would be negative:
  // pad 0 then and crop the (few) extra output rows.
  const padBottom = g.fH + (g.outH - 1) * g.sH - g.inH - g.padTop;
  const padRight = g.fW + (g.outW - 1) * g.sW - g.inW - g.padLeft;
  const out = ops.conv2d(backend, xT, dyT, [1, 1], [g.sH, g.sW], [
    [g.padTop, Math.max(0, padBottom)],
    [g.padLeft, Math.max(0, padRight)],
  ]); // [Ci, R', S', Co]
  ops.release(backend, xT, dyT);
  let cropped = out;
  if (padBottom < 0 || padRight < 0) {
    cropped = ops.slice(backend, out, [0, 0, 0, 0], [g.inC, g.fH, g.fW, g.outC]);
    ops.release(backend, out);
  }
  const dW = ops.transpose(backend, cropped, [1, 2, 0, 3]);
  ops.release(backend, cropped);
  return dW;
}

export function filterGradViaIm2col(backend: WasmBackendLike, x: TensorInfo, dy: TensorInfo, g: ConvGeometry): TensorInfo {
  const m = g.batch * g.outH * g.outW;
  const dy2 = ops.reshape(backend, dy, [1, m, g.outC]);
  // Pad x once (zero rows/cols the window may touch), then every tap is a strided window of it.
  const needH = (g.outH - 1) * g.sH + g.fH;
  const needW = (g.outW - 1) * g.sW + g.fW;
  const padBottom = Math.max(0, needH - g.inH - g.padTop);
  const padRight = Math.max(0, needW - g.inW - g.padLeft);
  const padded = g.padTop + padBottom + g.padLeft + padRight > 0;
  const xp = padded
    ? ops.pad(backend, x, [
        [0, 0],
        [g.padTop, padBottom],
        [g.padLeft, padRight],
        [0, 0],
      ])
    : x;
  const taps: TensorInfo[] = [];
  for (let r = 0; r < g.fH; r++) {
    for (let s = 0; s < g.fW; s++) {
      const window = stridedWindow(backend, xp, g, r, s);
      const w2 = ops.reshape(backend, window, [1, m, g.inC]);
      taps.push(ops.matMul(backend, w2, dy2, true, false)); // [1, Ci, Co]
      ops.release(backend, w2, window);
    }
  }
  if (padded) ops.release(backend, xp);
  ops.release(backend, dy2);
  const stacked = taps.length === 1 ? taps[0] : ops.concat(backend, taps, 0);
  if (taps.length > 1) ops.release(backend, ...taps);
  const dW = ops.reshape(backend, stacked, [g.fH, g.fW, g.inC, g.outC]);
  ops.release(backend, stacked);
  return dW;
}

/** x[n, y·sh + r, x·sw + s, c] for y < OH, x < OW: a plain slice at stride 1, a StridedSlice otherwise. */
function stridedWindow(backend: WasmBackendLike, xp: TensorInfo, g: ConvGeometry, r: number, s: number): TensorInfo {
  if (g.sH === 1 && g.sW === 1) {
    return ops.slice(backend, xp, [0, r, s, 0], [g.batch, g.outH, g.outW, g.inC]);
  }
  return ops.runWasmKernel(
    'StridedSlice',
    { x: xp },
    {
      begin: [0, r, s, 0],
      end: [g.batch, r + (g.outH - 1) * g.sH + 1, s + (g.outW - 1) * g.sW + 1, g.inC],
      strides: [1, g.sH, g.sW, 1],
      beginMask: 0,
      endMask: 0,
      ellipsisMask: 0,
      newAxisMask: 0,
      shrinkAxisMask: 0,
    },
    backend,
  );
}

export function makeConv2DBackpropFilterKernel(route: FilterGradRoute = 'auto'): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const a = attrs as tf.NamedAttrMap;
    const g = convGeometry(
      x.shape,
      a.filterShape as number[],
      a.strides as [number, number],
      a.pad,
      a.dimRoundingMode,
      a.dataFormat,
    );
    const b = backend as unknown as WasmBackendLike;
    const useIm2col = route === 'im2col' || (route === 'auto' && g.fH === 1 && g.fW === 1);
    return useIm2col ? filterGradViaIm2col(b, x, dy, g) : filterGradViaConv(b, x, dy, g);
  };
}
