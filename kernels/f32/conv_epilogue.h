// The fused epilogue of the FP32 NHWC convolutions (direct, 1x1, depthwise): the activation
// of ConvNhwcParams applied to one vector of outputs (the Winograd variant takes the clamp
// forms only, None, Relu and Clip). Header-only, in an anonymous namespace:
// each ISA file gets private copies (kernels/CMakeLists.txt).
#pragma once
#include <xsimd/xsimd.hpp>

#include "kernels/f32/activation_impl.h"
#include "kernels/f32/conv.h"
#include "kernels/f32/vector.h"

namespace octet::kernels {
namespace {

using ConvEpilogue = ActivationF32Params;

inline ConvEpilogue conv_epilogue(const ConvNhwcParams& p) {
  ConvEpilogue e;
  e.act = p.activation;
  e.lo = p.clip_min;
  e.hi = p.clip_max;
  e.alpha = p.alpha;
  e.beta = p.beta;
  return e;
}

template <class Batch>
Batch conv_activate(Batch v, const ConvEpilogue& e) {
  return activate(v, e);
}

}  // namespace
}  // namespace octet::kernels
