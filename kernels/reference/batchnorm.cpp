#include "kernels/reference/batchnorm.h"

#include <cmath>

namespace octet::kernels {

void batch_norm_inference_f32_ref(const BatchNormParams& p, const float* x, const float* scale,
                                  const float* bias, const float* mean, const float* var, float* y) {
  for (int64_t n = 0; n < p.batch; ++n) {
    for (int64_t c = 0; c < p.channels; ++c) {
      const float inv_std = 1.f / std::sqrt(var[c] + p.epsilon);
      const float s = scale[c] * inv_std;
      const float t = bias[c] - mean[c] * s;
      const int64_t base = (n * p.channels + c) * p.spatial;
      for (int64_t i = 0; i < p.spatial; ++i) y[base + i] = x[base + i] * s + t;
    }
  }
}

}  // namespace octet::kernels
