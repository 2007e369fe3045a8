// Picks the convolution kernel for one layer: among the variants of the chosen ISA that
// support the layer (the kernel table's f32_conv entries for that ISA), the fastest when timed
// on the layer's own shape (autotune), or a fixed rule otherwise. `family` ("direct", "1x1",
// "winograd"; empty: any) restricts the candidates where one of that kind supports the layer.
// weights_from_memory: time each run after 64 MB of other data went through the caches, as
// a model whose weights exceed the caches (ResNet50: 100 MB) reads each layer's in every
// run; a kernel with more bytes of weights (Winograd's transformed ones: 4x the direct
// kernel's) then pays for them as it will in the model.
#pragma once
#include <string>

#include "kernels/dispatch/isa.h"
#include "kernels/f32/conv.h"

namespace octet {

const kernels::ConvF32Kernel* select_conv_kernel(const kernels::ConvNhwcParams& p, kernels::KernelIsa isa,
                                                 const float* weight_oihw, const float* bias, bool autotune,
                                                 const std::string& family, bool weights_from_memory = false);

}  // namespace octet
