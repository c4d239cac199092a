// Single-threaded float32 GEMM, C = op(A)·op(B) (+ C), row-major, in the GotoBLAS / BLIS layout: B is packed
// into KC×NR panels that stay in L1, A into MC×KC blocks of MR-row panels that stay in L2, and an MR×NR register
// tile is updated by fused multiply-adds. (Goto & van de Geijn 2008, "Anatomy of high-performance matrix
// multiplication"; the 6×16 tile is BLIS's Haswell sgemm shape.) GCC vector extensions keep it portable: with
// -march=native they become AVX2/AVX-512 FMAs, elsewhere SSE or scalar code with the same results up to rounding.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace mlnc {

typedef float v8 __attribute__((vector_size(32)));
// One 16-float row of the register tile: one zmm register with AVX-512, two ymm with AVX2.
typedef float v16 __attribute__((vector_size(64)));

// The tile has MR rows of NR = 16 floats. 12 rows fill 12 of AVX-512's 32 zmm registers; with 16 ymm registers
// (AVX2) 6 rows take 12, leaving room for B and the broadcasts.
#if defined(__AVX512F__)
constexpr int MR = 12;
#else
constexpr int MR = 6;
#endif
constexpr int NR = 16;
constexpr int KC = 256;
constexpr int MC = 96;    // multiple of MR
constexpr int NC = 4096;  // multiple of NR

// A growable 64-byte-aligned buffer; one per thread (worker_threads are OS threads), reused across calls.
struct Scratch {
  float* data = nullptr;
  size_t size = 0;
  float* get(size_t n) {
    if (n > size) {
      std::free(data);
      size_t bytes = ((n * sizeof(float) + 63) / 64) * 64;
      data = static_cast<float*>(std::aligned_alloc(64, bytes));
      size = data ? n : 0;
    }
    return data;
  }
  ~Scratch() { std::free(data); }
};

struct Operand {
  const float* p;
  int ld;      // row stride of the stored matrix
  bool trans;  // element (i, j) of op(X) is p[j·ld + i] when true, p[i·ld + j] otherwise
  float at(int i, int j) const { return trans ? p[(size_t)j * ld + i] : p[(size_t)i * ld + j]; }
};

// Ap[panel][k][r] = op(A)[i0 + panel·MR + r, p0 + k], zero past mc.
inline void packA(const Operand& a, int i0, int mc, int p0, int kc, float* ap) {
  for (int ir = 0; ir < mc; ir += MR) {
    int mr = std::min(MR, mc - ir);
    if (a.trans) {
      for (int k = 0; k < kc; k++) {
        const float* src = a.p + (size_t)(p0 + k) * a.ld + i0 + ir;
        int r = 0;
        for (; r < mr; r++) ap[r] = src[r];
        for (; r < MR; r++) ap[r] = 0.f;
        ap += MR;
      }
    } else {
      for (int k = 0; k < kc; k++) {
        int r = 0;
        for (; r < mr; r++) ap[r] = a.p[(size_t)(i0 + ir + r) * a.ld + p0 + k];
        for (; r < MR; r++) ap[r] = 0.f;
        ap += MR;
      }
    }
  }
}

// Bp[panel][k][c] = op(B)[p0 + k, j0 + panel·NR + c], zero past nc.
inline void packB(const Operand& b, int p0, int kc, int j0, int nc, float* bp) {
  for (int jr = 0; jr < nc; jr += NR) {
    int nr = std::min(NR, nc - jr);
    if (!b.trans) {
      for (int k = 0; k < kc; k++) {
        const float* src = b.p + (size_t)(p0 + k) * b.ld + j0 + jr;
        int c = 0;
        for (; c < nr; c++) bp[c] = src[c];
        for (; c < NR; c++) bp[c] = 0.f;
        bp += NR;
      }
    } else {
      for (int k = 0; k < kc; k++) {
        int c = 0;
        for (; c < nr; c++) bp[c] = b.p[(size_t)(j0 + jr + c) * b.ld + p0 + k];
        for (; c < NR; c++) bp[c] = 0.f;
        bp += NR;
      }
    }
  }
}

