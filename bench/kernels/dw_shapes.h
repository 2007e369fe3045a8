// The depthwise layer shapes both depthwise benchmarks (FP32 and int8) time, batch 1: every
// one of MobileNetV2 224x224, the 5x5 ones of EfficientNet-B0, MnasNet and MobileNetV3, the
// few-channel ones, DS-CNN's and VWW's.
#pragma once
#include <cstdint>

#include "kernels/f32/conv.h"

namespace octet::bench {

struct DwShape {
  const char* name;
  int32_t in_h, in_w, channels, k, stride, pad_begin, pad_end;
};

inline constexpr DwShape kDwShapes[] = {
    // MobileNetV2 (3x3, pad 1): every depthwise shape of the model.
    {"112x112x32_k3s1", 112, 112, 32, 3, 1, 1, 1},
    {"112x112x96_k3s2", 112, 112, 96, 3, 2, 1, 1},
    {"56x56x144_k3s1", 56, 56, 144, 3, 1, 1, 1},
    {"56x56x144_k3s2", 56, 56, 144, 3, 2, 1, 1},
    {"28x28x192_k3s1", 28, 28, 192, 3, 1, 1, 1},
    {"28x28x192_k3s2", 28, 28, 192, 3, 2, 1, 1},
    {"14x14x384_k3s1", 14, 14, 384, 3, 1, 1, 1},
    {"14x14x576_k3s1", 14, 14, 576, 3, 1, 1, 1},
    {"14x14x576_k3s2", 14, 14, 576, 3, 2, 1, 1},
    {"7x7x960_k3s1", 7, 7, 960, 3, 1, 1, 1},
    // 5x5 (pad 2): EfficientNet-B0, MnasNet 0.5, MobileNetV3.
    {"56x56x144_k5s2", 56, 56, 144, 5, 2, 2, 2},      // EfficientNet-B0
    {"28x28x240_k5s1", 28, 28, 240, 5, 1, 2, 2},      // EfficientNet-B0
    {"28x28x120_k5s1", 28, 28, 120, 5, 1, 2, 2},      // MobileNetV3-Large
    {"28x28x72_k5s1", 28, 28, 72, 5, 1, 2, 2},        // MnasNet 0.5
    {"14x14x144_k5s1", 14, 14, 144, 5, 1, 2, 2},      // MnasNet 0.5
    {"14x14x672_k5s1", 14, 14, 672, 5, 1, 2, 2},      // EfficientNet-B0
    {"14x14x672_k5s2", 14, 14, 672, 5, 2, 2, 2},      // EfficientNet-B0, MobileNetV3-Large
    {"7x7x1152_k5s1", 7, 7, 1152, 5, 1, 2, 2},        // EfficientNet-B0
    // Few channels: MnasNet 0.5, MobileNetV3, ShuffleNetV2 x0.5, and 200 = a partial vector.
    {"112x112x16_k3s1", 112, 112, 16, 3, 1, 1, 1},    // MnasNet 0.5, MobileNetV3-Large
    {"112x112x24_k3s2", 112, 112, 24, 3, 2, 1, 1},    // MnasNet 0.5
    {"56x56x48_k3s1", 56, 56, 48, 3, 1, 1, 1},        // MnasNet 0.5
    {"56x56x24_k3s2", 56, 56, 24, 3, 2, 1, 1},        // ShuffleNetV2 x0.5
    {"14x14x200_k3s1", 14, 14, 200, 3, 1, 1, 1},      // MobileNetV3-Large
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

