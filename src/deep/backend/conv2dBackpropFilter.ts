/**
 * Conv2DBackpropFilter for the tfjs wasm backend (which has none), built from XNNPACK kernels.
 *
 *   dW[r, s, ci, co] = Σ_{n, y, x} xPad[n, y·sh + r, x·sw + s, ci] · dy[n, y, x, co]
 *
 * Two routes, both exact up to float32 rounding:
 *  - 'conv':   the sum above is itself a forward conv: input x transposed to [Ci, H, W, N] (ci acts as the batch,
 *              n as the channel), filter dy transposed to [OH, OW, N, Co], stride 1, dilation = the forward stride,
 *              output [Ci, R, S, Co] → transpose to [R, S, Ci, Co].
 *  - 'im2col': the patches of x laid out transposed, cols [R·S·Ci, N·OH·OW] (built in JS on the heap), times
 *              dy as [N·OH·OW, Co] in one plain matmul. (A first version sliced x per tap with wasm Slice and used
 *              BatchMatMul with transposeA: 5–10× slower than 'conv', because the wasm transposed matmul is slow.)
 *  - 'grid':   stride 1 only; the im2col rows are contiguous blocks of a padded channel-major copy of x, so they
 *              are memcpy'd rather than gathered (see gridPatchesStride1 in heapOps.ts).
 */
import * as tf from '@tensorflow/tfjs';
import * as ops from './wasmOps.js';
import type { WasmBackendLike } from './wasmOps.js';
import { gridPatchesStride1, im2colTransposed, transpose4d } from './heapOps.js';
import { emptyConv, zerosOutput } from './emptyConv.js';
import { convGeometry, type ConvGeometry } from './convGeometry.js';

type TensorInfo = tf.TensorInfo;

export type FilterGradRoute = 'conv' | 'im2col' | 'grid' | 'auto';

export function filterGradViaConv(backend: WasmBackendLike, x: TensorInfo, dy: TensorInfo, g: ConvGeometry): TensorInfo {
  const xT = transpose4d(backend, x, [3, 1, 2, 0]); // [Ci, H, W, N]
  const dyT = transpose4d(backend, dy, [1, 2, 0, 3]); // [OH, OW, N, Co]
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
  const dW = transpose4d(backend, cropped, [1, 2, 0, 3]);
  ops.release(backend, cropped);
  return dW;
}

export function filterGradViaIm2col(backend: WasmBackendLike, x: TensorInfo, dy: TensorInfo, g: ConvGeometry): TensorInfo {
  const m = g.batch * g.outH * g.outW;
  const cols = im2colTransposed(backend, x, g); // [R·S·Ci, M]
  const cols3 = ops.reshape(backend, cols, [1, g.fH * g.fW * g.inC, m]);
  const dy3 = ops.reshape(backend, dy, [1, m, g.outC]);
  const prod = ops.matMul(backend, cols3, dy3, false, false); // [1, R·S·Ci, Co]
  ops.release(backend, cols, cols3, dy3);
  const dW = ops.reshape(backend, prod, [g.fH, g.fW, g.inC, g.outC]);
  ops.release(backend, prod);
  return dW;
}

export function filterGradViaGrid(backend: WasmBackendLike, x: TensorInfo, dy: TensorInfo, g: ConvGeometry): TensorInfo {
  if (g.sH !== 1 || g.sW !== 1) throw new Error(`the 'grid' dW route needs stride 1, got ${g.sH}×${g.sW}`);
  const { cols, dyGrid } = gridPatchesStride1(backend, x, dy, g);
  const k = g.fH * g.fW * g.inC;
  const len = cols.shape[1];
  const cols3 = ops.reshape(backend, cols, [1, k, len]);
  const dy3 = ops.reshape(backend, dyGrid, [1, len, g.outC]);
  const prod = ops.matMul(backend, cols3, dy3, false, false); // [1, R·S·Ci, Co]
  ops.release(backend, cols, cols3, dyGrid, dy3);
  const dW = ops.reshape(backend, prod, [g.fH, g.fW, g.inC, g.outC]);
  ops.release(backend, prod);
  return dW;
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
    // Regression: with an empty batch the matmul routes returned uninitialised memory (XNNPACK does nothing for M = 0).
    if (emptyConv(g)) return zerosOutput(b, [g.fH, g.fW, g.inC, g.outC]);
    if (route === 'conv') return filterGradViaConv(b, x, dy, g);
    if (route === 'grid') return filterGradViaGrid(b, x, dy, g);
    if (route === 'im2col') return filterGradViaIm2col(b, x, dy, g);
    // 'auto', from per-layer CPU times on the reference net (bench/kernels.ts --layers; batch 64, ms, conv/im2col/grid):
    //   32×32 16→16 3×3: 36–40 / 43 / 27–30;   16×16 32→32: 30–32 / 30–35 / 23–24;   8×8 64→64: 17–25 / 16–23 / 18–25;
    //   32×32 3→16 (stem): 18–20 / 10 / 11–16;  stride 2 and 1×1 (no grid): conv 9–28, im2col 1–18, im2col always ahead.
    // The grid pays (Hp·Wp)/(OH·OW) extra multiply-adds and only pays off with enough channels per memcpy'd row set.
    const gridOverhead = ((g.outH + g.fH - 1) * (g.outW + g.fW - 1)) / (g.outH * g.outW);
    const useGrid = g.sH === 1 && g.sW === 1 && g.fH * g.fW > 1 && gridOverhead < 1.4 && g.inC >= 8;
    return useGrid ? filterGradViaGrid(b, x, dy, g) : filterGradViaIm2col(b, x, dy, g);
  };
}
