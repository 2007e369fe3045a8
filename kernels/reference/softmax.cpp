#include "kernels/reference/softmax.h"

#include <cmath>

namespace octet::kernels {

namespace {
// max_j x[base + j * inner], the shift both functions subtract before exp.
float row_max(const SoftmaxParams& p, const float* x, int64_t base) {
  float max = x[base];
  for (int64_t j = 1; j < p.axis; ++j) max = std::fmax(max, x[base + j * p.inner]);
  return max;
}
}  // namespace

void softmax_f32_ref(const SoftmaxParams& p, const float* x, float* y) {
  if (p.axis == 0) return;   // nothing to normalize, nothing to write
  for (int64_t o = 0; o < p.outer; ++o) {
    for (int64_t i = 0; i < p.inner; ++i) {
      const int64_t base = o * p.axis * p.inner + i;
      const float max = row_max(p, x, base);
      float sum = 0.f;
      for (int64_t j = 0; j < p.axis; ++j) {
        const float e = std::exp(x[base + j * p.inner] - max);
        y[base + j * p.inner] = e;
        sum += e;
      }
      for (int64_t j = 0; j < p.axis; ++j) y[base + j * p.inner] /= sum;
    }
  }
}

void log_softmax_f32_ref(const SoftmaxParams& p, const float* x, float* y) {
  if (p.axis == 0) return;
  for (int64_t o = 0; o < p.outer; ++o) {
    for (int64_t i = 0; i < p.inner; ++i) {
      const int64_t base = o * p.axis * p.inner + i;
      const float max = row_max(p, x, base);
      float sum = 0.f;
      for (int64_t j = 0; j < p.axis; ++j) sum += std::exp(x[base + j * p.inner] - max);
      const float log_sum = std::log(sum);
      for (int64_t j = 0; j < p.axis; ++j) y[base + j * p.inner] = (x[base + j * p.inner] - max) - log_sum;
    }
  }
}

}  // namespace octet::kernels
