// The depthwise layer shapes both depthwise benchmarks (FP32 and int8) time: MobileNetV2's
// (224x224, width 1.0), a 5x5 (MobileNetV3, MnasNet), DS-CNN's and VWW's, batch 1.
#pragma once
#include <cstdint>

#include "kernels/f32/conv.h"

namespace octet::bench {

struct DwShape {
  const char* name;
  int32_t in_h, in_w, channels, k, stride, pad_begin, pad_end;
};

inline constexpr DwShape kDwShapes[] = {
    {"112x112x32_k3s1", 112, 112, 32, 3, 1, 1, 1},   // MobileNetV2's first block
    {"112x112x96_k3s2", 112, 112, 96, 3, 2, 1, 1},
    {"14x14x576_k3s1", 14, 14, 576, 3, 1, 1, 1},
    {"7x7x960_k3s1", 7, 7, 960, 3, 1, 1, 1},
    {"28x28x120_k5s1", 28, 28, 120, 5, 1, 2, 2},      // a 5x5 (MobileNetV3, MnasNet)
    {"25x5x64_k3s1", 25, 5, 64, 3, 1, 1, 1},          // DS-CNN
    {"48x48x8_k3s1", 48, 48, 8, 3, 1, 1, 1},          // VWW's MobileNetV1 0.25: fewer channels than a vector
};

inline kernels::ConvNhwcParams dw_shape(const DwShape& s) {
  kernels::ConvNhwcParams p;
  p.in_h = s.in_h;
  p.in_w = s.in_w;
  p.in_c = p.out_c = s.channels;
  p.kernel_h = p.kernel_w = s.k;
  p.stride_h = p.stride_w = s.stride;
  p.pad_top = p.pad_left = s.pad_begin;
  p.out_h = (s.in_h + s.pad_begin + s.pad_end - s.k) / s.stride + 1;
  p.out_w = (s.in_w + s.pad_begin + s.pad_end - s.k) / s.stride + 1;
  return p;
}

}  // namespace octet::bench

