// NHWC conv2d (dilation 1) forward and both gradients as im2col + GEMM, in row chunks so the patch matrix stays
// cache-sized (a whole-batch im2col of a 64×32×32×16 input with 3×3 taps would be 38 MB).
//   forward   out[m, co]  = Σ_k cols[m, k] · w[k, co]                 (w is [R, S, Ci, Co] = [K, Co])
//   dx        cols'[m, k] = Σ_co dy[m, co] · w[k, co],  dx = col2im(cols')   (col2im is the adjoint of im2col)
//   dW        dw[k, co]   = Σ_m cols[m, k] · dy[m, co]
// with m = (n·OH + y)·OW + x and k = (r·S + s)·Ci + ci, cols[m, k] = x[n, y·sh + r − padTop, x·sw + s − padLeft, ci]
// (0 in the padding).
#pragma once
#include <algorithm>
#include <cstring>
#include "gemm.h"

namespace mlnc {

// The geometry's fields, in the order in which the addon receives them (an Int32Array from
// src/deep/backend/convGeometry.ts, whose CONV_GEOMETRY_FIELDS must list the same names in the same order; a test
// checks it through convGeometryFields()). X(name, minimum): every field is an int of at least `minimum`.
#define MLNC_CONV_GEOMETRY_FIELDS(X) \
  X(batch, 1) X(inH, 1) X(inW, 1) X(inC, 1) X(outH, 1) X(outW, 1) X(outC, 1) X(fH, 1) X(fW, 1) X(sH, 1) X(sW, 1) \
  X(padTop, 0) X(padLeft, 0)

struct ConvGeometry {
#define MLNC_DECLARE_FIELD(name, minimum) int name;
  MLNC_CONV_GEOMETRY_FIELDS(MLNC_DECLARE_FIELD)
#undef MLNC_DECLARE_FIELD
  long rows() const { return (long)batch * outH * outW; }
  int taps() const { return fH * fW * inC; }
  // Row m of the patch matrix is output position (n, y, x) with m = (n·OH + y)·OW + x.
  void outputPosition(long m, long* n, int* y, int* x) const {
    *n = m / ((long)outH * outW);
    int rem = (int)(m - *n * outH * outW);
    *y = rem / outW;
    *x = rem % outW;
  }
  bool pointwise() const {  // 1×1, stride 1, no padding: cols is x itself
    return fH == 1 && fW == 1 && sH == 1 && sW == 1 && padTop == 0 && padLeft == 0 && outH == inH && outW == inW;
  }
};

// Rows per chunk: about 1 MB of patches, and a multiple of the GEMM's MR.
inline int chunkRows(const ConvGeometry& g) {
  int rows = std::max(MR, (1 << 18) / std::max(1, g.taps()));
  return rows / MR * MR;
}

// cols[m − m0, k] for m in [m0, m1).
inline void im2colRows(const ConvGeometry& g, const float* x, long m0, long m1, float* cols) {
  const int K = g.taps(), ci = g.inC;
  for (long m = m0; m < m1; m++) {
    long n;
    int y, xo;
    g.outputPosition(m, &n, &y, &xo);
    float* dst = cols + (size_t)(m - m0) * K;
    for (int r = 0; r < g.fH; r++) {
      int iy = y * g.sH + r - g.padTop;
      if (iy < 0 || iy >= g.inH) {
        std::memset(dst, 0, sizeof(float) * g.fW * ci);
        dst += g.fW * ci;
        continue;
      }
      const float* rowSrc = x + ((size_t)(n * g.inH + iy) * g.inW) * ci;
      for (int s = 0; s < g.fW; s++, dst += ci) {
        int ix = xo * g.sW + s - g.padLeft;
        if (ix < 0 || ix >= g.inW)
          std::memset(dst, 0, sizeof(float) * ci);
        else
          std::memcpy(dst, rowSrc + (size_t)ix * ci, sizeof(float) * ci);
      }
    }
  }
}

// dx += col2im(cols) for rows m in [m0, m1); taps in the padding are dropped.
inline void col2imRows(const ConvGeometry& g, const float* cols, long m0, long m1, float* dx) {
  const int K = g.taps(), ci = g.inC;
  for (long m = m0; m < m1; m++) {
    long n;
    int y, xo;
    g.outputPosition(m, &n, &y, &xo);
    const float* src = cols + (size_t)(m - m0) * K;
    for (int r = 0; r < g.fH; r++) {
      int iy = y * g.sH + r - g.padTop;
      if (iy < 0 || iy >= g.inH) {
        src += g.fW * ci;
        continue;
      }
      float* rowDst = dx + ((size_t)(n * g.inH + iy) * g.inW) * ci;
      for (int s = 0; s < g.fW; s++, src += ci) {
        int ix = xo * g.sW + s - g.padLeft;
        if (ix < 0 || ix >= g.inW) continue;
        float* d = rowDst + (size_t)ix * ci;
        for (int c = 0; c < ci; c++) d[c] += src[c];
      }
    }
  }
}

enum Activation { kLinear = 0, kRelu = 1 };

// out = act(conv(x, w) + bias); bias may be null.
inline void conv2dForward(const ConvGeometry& g, const float* x, const float* w, const float* bias, Activation act,
                          float* out) {
  const long M = g.rows();
  const int K = g.taps(), co = g.outC;
  Operand wOp{w, co, false};
  if (g.pointwise()) {
    gemm((int)M, co, K, Operand{x, K, false}, wOp, out, co, false);
  } else {
    static thread_local Scratch colBuf;
    const int chunk = chunkRows(g);
    float* cols = colBuf.get((size_t)chunk * K);
    for (long m0 = 0; m0 < M; m0 += chunk) {
      long m1 = std::min(M, m0 + chunk);
      im2colRows(g, x, m0, m1, cols);
      gemm((int)(m1 - m0), co, K, Operand{cols, K, false}, wOp, out + (size_t)m0 * co, co, false);
    }
  }
  if (bias == nullptr && act == kLinear) return;
  for (long m = 0; m < M; m++) {
    float* row = out + (size_t)m * co;
    if (bias != nullptr)
      for (int c = 0; c < co; c++) row[c] += bias[c];
    if (act == kRelu)
      for (int c = 0; c < co; c++) row[c] = row[c] > 0.f ? row[c] : 0.f;
  }
}

// dx = ∂/∂x of Σ dy ⊙ conv(x, w).
inline void conv2dBackpropInput(const ConvGeometry& g, const float* dy, const float* w, float* dx) {
  const long M = g.rows();
  const int K = g.taps(), co = g.outC;
  Operand wT{w, co, true};  // op(B)[co, k] = w[k, co]
  if (g.pointwise()) {
    gemm((int)M, K, co, Operand{dy, co, false}, wT, dx, K, false);
    return;
  }
  std::memset(dx, 0, sizeof(float) * (size_t)g.batch * g.inH * g.inW * g.inC);
  static thread_local Scratch colBuf;
  const int chunk = chunkRows(g);
  float* cols = colBuf.get((size_t)chunk * K);
  for (long m0 = 0; m0 < M; m0 += chunk) {
    long m1 = std::min(M, m0 + chunk);
    gemm((int)(m1 - m0), K, co, Operand{dy + (size_t)m0 * co, co, false}, wT, cols, K, false);
    col2imRows(g, cols, m0, m1, dx);
  }
}

// dw = ∂/∂w of Σ dy ⊙ conv(x, w), computed transposed, dwᵀ[co, k] = Σ_m dy[m, co] · cols[m, k], so that the wide
// patch matrix is the GEMM's B operand and is read in place (see kUnpackedLimit in gemm.h), then transposed.
inline void conv2dBackpropFilter(const ConvGeometry& g, const float* x, const float* dy, float* dw) {
  const long M = g.rows();
  const int K = g.taps(), co = g.outC;
  static thread_local Scratch dwtBuf, colBuf;
  float* dwT = dwtBuf.get((size_t)K * co);
  if (M == 0) {
    std::memset(dwT, 0, sizeof(float) * (size_t)K * co);
  } else if (g.pointwise()) {
    gemm(co, K, (int)M, Operand{dy, co, true}, Operand{x, K, false}, dwT, K, false);
  } else {
    const int chunk = chunkRows(g);
    float* cols = colBuf.get((size_t)chunk * K);
    for (long m0 = 0; m0 < M; m0 += chunk) {
      long m1 = std::min(M, m0 + chunk);
      im2colRows(g, x, m0, m1, cols);
      gemm(co, K, (int)(m1 - m0), Operand{dy + (size_t)m0 * co, co, true}, Operand{cols, K, false}, dwT, K, m0 > 0);
    }
  }
  for (int k = 0; k < K; k++)
    for (int c = 0; c < co; c++) dw[(size_t)k * co + c] = dwT[(size_t)c * K + k];
}

}  // namespace mlnc
