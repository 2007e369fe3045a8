// The fused epilogue of the FP32 NHWC convolutions (direct, 1x1, depthwise): the activation
// of ConvNhwcParams applied to one vector of outputs. Header-only, in an anonymous namespace:
// each ISA file gets private copies (kernels/CMakeLists.txt).
#pragma once
#include <xsimd/xsimd.hpp>

#include "kernels/f32/conv.h"

namespace octet::kernels {
namespace {

struct ConvEpilogue {
  Activation act = Activation::None;
  float lo = 0.f, hi = 0.f;
};

inline ConvEpilogue conv_epilogue(const ConvNhwcParams& p) {
  ConvEpilogue e;
  e.act = p.activation;
  e.lo = p.clip_min;
  e.hi = p.clip_max;
  return e;
}

template <class Batch>
Batch conv_activate(Batch v, const ConvEpilogue& e) {
  // select() keeps NaN where max/min would replace it.
  if (e.act == Activation::Relu) return xsimd::select(v < Batch(0.f), Batch(0.f), v);
  if (e.act == Activation::Clip) {
    v = xsimd::select(v < Batch(e.lo), Batch(e.lo), v);
    return xsimd::select(v > Batch(e.hi), Batch(e.hi), v);
  }
  return v;
}

}  // namespace
}  // namespace octet::kernels
