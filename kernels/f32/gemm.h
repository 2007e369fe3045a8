// FP32 GEMM with a packed right-hand side: C[M][N] = act(A[M][K] · B[K][N] + bias[N]).
// B (weights) is packed once at model compile time into the variant's panel layout.
// Oracle: kernels/reference/gemm.h.
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernels/f32/conv.h"   // Activation

namespace octet::kernels {

struct GemmF32Kernel {
  const char* name;   // its name in the kernel table, e.g. "f32_gemm_avx512"
  size_t (*packed_floats)(int32_t k, int32_t n);
  // b is row-major [k][n] when trans_b == false, or [n][k] when true; bias nullable.
  void (*pack)(int32_t k, int32_t n, const float* b, bool trans_b, const float* bias, float* packed);
  // Rows [m_begin, m_end) of C. A row-major with leading dimension lda; C with ldc.
  void (*run)(int32_t m_begin, int32_t m_end, int32_t n, int32_t k, const float* a, int32_t lda,
              const float* packed, float* c, int32_t ldc, Activation act);
};

// The variants (kernels/f32/gemm_<isa>.cpp, each with its own register tile) are listed in
// the kernel table, kernels/kernels.inc, and declared in kernels/kernels.h.

}  // namespace octet::kernels
