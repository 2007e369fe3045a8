#include "kernels/reference/qgemm_f32out.h"

namespace octet::kernels {

void qgemm_f32out_ref(const QGemmF32Params& p, const uint8_t* input, const int8_t* weight_nk, const int32_t* bias,
                      const float* scales, float* output, int32_t rows, int32_t n_begin, int32_t n_end) {
  for (int32_t m = 0; m < rows; ++m) {
    const uint8_t* x = input + int64_t{m} * p.k;
    for (int32_t j = n_begin; j < n_end; ++j) {
      const int8_t* w = weight_nk + int64_t{j} * p.k;
      int64_t sum = bias != nullptr ? bias[j] : 0;
      for (int32_t i = 0; i < p.k; ++i) sum += int64_t{x[i] - p.input_zero_point} * (w[i] - p.weight_zero_point);
      const int32_t acc = static_cast<int32_t>(sum);   // int32, wrapping (C++20: modulo 2^32)
      output[int64_t{m} * p.n + j] = static_cast<float>(acc) * scales[j];
    }
  }
}

}  // namespace octet::kernels
