// The scalar reference conv (kernels/reference/conv.h: NCHW, 3-D with depth 1 here) set up
// with an NHWC conv's geometry, so that the NHWC kernel tests compare with one oracle.
#pragma once
#include <cstdint>

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

}  // namespace octet::kernel_test
