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

// The activation A, known at compile time: the ones that are a few vector operations (the
// clamps and the hard ones) inline; the exp-based ones (Sigmoid, SiLU, Tanh), dominated by the
// exp, call activation_impl.h's activate (which GCC keeps out of line for its size), as does
// A = Activation::Tanh standing for "any other" (conv_activate).
template <Activation A, class Batch>
[[gnu::always_inline]] inline Batch conv_activate_as(Batch v, const ConvEpilogue& e) {
  if constexpr (A == Activation::None) {
    return v;
  } else if constexpr (A == Activation::Relu) {
    return relu_batch(v);
  } else if constexpr (A == Activation::Clip) {
    return clip_batch(v, e.lo, e.hi);
  } else if constexpr (A == Activation::HardSigmoid) {
    return hard_sigmoid_batch(v, e.alpha, e.beta);
  } else if constexpr (A == Activation::HardSwish) {
    return hard_swish_batch(v);
  } else {
    return activate(v, e);
  }
}

// Calls f.template operator()<A>() with A = e.act for the inlined activations, Tanh (the
// out-of-line call) for the others: a tile's epilogue switches once, not per vector. Out of
// line per vector (a call and a jump-table switch for each of a tile's 22 vectors), the
// activation cost 5 % of MobileNetV2's time, most in the 1x1 convs with short reductions
// (16 input channels: 16 FMAs per accumulator).
template <class F>
[[gnu::always_inline]] inline void with_conv_activation(const ConvEpilogue& e, F&& f) {
  switch (e.act) {
    case Activation::None: return f.template operator()<Activation::None>();
    case Activation::Relu: return f.template operator()<Activation::Relu>();
    case Activation::Clip: return f.template operator()<Activation::Clip>();
    case Activation::HardSigmoid: return f.template operator()<Activation::HardSigmoid>();
    case Activation::HardSwish: return f.template operator()<Activation::HardSwish>();
    default: return f.template operator()<Activation::Tanh>();
  }
}

// Per vector, switching on e.act (the depthwise kernel's, whose rows are flattened).
template <class Batch>
Batch conv_activate(Batch v, const ConvEpilogue& e) {
  return activate(v, e);
}

}  // namespace
}  // namespace octet::kernels
