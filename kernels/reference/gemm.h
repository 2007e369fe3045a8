// General matrix multiply (ONNX Gemm; MatMul is Gemm with alpha 1 and no C), row-major.
// The scalar oracle that SIMD GEMMs are checked against.
#pragma once
#include <cstdint>

namespace octet::kernels {

struct GemmParams {
  int64_t M = 0, N = 0, K = 0;
  bool trans_a = false;   // A stored [K][M] instead of [M][K]
  bool trans_b = false;   // B stored [N][K] instead of [K][N]
  float alpha = 1.f;
  float beta = 1.f;
  // C's element (m, n) is c[m * c_row_stride + n * c_col_stride]; a stride of 0 broadcasts
  // C along that dim (a [N] vector has row stride 0, a scalar both 0).
  int64_t c_row_stride = 0;
  int64_t c_col_stride = 0;
};

// y[m][n] = alpha * (sum over k of A(m,k) * B(k,n)) + beta * C(m,n), the C term omitted when
// c is nullptr. The sum is accumulated in T in increasing k, then scaled: ONNX Runtime's
// order (it writes beta*C into Y, then GEMM computes alpha*AB + Y). y: [M][N], distinct
// from the inputs. Instantiated for float and double.
template <typename T>
void gemm_ref(const GemmParams& p, const T* a, const T* b, const T* c, T* y);

}  // namespace octet::kernels
