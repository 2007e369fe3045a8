// The FP32 activations on one xsimd batch, for the conv epilogue (conv_epilogue.h) and the
// standalone activation kernel (activation_vector_impl.h). Header-only, in an anonymous
// namespace: each ISA file gets private copies (kernels/CMakeLists.txt). Oracles:
// kernels/reference/activation.h and elementwise.h (relu, clip; SiLU is x * sigmoid(x)).
//
// sigmoid(x) = 1 / (1 + exp(-x)) with xsimd's vectorised exp (about 1 ulp) and a true
// division: for x -> -inf exp(-x) overflows to inf and the result is 0, as the reference's;
// NaN stays NaN. The clamps are select()s so that NaN propagates as in the reference.
#pragma once
#include <xsimd/xsimd.hpp>

#include "kernels/f32/vector.h"   // ActivationF32Params

// GCC 12 reports its own AVX-512 intrinsics as maybe-uninitialized once xsimd::exp is inlined
// (as in softmax_impl.h): a known false positive, silenced for this code only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace octet::kernels {
namespace {

// `v < 0 ? 0 : v`, as the reference Relu: NaN propagates.
template <class Batch>
Batch relu_batch(Batch v) {
  return xsimd::select(v < Batch(0.f), Batch(0.f), v);
}

// min(max(v, lo), hi) with NaN kept (max/min would replace it).
template <class Batch>
Batch clip_batch(Batch v, float lo, float hi) {
  v = xsimd::select(v < Batch(lo), Batch(lo), v);
  return xsimd::select(v > Batch(hi), Batch(hi), v);
}

template <class Batch>
Batch clamp_unit(Batch v) {
  return clip_batch(v, 0.f, 1.f);
}

template <class Batch>
Batch sigmoid_batch(Batch x) {
  return Batch(1.f) / (Batch(1.f) + xsimd::exp(-x));
}

// x * sigmoid(x) = x / (1 + exp(-x)): one division instead of two.
template <class Batch>
Batch silu_batch(Batch x) {
  return x / (Batch(1.f) + xsimd::exp(-x));
}

template <class Batch>
Batch hard_sigmoid_batch(Batch x, float alpha, float beta) {
  return clamp_unit(Batch(alpha) * x + Batch(beta));
}

template <class Batch>
Batch hard_swish_batch(Batch x) {
  return x * hard_sigmoid_batch(x, 1.f / 6.f, 0.5f);
}

// `x < 0 ? alpha * x : x`, as the reference: NaN falls to x.
template <class Batch>
Batch leaky_relu_batch(Batch x, float alpha) {
  return xsimd::select(x < Batch(0.f), Batch(alpha) * x, x);
}

// xsimd's tanh (a rational approximation near 0, 1 - 2 / (exp(2x) + 1) beyond): a few ulp
// from std::tanh, +-1 at +-infinity, NaN for NaN.
template <class Batch>
Batch tanh_batch(Batch x) {
  return xsimd::tanh(x);
}

// p.act applied to one batch. A per-vector switch: the conv epilogue's form, where the
// accumulation dominates; the standalone kernel switches once per call instead.
template <class Batch>
Batch activate(Batch v, const ActivationF32Params& p) {
  switch (p.act) {
    case Activation::None: return v;
    case Activation::Relu: return relu_batch(v);
    case Activation::Clip: return clip_batch(v, p.lo, p.hi);
    case Activation::Sigmoid: return sigmoid_batch(v);
    case Activation::HardSigmoid: return hard_sigmoid_batch(v, p.alpha, p.beta);
    case Activation::HardSwish: return hard_swish_batch(v);
    case Activation::SiLU: return silu_batch(v);
    case Activation::LeakyRelu: return leaky_relu_batch(v, p.alpha);
    case Activation::Tanh: return tanh_batch(v);
  }
  return v;
}

}  // namespace
}  // namespace octet::kernels

#pragma GCC diagnostic pop
