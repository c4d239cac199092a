/**
 * Data-movement kernels written in JS directly on the wasm heap.
 *
 * Measured on tfjs-backend-wasm 4.22 (Node 20, one thread, 64×32×32×16 float32): its Transpose takes ~50 ms and a
 * 5-D PadV2 ~100 ms — slower than the XNNPACK conv they feed. These plain loops do the same moves in a few ms.
 */
import * as tf from '@tensorflow/tfjs';
import { heapF32 as f32 } from './wasmOps.js';
import type { WasmBackendLike } from './wasmOps.js';

type TensorInfo = tf.TensorInfo;

/** out = transpose(x, perm) for rank-4 float32 x. */
export function transpose4d(backend: WasmBackendLike, x: TensorInfo, perm: [number, number, number, number]): TensorInfo {
  const xs = x.shape;
  if (xs.length !== 4) throw new Error(`transpose4d needs a rank-4 tensor, got shape [${xs.join(', ')}]`);
  const inStride = [xs[1] * xs[2] * xs[3], xs[2] * xs[3], xs[3], 1];
  const outShape = perm.map((p) => xs[p]);
  const [d0, d1, d2, d3] = outShape;
  const [s0, s1, s2, s3] = perm.map((p) => inStride[p]);
  const out = backend.makeOutput(outShape, 'float32');
  // Views are taken after makeOutput: allocating may grow (and so detach) the wasm memory.
  const src = f32(backend, x);
  const dst = f32(backend, out);
  let o = 0;
  for (let a = 0; a < d0; a++) {
    for (let b = 0; b < d1; b++) {
      for (let c = 0; c < d2; c++) {
        let i = a * s0 + b * s1 + c * s2;
        for (let d = 0; d < d3; d++, i += s3) dst[o++] = src[i];
      }
    }
  }
  return out;
}

/** dy [N, OH, OW, C] → [N, OH·sh, OW·sw, C] with dy at (y·sh, x·sw) and zeros elsewhere. */
export function dilateSpatial(backend: WasmBackendLike, dy: TensorInfo, sh: number, sw: number): TensorInfo {
  const [n, h, w, c] = dy.shape;
  const out = backend.makeOutput([n, h * sh, w * sw, c], 'float32');
  const src = f32(backend, dy);
  const dst = f32(backend, out);
  dst.fill(0);
  const rowOut = w * sw * c;
  let i = 0;
  for (let a = 0; a < n; a++) {
    for (let y = 0; y < h; y++) {
      const rowBase = (a * h * sh + y * sh) * rowOut;
      for (let x = 0; x < w; x++) {
        const o = rowBase + x * sw * c;
        for (let k = 0; k < c; k++) dst[o + k] = src[i++];
      }
    }
  }
  return out;
}

/**
 * Transposed im2col: cols[(r·S + s)·Ci + ci, (n·OH + y)·OW + x] = x[n, y·sh + r − padTop, x·sw + s − padLeft, ci]
 * (0 outside x), so that dW = cols · dy[N·OH·OW, Co] is a plain, untransposed matmul.
 */
export function im2colTransposed(
  backend: WasmBackendLike,
  x: TensorInfo,
  g: { fH: number; fW: number; sH: number; sW: number; padTop: number; padLeft: number; outH: number; outW: number },
): TensorInfo {
  const [n, h, w, ci] = x.shape;
  const m = n * g.outH * g.outW;
  const out = backend.makeOutput([g.fH * g.fW * ci, m], 'float32');
  const src = f32(backend, x);
  const dst = f32(backend, out);
  let row = 0;
  for (let r = 0; r < g.fH; r++) {
    for (let s = 0; s < g.fW; s++) {
      // Output columns whose input column is in range: x·sW + s − padLeft ∈ [0, w).
      const xLo = Math.max(0, Math.ceil((g.padLeft - s) / g.sW));
      const xHi = Math.min(g.outW, Math.floor((w - 1 + g.padLeft - s) / g.sW) + 1);
      for (let c = 0; c < ci; c++, row++) {
        let o = row * m;
        for (let b = 0; b < n; b++) {
          for (let y = 0; y < g.outH; y++) {
            const iy = y * g.sH + r - g.padTop;
            if (iy < 0 || iy >= h || xHi <= xLo) {
              dst.fill(0, o, o + g.outW);
              o += g.outW;
              continue;
            }
            let k = 0;
            for (; k < xLo; k++) dst[o++] = 0;
            let i = ((b * h + iy) * w + (xLo * g.sW + s - g.padLeft)) * ci + c;
            const step = g.sW * ci;
            for (; k < xHi; k++, i += step) dst[o++] = src[i];
            for (; k < g.outW; k++) dst[o++] = 0;
          }
        }
      }
    }
  }
  return out;
}

/**
 * col2im, the adjoint of im2col: dx[n, y·sh + r − padTop, x·sw + s − padLeft, ci] += cols[(n·OH + y)·OW + x,
 * (r·S + s)·Ci + ci], dropping taps that land in the padding. cols is [N·OH·OW, R·S·Ci]; dx is [N, H, W, Ci].
 */
