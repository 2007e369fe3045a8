// The FP32 activations without a clamp form (Sigmoid, HardSigmoid, HardSwish, SiLU) on one
// xsimd batch, for the conv epilogue (conv_epilogue.h). Header-only, in an anonymous
// namespace: each ISA file gets private copies (kernels/CMakeLists.txt). Oracles:
// kernels/reference/activation.h (SiLU is x * sigmoid(x) there).
//
// sigmoid(x) = 1 / (1 + exp(-x)) with xsimd's vectorised exp (about 1 ulp) and a true
// division: for x -> -inf exp(-x) overflows to inf and the result is 0, as the reference's;
// NaN stays NaN. The clamps are select()s so that NaN propagates as in the reference.
#pragma once
#include <xsimd/xsimd.hpp>

// GCC 12 reports its own AVX-512 intrinsics as maybe-uninitialized once xsimd::exp is inlined
// (as in softmax_impl.h): a known false positive, silenced for this code only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace octet::kernels {
namespace {

template <class Batch>
Batch clamp_unit(Batch v) {
  v = xsimd::select(v < Batch(0.f), Batch(0.f), v);
  return xsimd::select(v > Batch(1.f), Batch(1.f), v);
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

}  // namespace
}  // namespace octet::kernels

#pragma GCC diagnostic pop
