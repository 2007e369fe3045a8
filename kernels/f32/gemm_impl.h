// FP32 packed GEMM, header-only and templated on the xsimd architecture: included by
// gemm_sse2.cpp, gemm_avx2.cpp and gemm_avx512.cpp, each of which instantiates it with its
// own Arch and tile. Everything here sits in an anonymous namespace so that each ISA file
// gets private copies (no function compiled with wide instructions can be merged by the
// linker with one called on a narrower CPU; see kernels/CMakeLists.txt).
//
// Packed B layout: N is cut into panels of NR = NV vectors; panel p holds NR bias values
// followed by K rows of NR weights, [1 + K][NR], with the columns past N zero-filled. The
// micro-kernel computes an MR x NR tile of C with MR*NV accumulators kept in registers over
// the whole K, starting from the bias row; the epilogue applies the activation and stores
// (through a small buffer for the last, partial panel, which computes only one vector when
// its columns fit in one). Rows past the last full MR block run the same micro-kernel
// instantiated for 1..MR-1 rows. Sums are fused multiply-adds in increasing k, from the bias.
#pragma once
#include <xsimd/xsimd.hpp>

#include <cstddef>
#include <cstdint>

#include "kernels/f32/gemm.h"

namespace octet::kernels {
namespace {

template <class Arch, int MR, int NV>
struct GemmF32Impl {
  using Batch = xsimd::batch<float, Arch>;
  static constexpr int W = static_cast<int>(Batch::size);
  static constexpr int NR = NV * W;

  static int32_t panels(int32_t n) { return (n + NR - 1) / NR; }

  static size_t packed_floats(int32_t k, int32_t n) {
    return static_cast<size_t>(panels(n)) * static_cast<size_t>(k + 1) * NR;
  }

  static void pack(int32_t k, int32_t n, const float* b, bool trans_b, const float* bias, float* packed) {
    for (int32_t p = 0; p < panels(n); ++p) {
      float* dst = packed + static_cast<size_t>(p) * static_cast<size_t>(k + 1) * NR;
      const int32_t col0 = p * NR;
      for (int32_t j = 0; j < NR; ++j) {
        const int32_t col = col0 + j;
        dst[j] = (col < n && bias != nullptr) ? bias[col] : 0.f;
      }
      for (int32_t kk = 0; kk < k; ++kk) {
        float* row = dst + static_cast<size_t>(kk + 1) * NR;
        for (int32_t j = 0; j < NR; ++j) {
          const int32_t col = col0 + j;
          if (col >= n) {
            row[j] = 0.f;
          } else {
            row[j] = trans_b ? b[static_cast<size_t>(col) * k + kk] : b[static_cast<size_t>(kk) * n + col];
          }
        }
      }
    }
  }

  // None and Relu only: run() gets no clip bounds or other constants (the step's validator
  // refuses any other activation).
  static Batch activate(Batch v, Activation act) {
    if (act == Activation::Relu) return xsimd::select(v < Batch(0.f), Batch(0.f), v);   // NaN propagates
    return v;
  }

  // One R x (V vectors) tile of C at `c`, from the panel at `w` (bias row first). V < NV
  // serves a last panel whose live columns fit in V vectors (e.g. N = 10 on AVX-512).
  template <int R, int V>
  static void tile(int32_t k, const float* a, int32_t lda, const float* w, float* c, int32_t ldc, int32_t cols,
                   Activation act) {
    Batch acc[R][V];
    for (int v = 0; v < V; ++v) {
      const Batch bias = Batch::load_unaligned(w + v * W);
      for (int r = 0; r < R; ++r) acc[r][v] = bias;
    }
    w += NR;
    for (int32_t kk = 0; kk < k; ++kk, w += NR) {
      Batch bv[V];
      for (int v = 0; v < V; ++v) bv[v] = Batch::load_unaligned(w + v * W);
      for (int r = 0; r < R; ++r) {
        const Batch av(a[static_cast<size_t>(r) * lda + kk]);
        for (int v = 0; v < V; ++v) acc[r][v] = xsimd::fma(av, bv[v], acc[r][v]);
      }
    }
    for (int r = 0; r < R; ++r) {
      float* crow = c + static_cast<size_t>(r) * ldc;
      if (cols == V * W) {
        for (int v = 0; v < V; ++v) activate(acc[r][v], act).store_unaligned(crow + v * W);
      } else {
        alignas(64) float tmp[V * W];
        for (int v = 0; v < V; ++v) activate(acc[r][v], act).store_aligned(tmp + v * W);
        for (int32_t j = 0; j < cols; ++j) crow[j] = tmp[j];
      }
    }
  }

  // C rows [0, R) of the block at `a` / `c`, all panels.
  template <int R>
  static void row_block(int32_t n, int32_t k, const float* a, int32_t lda, const float* packed, float* c,
                        int32_t ldc, Activation act) {
    const size_t panel_stride = static_cast<size_t>(k + 1) * NR;
    for (int32_t p = 0; p < panels(n); ++p) {
      const float* w = packed + static_cast<size_t>(p) * panel_stride;
      const int32_t col0 = p * NR;
      const int32_t cols = n - col0 < NR ? n - col0 : NR;
      if (NV > 1 && cols <= W) {
        tile<R, 1>(k, a, lda, w, c + col0, ldc, cols, act);
      } else {
        tile<R, NV>(k, a, lda, w, c + col0, ldc, cols, act);
      }
    }
  }

  template <int R>
  static void tail_rows(int32_t rows, int32_t n, int32_t k, const float* a, int32_t lda, const float* packed,
                        float* c, int32_t ldc, Activation act) {
    if constexpr (R > 0) {
      if (rows == R) return row_block<R>(n, k, a, lda, packed, c, ldc, act);
      tail_rows<R - 1>(rows, n, k, a, lda, packed, c, ldc, act);
    }
  }

  static void run(int32_t m_begin, int32_t m_end, int32_t n, int32_t k, const float* a, int32_t lda,
                  const float* packed, float* c, int32_t ldc, Activation act) {
    if (n <= 0) return;
    int32_t m = m_begin;
    for (; m + MR <= m_end; m += MR) {
      row_block<MR>(n, k, a + static_cast<size_t>(m) * lda, lda, packed, c + static_cast<size_t>(m) * ldc, ldc, act);
    }
    if (m < m_end) {
      tail_rows<MR - 1>(m_end - m, n, k, a + static_cast<size_t>(m) * lda, lda, packed,
                        c + static_cast<size_t>(m) * ldc, ldc, act);
    }
  }
};

}  // namespace
}  // namespace octet::kernels