export function col2im(
  backend: WasmBackendLike,
  cols: TensorInfo,
  xShape: number[],
  g: { fH: number; fW: number; sH: number; sW: number; padTop: number; padLeft: number; outH: number; outW: number },
): TensorInfo {
  const [n, h, w, ci] = xShape;
  const out = backend.makeOutput([n, h, w, ci], 'float32');
  const src = f32(backend, cols);
  const dst = f32(backend, out);
  dst.fill(0);
  const rowLen = g.fH * g.fW * ci;
  let rowBase = 0;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < g.outH; y++) {
      for (let x = 0; x < g.outW; x++, rowBase += rowLen) {
        let j = rowBase;
        for (let r = 0; r < g.fH; r++) {
          const iy = y * g.sH + r - g.padTop;
          if (iy < 0 || iy >= h) {
            j += g.fW * ci;
            continue;
          }
          for (let s = 0; s < g.fW; s++) {
            const ix = x * g.sW + s - g.padLeft;
            if (ix < 0 || ix >= w) {
              j += ci;
              continue;
            }
            let o = ((b * h + iy) * w + ix) * ci;
            for (let c = 0; c < ci; c++) dst[o++] += src[j++];
          }
        }
      }
    }
  }
  return out;
}

// Reused between calls (a 4 MB allocation per call feeds the GC): the padded channel-major copy of x.
let gridScratch = new Float32Array(0);

/**
 * Stride-1 dW without an element-wise im2col. Lay x out channel-major on the padded grid, xp[c, n, i, j] =
 * x[n, i − padTop, j − padLeft, c] (0 in the padding), Hp = OH + R − 1, Wp = OW + S − 1, and spread dy on the same
 * grid, dyp[(n·Hp + y)·Wp + x, co] = dy[n, y, x, co] (0 for y ≥ OH or x ≥ OW). With p = (n·Hp + y)·Wp + x,
 *   dW[r, s, c, co] = Σ_p xp[c, p + r·Wp + s] · dyp[p, co],
 * so every tap's patch row is one contiguous block of xp (a native memcpy instead of a per-element loop), and dW
 * is one matmul cols[R·S·Ci, L] · dyp[L, Co], L = N·Hp·Wp − (R−1)·Wp − (S−1). The price is the padding rows in L:
 * (Hp·Wp)/(OH·OW) more multiply-adds (×1.13 at 32×32, ×1.56 at 8×8 for 3×3 filters).
 */
export function gridPatchesStride1(
  backend: WasmBackendLike,
  x: TensorInfo,
  dy: TensorInfo,
  g: { fH: number; fW: number; padTop: number; padLeft: number; outH: number; outW: number },
): { cols: TensorInfo; dyGrid: TensorInfo } {
  const [n, h, w, ci] = x.shape;
  const co = dy.shape[3];
  const hp = g.outH + g.fH - 1;
  const wp = g.outW + g.fW - 1;
  const plane = n * hp * wp;
  const len = plane - (g.fH - 1) * wp - (g.fW - 1);
  const cols = backend.makeOutput([g.fH * g.fW * ci, len], 'float32');
  const dyGrid = backend.makeOutput([len, co], 'float32');
  const src = f32(backend, x);
  const dys = f32(backend, dy);
  const colsV = f32(backend, cols);
  const dyV = f32(backend, dyGrid);

  if (gridScratch.length < plane * ci) gridScratch = new Float32Array(plane * ci);
  const xp = gridScratch;
  xp.fill(0, 0, plane * ci);
  // Input rows/cols that land on the grid: i = iy + padTop ∈ [0, hp), j = ix + padLeft ∈ [0, wp).
  const yLo = Math.max(0, -g.padTop);
  const yHi = Math.min(h, hp - g.padTop);
  const xLo = Math.max(0, -g.padLeft);
  const xHi = Math.min(w, wp - g.padLeft);
  for (let b = 0; b < n; b++) {
    for (let iy = yLo; iy < yHi; iy++) {
      const gridRow = (b * hp + iy + g.padTop) * wp + g.padLeft;
      for (let ix = xLo; ix < xHi; ix++) {
        let i = ((b * h + iy) * w + ix) * ci;
        let o = gridRow + ix;
        for (let c = 0; c < ci; c++, o += plane) xp[o] = src[i++];
      }
    }
  }
  let row = 0;
  for (let r = 0; r < g.fH; r++) {
    for (let s = 0; s < g.fW; s++) {
      const off = r * wp + s;
      for (let c = 0; c < ci; c++, row++) colsV.set(xp.subarray(c * plane + off, c * plane + off + len), row * len);
    }
  }

  dyV.fill(0);
  const rowLen = g.outW * co;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < g.outH; y++) {
      const p = (b * hp + y) * wp;
      if (p >= len) continue; // only padding rows can fall past len
      const from = (b * g.outH + y) * rowLen;
      dyV.set(dys.subarray(from, from + rowLen), p * co);
    }
  }
  return { cols, dyGrid };
}
