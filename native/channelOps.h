// Channel-wise kernels of a training step that the wasm backend makes slow: reductions over leading/middle axes
// (it transposes the whole tensor first so that the reduced axes are innermost) and the BatchNorm affine map.
#pragma once
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

}  // namespace mlnc
