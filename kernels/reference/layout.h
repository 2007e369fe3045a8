// Layout changes of FP32 images, scalar: the oracle of the vector kernels' interleave
// (kernels/f32/vector.h), which the planar-input conv and the nchw_to_nhwc step run.
#pragma once
#include <cstdint>

namespace octet::kernels {

// out[i * channels + c] = in[c * plane + i] for pixels i in [0, n), c in [0, channels): n
// pixels of `channels` planes (plane floats apart) into channels-last order.
void interleave_planes_f32_ref(int32_t channels, int64_t plane, int64_t n, const float* in, float* out);

}  // namespace octet::kernels
