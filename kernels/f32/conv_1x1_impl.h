// FP32 NHWC 1x1 convolution (kernel 1x1, no padding, any stride): a GEMM
// [pixels x in_c] . [in_c x out_c] with the packed weights of conv_pack.h. It is the direct
// convolution's micro-kernel with a one-tap reduction (kernels/f32/conv_direct_impl.h):
// at stride 1 the image is one contiguous run of pixels cut into tiles; at larger strides
// each output row is a run of pixels stride * in_c floats apart. It never reads padding,
// so it needs no workspace.
#pragma once
#include "kernels/f32/conv_direct_impl.h"

namespace octet::kernels {
namespace {

template <class Arch, int P1, int P2>
struct Conv1x1F32 : ConvDirectF32<Arch, P1, P2> {
  using Base = ConvDirectF32<Arch, P1, P2>;

  // Every tap in bounds: no left/top padding and the last pixel's input inside the image
  // (the bottom/right padding implied by out_h/out_w must not be read).
  static bool supports(const ConvNhwcParams& p) {
    return Base::supports(p) && p.kernel_h == 1 && p.kernel_w == 1 && p.pad_top == 0 && p.pad_left == 0 &&
           int64_t{p.out_h - 1} * p.stride_h < p.in_h && int64_t{p.out_w - 1} * p.stride_w < p.in_w;
  }

  static size_t workspace_floats(const ConvNhwcParams&) { return 0; }
};

}  // namespace
}  // namespace octet::kernels