static inline v8 load8(const float* p) {
  v8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
static inline void store8(float* p, v8 v) { std::memcpy(p, &v, sizeof v); }

// C[0..mr, 0..nr] (+)= Σ_k A(r, k) · B(k, c), with A(r, k) = a[r·aRow + k·aK] and B(k, c) = b[k·bK + c]. Packed
// panels have (aRow, aK, bK) = (1, MR, NR); an unpacked row-major A has (lda, 1) and an unpacked row-major B has
// bK = ldb, which skips a copy when the other operand is too narrow to amortise packing (conv layers with 16 channels).
#if defined(__AVX512F__)
template <bool Packed>
inline void microKernelT(int kc, const float* __restrict a, long aRow, const float* __restrict b, long bK, float* c,
                         int ldc, bool accumulate, int mr, int nr) {
  v16 acc[MR];
#pragma GCC unroll 16
  for (int r = 0; r < MR; r++) acc[r] = v16{};
  for (int k = 0; k < kc; k++) {
    v16 bv;
    std::memcpy(&bv, b, sizeof bv);
#pragma GCC unroll 16
    for (int r = 0; r < MR; r++) acc[r] += (Packed ? a[(size_t)k * MR + r] : a[r * aRow + k]) * bv;
    b += bK;
  }
  if (mr == MR && nr == NR) {
#pragma GCC unroll 16
    for (int r = 0; r < MR; r++) {
      float* row = c + (size_t)r * ldc;
      v16 v = acc[r];
      if (accumulate) {
        v16 old;
        std::memcpy(&old, row, sizeof old);
        v += old;
      }
      std::memcpy(row, &v, sizeof v);
    }
    return;
  }
  alignas(64) float tile[MR][NR];
  for (int r = 0; r < MR; r++) std::memcpy(tile[r], &acc[r], sizeof acc[r]);
  for (int r = 0; r < mr; r++) {
    float* row = c + (size_t)r * ldc;
    if (accumulate)
      for (int j = 0; j < nr; j++) row[j] += tile[r][j];
    else
      for (int j = 0; j < nr; j++) row[j] = tile[r][j];
  }
}

// C[0..mr, 0..nr] (+)= Σ_k A(r, k) · B(k, c), with A(r, k) = a[r·aRow + k·aK] and B(k, c) = b[k·bK + c]. Packed
// panels have (aRow, aK, bK) = (1, MR, NR); an unpacked row-major A has (lda, 1) and an unpacked row-major B has
// bK = ldb, which skips a copy when the other operand is too narrow to amortise packing (conv layers with 16 channels).
inline void microKernel(int kc, const float* __restrict a, long aRow, long aK, const float* __restrict b, long bK,
                        float* c, int ldc, bool accumulate, int mr, int nr) {
  if (aRow == 1 && aK == MR)
    microKernelT<true>(kc, a, aRow, b, bK, c, ldc, accumulate, mr, nr);
  else
    microKernelT<false>(kc, a, aRow, b, bK, c, ldc, accumulate, mr, nr);
}

#else  // AVX2 or narrower: two 8-float halves per row; a 16-float row type would spill here (measured 7× slower)

// C[0..mr, 0..nr] (+)= Σ_k A(r, k) · B(k, c), with A(r, k) = a[r·aRow + k·aK] and B(k, c) = b[k·bK + c]. Packed
// panels have (aRow, aK, bK) = (1, MR, NR); an unpacked row-major A has (lda, 1) and an unpacked row-major B has
// bK = ldb, which skips a copy when the other operand is too narrow to amortise packing (conv layers with 16 channels).
inline void microKernel(int kc, const float* __restrict a, long aRow, long aK, const float* __restrict b, long bK,
                        float* c, int ldc, bool accumulate, int mr, int nr) {
  v8 c00 = {}, c01 = {}, c10 = {}, c11 = {}, c20 = {}, c21 = {}, c30 = {}, c31 = {}, c40 = {}, c41 = {}, c50 = {},
     c51 = {};
  const float *a0p = a, *a1p = a + aRow, *a2p = a + 2 * aRow, *a3p = a + 3 * aRow, *a4p = a + 4 * aRow,
              *a5p = a + 5 * aRow;
  for (int k = 0; k < kc; k++) {
    v8 b0 = load8(b), b1 = load8(b + 8);
    long o = k * aK;
    float a0 = a0p[o], a1 = a1p[o], a2 = a2p[o], a3 = a3p[o], a4 = a4p[o], a5 = a5p[o];
    c00 += a0 * b0; c01 += a0 * b1;
    c10 += a1 * b0; c11 += a1 * b1;
    c20 += a2 * b0; c21 += a2 * b1;
    c30 += a3 * b0; c31 += a3 * b1;
    c40 += a4 * b0; c41 += a4 * b1;
    c50 += a5 * b0; c51 += a5 * b1;
    b += bK;
  }
  v8 t[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  if (mr == MR && nr == NR) {
    for (int r = 0; r < MR; r++) {
      float* row = c + (size_t)r * ldc;
      if (accumulate) {
        store8(row, load8(row) + t[r][0]);
        store8(row + 8, load8(row + 8) + t[r][1]);
      } else {
        store8(row, t[r][0]);
        store8(row + 8, t[r][1]);
      }
    }
    return;
  }
  alignas(32) float tile[MR][NR];
  for (int r = 0; r < MR; r++) {
    store8(tile[r], t[r][0]);
    store8(tile[r] + 8, t[r][1]);
  }
  for (int r = 0; r < mr; r++) {
    float* row = c + (size_t)r * ldc;
    if (accumulate)
      for (int j = 0; j < nr; j++) row[j] += tile[r][j];
    else
      for (int j = 0; j < nr; j++) row[j] = tile[r][j];
  }
}

#endif

// Below this many columns (rows) of C, a row-major A (B) is read in place: each of its elements feeds at most
// that many multiply-adds, so packing it would cost about as much as the multiply.
constexpr int kUnpackedLimit = 48;

// C[M×N] = op(A)[M×K]·op(B)[K×N], or C += … when accumulate.
inline void gemm(int M, int N, int K, const Operand& a, const Operand& b, float* c, int ldc, bool accumulate) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate)
      for (int i = 0; i < M; i++) std::memset(c + (size_t)i * ldc, 0, sizeof(float) * N);
    return;
  }
  const bool directA = !a.trans && N <= kUnpackedLimit;
  const bool directB = !b.trans && M <= kUnpackedLimit;
  static thread_local Scratch aBuf, bBuf;
  float* ap = aBuf.get((size_t)MC * KC);
  float* bp = bBuf.get((size_t)KC * std::min(NC, (N + NR - 1) / NR * NR));
  for (int jc = 0; jc < N; jc += NC) {
    int nc = std::min(NC, N - jc);
    for (int pc = 0; pc < K; pc += KC) {
      int kc = std::min(KC, K - pc);
      // A direct B still needs packed copies of its ragged last panel (reading past N would leave the matrix).
      const int fullB = directB ? nc / NR * NR : 0;
      if (fullB < nc) packB(b, pc, kc, jc + fullB, nc - fullB, bp + (size_t)fullB * kc);
      bool acc = accumulate || pc > 0;
      for (int ic = 0; ic < M; ic += MC) {
        int mc = std::min(MC, M - ic);
        const int fullA = directA ? mc / MR * MR : 0;
        if (fullA < mc) packA(a, ic + fullA, mc - fullA, pc, kc, ap + (size_t)fullA * kc);
        for (int jr = 0; jr < nc; jr += NR) {
          const bool bDirect = jr < fullB;
          const float* bPanel = bDirect ? b.p + (size_t)pc * b.ld + jc + jr : bp + (size_t)jr * kc;
          const long bK = bDirect ? b.ld : NR;
          for (int ir = 0; ir < mc; ir += MR) {
            float* cTile = c + (size_t)(ic + ir) * ldc + jc + jr;
            if (ir < fullA)
              microKernel(kc, a.p + (size_t)(ic + ir) * a.ld + pc, a.ld, 1, bPanel, bK, cTile, ldc, acc, MR,
                          std::min(NR, nc - jr));
            else
              microKernel(kc, ap + (size_t)ir * kc, 1, MR, bPanel, bK, cTile, ldc, acc, std::min(MR, mc - ir),
                          std::min(NR, nc - jr));
          }
        }
      }
    }
  }
}

}  // namespace mlnc
