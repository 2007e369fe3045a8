// The fused epilogue of the FP32 NHWC convolutions (direct, 1x1, depthwise): the activation
// of ConvNhwcParams applied to one vector of outputs (the Winograd variant takes the clamp
// forms only, None, Relu and Clip). Header-only, in an anonymous namespace:
// each ISA file gets private copies (kernels/CMakeLists.txt).
#pragma once
#include <xsimd/xsimd.hpp>

#include "kernels/conv_variants.h"
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

// activate, kept a call (the tiles are flattened, conv_direct_impl.h: the activations no conv
// epilogue takes stay out of them).
template <class Batch>
[[gnu::noinline]] Batch activate_out_of_line(Batch v, const ConvEpilogue& e) {
  return activate(v, e);
}

// The activation A, known at compile time, inlined: the clamps, the hard ones and the
// exp-based Sigmoid and SiLU (EfficientNet's), whose exps the unrolled store loop of a tile
// then overlaps (out of line, one vector's exp at a time, SiLU took 11 % of EfficientNet-B0's
// time). A = Activation::Tanh stands for "any other": activate_out_of_line.
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
  } else if constexpr (A == Activation::Sigmoid) {
    return sigmoid_batch(v);
  } else if constexpr (A == Activation::SiLU) {
    return silu_batch(v);
  } else {
    return activate_out_of_line(v, e);
  }
}

// Calls f.template operator()<A>() with A = e.act, Tanh (the out-of-line call) for the
// activations no conv epilogue takes: a tile's epilogue switches once, not per vector. Out of
// line per vector (a call and a jump-table switch for each of a tile's 22 vectors), the
// activation cost 5 % of MobileNetV2's time, most in the 1x1 convs with short reductions
// (16 input channels: 16 FMAs per accumulator).
//
// Without kEveryConvEpilogue (the sanitizer builds, kernels/conv_variants.h): every
// activation through the out-of-line call, one epilogue per tile. clang 14 with ASan took
// over 6 minutes on conv_direct_avx512 with the eight flattened epilogues per tile, 13 s with
// one; the tiles' loads and stores, which ASan checks, are the same for every activation, and
// the normal build tests each inlined activation.
template <class F>
[[gnu::always_inline]] inline void with_conv_activation(const ConvEpilogue& e, F&& f) {
  if constexpr (!kEveryConvEpilogue) {
    (void)e;
    return f.template operator()<Activation::Tanh>();
  } else {
    switch (e.act) {
      case Activation::None: return f.template operator()<Activation::None>();
      case Activation::Relu: return f.template operator()<Activation::Relu>();
      case Activation::Clip: return f.template operator()<Activation::Clip>();
      case Activation::HardSigmoid: return f.template operator()<Activation::HardSigmoid>();
      case Activation::HardSwish: return f.template operator()<Activation::HardSwish>();
      case Activation::Sigmoid: return f.template operator()<Activation::Sigmoid>();
      case Activation::SiLU: return f.template operator()<Activation::SiLU>();
      default: return f.template operator()<Activation::Tanh>();
    }
  }
}

// Per vector, switching on e.act (the depthwise kernel's, whose rows are flattened).
template <class Batch>
Batch conv_activate(Batch v, const ConvEpilogue& e) {
  return activate(v, e);
}

}  // namespace
}  // namespace octet::kernels
