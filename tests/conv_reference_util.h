// The scalar references (kernels/reference: NCHW, 3-D with depth 1 here) set up for the NHWC
// kernels' tests: the reference conv's parameters from an NHWC conv's geometry, and the layout
// changes between the two.
#pragma once
#include <cstdint>
#include <vector>

#include "kernels/f32/conv.h"
#include "kernels/reference/conv.h"

namespace octet::kernel_test {

inline kernels::ConvParams reference_conv_params(const kernels::ConvNhwcParams& p, int64_t batch,
                                                 int64_t groups = 1) {
  kernels::ConvParams rp;
  rp.batch = batch;
  rp.in_channels = p.in_c;
  rp.out_channels = p.out_c;
  rp.groups = groups;
  rp.in = {1, p.in_h, p.in_w};
  rp.out = {1, p.out_h, p.out_w};
  rp.kernel = {1, p.kernel_h, p.kernel_w};
  rp.stride = {1, p.stride_h, p.stride_w};
  rp.dilation = {1, p.dilation_h, p.dilation_w};
  rp.pad_begin = {0, p.pad_top, p.pad_left};
  return rp;
}

// [batch][h][w][c] <-> [batch][c][h][w]
inline std::vector<float> nhwc_to_nchw(const std::vector<float>& x, int64_t batch, int64_t h, int64_t w, int64_t c) {
  std::vector<float> y(x.size());
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t i = 0; i < h * w; ++i)
      for (int64_t ch = 0; ch < c; ++ch) y[(n * c + ch) * h * w + i] = x[(n * h * w + i) * c + ch];
  return y;
}

inline std::vector<float> nchw_to_nhwc(const std::vector<float>& x, int64_t batch, int64_t h, int64_t w, int64_t c) {
  std::vector<float> y(x.size());
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t i = 0; i < h * w; ++i)
      for (int64_t ch = 0; ch < c; ++ch) y[(n * h * w + i) * c + ch] = x[(n * c + ch) * h * w + i];
  return y;
}

}  // namespace octet::kernel_test
