#include "kernels/reference/gemm.h"

namespace octet::kernels {

template <typename T>
void gemm_ref(const GemmParams& p, const T* a, const T* b, const T* c, T* y) {
  const T alpha = static_cast<T>(p.alpha), beta = static_cast<T>(p.beta);
  for (int64_t m = 0; m < p.M; ++m) {
    for (int64_t n = 0; n < p.N; ++n) {
      T acc = T(0);
      for (int64_t k = 0; k < p.K; ++k) {
        const T av = p.trans_a ? a[k * p.M + m] : a[m * p.K + k];
        const T bv = p.trans_b ? b[n * p.K + k] : b[k * p.N + n];
        acc += av * bv;
      }
      T out = alpha * acc;
      if (c != nullptr) out += beta * c[m * p.c_row_stride + n * p.c_col_stride];
      y[m * p.N + n] = out;
    }
  }
}

template void gemm_ref<float>(const GemmParams&, const float*, const float*, const float*, float*);
template void gemm_ref<double>(const GemmParams&, const double*, const double*, const double*, double*);

}  // namespace octet::kernels
