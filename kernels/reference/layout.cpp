#include "kernels/reference/layout.h"

namespace octet::kernels {

void interleave_planes_f32_ref(int32_t channels, int64_t plane, int64_t n, const float* in, float* out) {
  for (int64_t i = 0; i < n; ++i)
    for (int32_t c = 0; c < channels; ++c) out[i * channels + c] = in[c * plane + i];
}

}  // namespace octet::kernels
