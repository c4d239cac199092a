// Channel-wise kernels of a training step that the wasm backend makes slow: reductions over leading/middle axes
// (it transposes the whole tensor first so that the reduced axes are innermost) and the BatchNorm affine map.
#pragma once
#include <cmath>
#include <cstring>
#include <vector>
#include "gemm.h"

namespace mlnc {

// out[o, c] = scale · Σ_r x[o, r, c] for x viewed as [O, R, C]. Rows are summed in float32 in blocks of 64 and
// the blocks in double, so the error stays near float32 rounding of the result even for 10^6 rows.
inline void sumMiddle(const float* x, long O, long R, long C, float scale, float* out) {
  static thread_local Scratch blockBuf;
  static thread_local std::vector<double> acc;
  acc.assign((size_t)C, 0.0);
  float* block = blockBuf.get((size_t)C);
  for (long o = 0; o < O; o++) {
    std::fill(acc.begin(), acc.end(), 0.0);
    const float* xo = x + (size_t)o * R * C;
    if (C == 1) {  // a contiguous run: eight float lanes, then double
      long r = 0;
      for (; r + 64 <= R; r += 64) {
        v8 s = {};
        for (int j = 0; j < 64; j += 8) s += load8(xo + r + j);
        double t = 0;
        for (int l = 0; l < 8; l++) t += s[l];
        acc[0] += t;
      }
      for (; r < R; r++) acc[0] += xo[r];
    } else {
      for (long r0 = 0; r0 < R; r0 += 64) {
        long r1 = std::min(R, r0 + 64);
        std::memcpy(block, xo + (size_t)r0 * C, sizeof(float) * C);
        for (long r = r0 + 1; r < r1; r++) {
          const float* row = xo + (size_t)r * C;
          for (long c = 0; c < C; c++) block[c] += row[c];
        }
        for (long c = 0; c < C; c++) acc[c] += block[c];
      }
    }
    for (long c = 0; c < C; c++) out[(size_t)o * C + c] = (float)(acc[c] * scale);
  }
}

// y[m, c] = x[m, c] · a[c] + b[c]: BatchNorm with a = γ/√(σ² + ε), b = β − μ·a folded per channel.
inline void channelAffine(const float* x, long M, long C, const float* a, const float* b, float* y) {
  for (long m = 0; m < M; m++) {
    const float* xr = x + (size_t)m * C;
    float* yr = y + (size_t)m * C;
    for (long c = 0; c < C; c++) yr[c] = xr[c] * a[c] + b[c];
  }
}

// Training-mode BatchNorm over x viewed as [M, C] (statistics per channel over the M rows), as tfjs-layers computes it
// (tf.moments, biased variance): mean[c] = Σ_m x/M, var[c] = Σ_m (x − mean)²/M (two passes, so no cancellation),
// y = (x − mean)·γ/√(var + ε) + β.
inline void batchNormTrain(const float* x, long M, long C, const float* gamma, const float* beta, float eps, float* y,
                           float* mean, float* var) {
  sumMiddle(x, 1, M, C, 1.0f / (float)M, mean);
  static thread_local std::vector<double> acc;
  static thread_local Scratch blockBuf;
  acc.assign((size_t)C, 0.0);
  float* block = blockBuf.get((size_t)C);
  for (long m0 = 0; m0 < M; m0 += 64) {
    long m1 = std::min(M, m0 + 64);
    std::fill(block, block + C, 0.f);
    for (long m = m0; m < m1; m++) {
      const float* row = x + (size_t)m * C;
      for (long c = 0; c < C; c++) {
        float d = row[c] - mean[c];
        block[c] += d * d;
      }
    }
    for (long c = 0; c < C; c++) acc[c] += block[c];
  }
  static thread_local std::vector<float> a, b;
  a.resize((size_t)C);
  b.resize((size_t)C);
  for (long c = 0; c < C; c++) {
    var[c] = (float)(acc[c] / (double)M);
    a[c] = gamma[c] / std::sqrt(var[c] + eps);
    b[c] = beta[c] - mean[c] * a[c];
  }
  channelAffine(x, M, C, a.data(), b.data(), y);
}

// Its gradient, with x̂ = (x − mean)·r, r = 1/√(var + ε), and the batch statistics depending on x:
//   dβ = Σ_m dy,  dγ = Σ_m dy·x̂,  dx = γ·r·(dy − dβ/M − x̂·dγ/M)
// (the standard BatchNorm backward pass; Ioffe & Szegedy 2015, §3).
inline void batchNormTrainGrad(const float* x, const float* dy, long M, long C, const float* gamma, const float* mean,
                               const float* var, float eps, float* dx, float* dgamma, float* dbeta) {
  static thread_local std::vector<double> sDy, sDyX;
  static thread_local std::vector<float> r, bDy, bDyX;
  sDy.assign((size_t)C, 0.0);
  sDyX.assign((size_t)C, 0.0);
  r.resize((size_t)C);
  bDy.resize((size_t)C);
  bDyX.resize((size_t)C);
  for (long c = 0; c < C; c++) r[c] = 1.0f / std::sqrt(var[c] + eps);
  for (long m0 = 0; m0 < M; m0 += 64) {
    long m1 = std::min(M, m0 + 64);
    std::fill(bDy.begin(), bDy.end(), 0.f);
    std::fill(bDyX.begin(), bDyX.end(), 0.f);
    for (long m = m0; m < m1; m++) {
      const float* xr = x + (size_t)m * C;
      const float* dr = dy + (size_t)m * C;
      for (long c = 0; c < C; c++) {
        bDy[c] += dr[c];
        bDyX[c] += dr[c] * (xr[c] - mean[c]);
      }
    }
    for (long c = 0; c < C; c++) {
      sDy[c] += bDy[c];
      sDyX[c] += bDyX[c];
    }
  }
  static thread_local std::vector<float> k1, k2, k3;
  k1.resize((size_t)C);
  k2.resize((size_t)C);
  k3.resize((size_t)C);
  for (long c = 0; c < C; c++) {
    dbeta[c] = (float)sDy[c];
    dgamma[c] = (float)(sDyX[c] * r[c]);
    // dx = k1·dy + k2·x + k3 with k1 = γr, k2 = −γr³·Σdy(x − mean)/M, k3 = −k1·Σdy/M − k2·mean.
    k1[c] = gamma[c] * r[c];
    k2[c] = (float)(-(double)gamma[c] * r[c] * r[c] * r[c] * sDyX[c] / (double)M);
    k3[c] = (float)(-(double)k1[c] * sDy[c] / (double)M - (double)k2[c] * mean[c]);
  }
  for (long m = 0; m < M; m++) {
    const float* xr = x + (size_t)m * C;
    const float* dr = dy + (size_t)m * C;
    float* o = dx + (size_t)m * C;
    for (long c = 0; c < C; c++) o[c] = k1[c] * dr[c] + k2[c] * xr[c] + k3[c];
  }
}

}  // namespace mlnc
