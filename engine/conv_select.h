// Picks the convolution kernel for one layer: among the variants of the chosen ISA that
// support the layer, the fastest when timed on the layer's own shape (autotune), or a fixed
// rule otherwise.
#pragma once
#include <string>

#include "kernels/f32/conv.h"

namespace octet {

const kernels::ConvF32Kernel* select_conv_kernel(const kernels::ConvNhwcParams& p, const std::string& isa,
                                                 const float* weight_oihw, const float* bias, bool autotune,
                                                 const std::string& family);

}  // namespace octet
