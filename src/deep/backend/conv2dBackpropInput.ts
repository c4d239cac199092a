/**
 * Conv2DBackpropInput for the tfjs wasm backend as an XNNPACK forward conv (the stock wasm kernel is a plain loop).
 *
 *   dx[n, i, j, ci] = Σ_{r, s, co} dyD[n, i + padTop − r, j + padLeft − s, co] · w[r, s, ci, co]
 *
 * where dyD is dy with (stride − 1) zeros inserted between its rows/columns. With r' = R−1−r this is a correlation
 * of dyD with the spatially flipped, in/out-transposed filter wF[r', s', co, ci] = w[R−1−r', S−1−s', ci, co]
 * at stride 1 and padding (R−1−padTop) on top. 1×1 filters at stride 1 are a plain matmul dy · wᵀ.
 * Second route, 'col2im': the column gradient dy · Wᵀ as one matmul, then a scatter-add back to image layout.
 */
import * as tf from '@tensorflow/tfjs';
import * as ops from './wasmOps.js';
import type { WasmBackendLike } from './wasmOps.js';
import { col2im, dilateSpatial, transpose4d } from './heapOps.js';
import { convGeometry, type ConvGeometry } from './convGeometry.js';
import { emptyConv, zerosOutput } from './emptyConv.js';

type TensorInfo = tf.TensorInfo;

export function inputGradViaConv(backend: WasmBackendLike, dy: TensorInfo, w: TensorInfo, g: ConvGeometry): TensorInfo {
  if (g.padTop > g.fH - 1 || g.padLeft > g.fW - 1) {
    throw new Error(`wasm Conv2DBackpropInput: padding (${g.padTop}, ${g.padLeft}) larger than filter − 1 is not supported`);
  }
  // 1×1, stride 1, and no padding (so dy's grid is x's grid: explicit padding can add output rows/cols).
  if (g.fH === 1 && g.fW === 1 && g.sH === 1 && g.sW === 1 && g.outH === g.inH && g.outW === g.inW) {
    const m = g.batch * g.outH * g.outW;
    const dy2 = ops.reshape(backend, dy, [1, m, g.outC]);
    const w2 = ops.reshape(backend, w, [1, g.inC, g.outC]);
    const dx2 = ops.matMul(backend, dy2, w2, false, true);
    ops.release(backend, dy2, w2);
    const dx = ops.reshape(backend, dx2, [g.batch, g.inH, g.inW, g.inC]);
    ops.release(backend, dx2);
    return dx;
  }
  const flipped = ops.runWasmKernel('Reverse', { x: w }, { dims: [0, 1] }, backend);
  const wF = ops.transpose(backend, flipped, [0, 1, 3, 2]); // [R, S, Co, Ci]
  ops.release(backend, flipped);
  const dyD = dilate(backend, dy, g); // [N, OH·sh, OW·sw, Co]: trailing (stride − 1) zero rows/cols
  const hD = dyD.shape[1];
  const wD = dyD.shape[2];
  const top = g.fH - 1 - g.padTop;
  const left = g.fW - 1 - g.padLeft;
  const bottom = g.inH + g.fH - 1 - hD - top;
  const right = g.inW + g.fW - 1 - wD - left;
  const out = ops.conv2d(backend, dyD, wF, [1, 1], [1, 1], [
    [top, Math.max(0, bottom)],
    [left, Math.max(0, right)],
  ]);
  ops.release(backend, wF);
  if (dyD !== dy) ops.release(backend, dyD);
  if (bottom >= 0 && right >= 0) return out;
  const dx = ops.slice(backend, out, [0, 0, 0, 0], [g.batch, g.inH, g.inW, g.inC]);
  ops.release(backend, out);
  return dx;
}

/** dy with (stride − 1) zeros after every row/column: [N, OH·sh, OW·sw, Co]. */
function dilate(backend: WasmBackendLike, dy: TensorInfo, g: ConvGeometry): TensorInfo {
  return g.sH === 1 && g.sW === 1 ? dy : dilateSpatial(backend, dy, g.sH, g.sW);
}

/** dx = col2im(dy[N·OH·OW, Co] · W[R·S·Ci, Co]ᵀ): no zero-stuffing, so no wasted MACs at stride 2. */
export function inputGradViaCol2im(backend: WasmBackendLike, dy: TensorInfo, w: TensorInfo, g: ConvGeometry): TensorInfo {
  const m = g.batch * g.outH * g.outW;
  const k = g.fH * g.fW * g.inC;
  const dy3 = ops.reshape(backend, dy, [1, m, g.outC]);
  const w4 = ops.reshape(backend, w, [1, 1, k, g.outC]);
  const wT = transpose4d(backend, w4, [0, 1, 3, 2]); // [1, 1, Co, K]; the filter is small
  const wT3 = ops.reshape(backend, wT, [1, g.outC, k]);
  const cols = ops.matMul(backend, dy3, wT3, false, false); // [1, M, R·S·Ci]
  ops.release(backend, dy3, w4, wT, wT3);
  const dx = col2im(backend, cols, [g.batch, g.inH, g.inW, g.inC], g);
  ops.release(backend, cols);
  return dx;
}

export type InputGradRoute = 'conv' | 'col2im' | 'auto';

export function makeConv2DBackpropInputKernel(route: InputGradRoute = 'auto'): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const a = attrs as tf.NamedAttrMap;
    const g = convGeometry(
      a.inputShape as number[],
      filter.shape,
      a.strides as [number, number],
      a.pad,
      a.dimRoundingMode,
      a.dataFormat,
    );
    const b = backend as unknown as WasmBackendLike;
    if (emptyConv(g)) return zerosOutput(b, [g.batch, g.inH, g.inW, g.inC]);
    // 'auto': col2im at stride > 1 (the conv route wastes (stride² − 1)/stride² of its MACs on stuffed zeros),
    // the conv route at stride 1. Per-layer CPU times (bench/kernels.ts --layers; batch 64, ms, stock/conv/col2im):
    //   32×32 16→16 3×3: 198–206 / 33 / 74;   16×16 32→32: 165–169 / 22–23 / 39–42;   8×8 64→64: 85–138 / 14 / 19–21;
    //   stride 2, 3×3: 84–90 / 28–36 / 9–35;  stride 2, 1×1: 8–34 / 3–26 / 2–21.
    // The conv route cannot express padding beyond filter − 1 (explicit pads); col2im handles any.
    const bigPad = g.padTop > g.fH - 1 || g.padLeft > g.fW - 1;
    const useCol2im = route === 'col2im' || (route === 'auto' && (g.sH > 1 || g.sW > 1 || bigPad));
    return useCol2im ? inputGradViaCol2im(b, dy, filter, g) : inputGradViaConv(b, dy, filter, g);
  };
}
