// FP32 depthwise convolution over channels-last (NHWC) activations, one image per call:
// ONNX Conv with group == in_c == out_c (channel multiplier 1), vectorised over channels.
// Each variant packs its own weights at compile time of the model and computes a range of
// output rows, so that the engine can split an image across threads. Oracle:
// kernels/reference/conv.h with groups == channels.
#pragma once
#include <cstddef>

#include "kernels/f32/conv.h"

namespace octet::kernels {

// Parameters are ConvNhwcParams with in_c == out_c (the channels); the epilogue is the one
// of the FP32 convolutions:
// out[oh][ow][c] = act(bias[c] + sum w[c][0][kh][kw] * in[..][c] + residual[oh][ow][c]),
// taps outside the input reading zero, `residual` (nullable) of the output's shape.
struct DwConvF32Kernel {
  const char* name;   // its name in the kernel table, e.g. "f32_dwconv_nhwc_avx2"
  bool (*supports)(const ConvNhwcParams&);
  size_t (*packed_floats)(const ConvNhwcParams&);
  // weight in ONNX layout [channels][1][kernel_h][kernel_w]; bias nullable (= zeros).
  void (*pack)(const ConvNhwcParams&, const float* weight, const float* bias, float* packed);
  // Computes output rows [oh_begin, oh_end) of one image; needs no scratch.
  void (*run)(const ConvNhwcParams&, const float* packed, const float* input, const float* residual,
              float* output, int32_t oh_begin, int32_t oh_end);
};

// The variants (kernels/f32/dwconv_<isa>.cpp) are listed in the kernel table,
// kernels/kernels.inc, and declared in kernels/kernels.h.

}  // namespace octet::kernels
