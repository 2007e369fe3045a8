// Direct convolution (ONNX Conv), float32, NC + spatial layout (NCW, NCHW, NCDHW).
// The scalar oracle that SIMD convolutions are checked against.
#pragma once
#include <cstdint>

#include "kernels/reference/window.h"

namespace octet::kernels {

// Spatial entries are [depth, height, width]; see window.h for 1-D and 2-D.
struct ConvParams {
  int64_t batch = 1;
  int64_t in_channels = 1;    // C: input channels over all groups
  int64_t out_channels = 1;   // M: output channels over all groups
  int64_t groups = 1;         // divides both C and M; groups == C == M is depthwise
  Spatial in{1, 1, 1};
  Spatial out{1, 1, 1};
  Spatial kernel{1, 1, 1};
  Spatial stride{1, 1, 1};
  Spatial dilation{1, 1, 1};
  Spatial pad_begin{0, 0, 0};   // the padding after the input only shows in `out`
};

// output[n][m][o] = sum over (c, k) of input[n][g*C/G + c][o*stride - pad + k*dilation]
//                   * weight[m][c][k]  (+ bias[m]),
// for g = m / (M/G), taps that fall in the padding contributing nothing.
// weight: [M][C/G][kd][kh][kw]; bias: [M] or nullptr; output: [N][M][od][oh][ow].
// Each output is accumulated in float over (c, kd, kh, kw) in that order and the bias is
// added last: the order of ONNX Runtime's im2col + GEMM, so results agree to rounding.
void conv_f32_ref(const ConvParams& p, const float* input, const float* weight, const float* bias,
                  float* output);

}  // namespace octet::kernels
