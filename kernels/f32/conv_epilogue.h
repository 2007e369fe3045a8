// The fused epilogue of the FP32 NHWC convolutions (direct, 1x1, depthwise): the activation
// of ConvNhwcParams applied to one vector of outputs (the Winograd variant takes the clamp
// forms only, None, Relu and Clip). Header-only, in an anonymous namespace:
// each ISA file gets private copies (kernels/CMakeLists.txt).
#pragma once
#include <xsimd/xsimd.hpp>

#include "kernels/f32/activation_impl.h"
#include "kernels/f32/conv.h"

namespace octet::kernels {
namespace {

struct ConvEpilogue {
  Activation act = Activation::None;
  float lo = 0.f, hi = 0.f;
  float alpha = 0.f, beta = 0.f;   // HardSigmoid's
};

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
  // select() keeps NaN where max/min would replace it.
  if (e.act == Activation::Relu) return xsimd::select(v < Batch(0.f), Batch(0.f), v);
  if (e.act == Activation::Clip) {
    v = xsimd::select(v < Batch(e.lo), Batch(e.lo), v);
    return xsimd::select(v > Batch(e.hi), Batch(e.hi), v);
  }
  switch (e.act) {
    case Activation::Sigmoid: return sigmoid_batch(v);
    case Activation::HardSigmoid: return hard_sigmoid_batch(v, e.alpha, e.beta);
    case Activation::HardSwish: return hard_swish_batch(v);
    case Activation::SiLU: return silu_batch(v);
    default: return v;
  }
}

}  // namespace
}  // namespace octet::kernels
