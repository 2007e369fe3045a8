// FP32 element-wise activation over a plain array (VectorF32Kernels::activation): a standalone
// Relu, Clip, LeakyRelu, Sigmoid, Tanh, HardSigmoid, HardSwish or SiLU that no conv epilogue
// took. The activation is chosen once per call, then one loop of whole vectors and a last,
// partial vector through masked moves (nothing past n is read or written). Header-only,
// templated on the xsimd architecture; included by vector_<isa>.cpp in an anonymous
// namespace (see kernels/CMakeLists.txt). The math: activation_impl.h.
#pragma once
#include <xsimd/xsimd.hpp>

#include <cstdint>

#include "kernels/f32/activation_impl.h"
#include "kernels/f32/partial_vector.h"
#include "kernels/f32/vector.h"

namespace octet::kernels {
namespace {

template <class Arch>
struct ActivationF32Impl {
  using Batch = xsimd::batch<float, Arch>;
  static constexpr int64_t W = static_cast<int64_t>(Batch::size);

  template <class F>
  static void map(int64_t n, const float* x, float* y, F f) {
    int64_t i = 0;
    for (; i + 2 * W <= n; i += 2 * W) {
      const Batch a = Batch::load_unaligned(x + i), b = Batch::load_unaligned(x + i + W);
      f(a).store_unaligned(y + i);
      f(b).store_unaligned(y + i + W);
    }
    for (; i + W <= n; i += W) f(Batch::load_unaligned(x + i)).store_unaligned(y + i);
    if (i < n) {
      const auto lanes = static_cast<int32_t>(n - i);
      PartialVector<Arch>::store(y + i, f(PartialVector<Arch>::load(x + i, lanes)), lanes);
    }
  }

  static void activation(const ActivationF32Params& p, int64_t n, const float* x, float* y) {
    switch (p.act) {
      case Activation::None: return map(n, x, y, [](Batch v) { return v; });
      case Activation::Relu: return map(n, x, y, [](Batch v) { return relu_batch(v); });
      case Activation::Clip: return map(n, x, y, [lo = p.lo, hi = p.hi](Batch v) { return clip_batch(v, lo, hi); });
      case Activation::Sigmoid: return map(n, x, y, [](Batch v) { return sigmoid_batch(v); });
      case Activation::HardSigmoid:
        return map(n, x, y, [a = p.alpha, b = p.beta](Batch v) { return hard_sigmoid_batch(v, a, b); });
      case Activation::HardSwish: return map(n, x, y, [](Batch v) { return hard_swish_batch(v); });
      case Activation::SiLU: return map(n, x, y, [](Batch v) { return silu_batch(v); });
      case Activation::LeakyRelu: return map(n, x, y, [a = p.alpha](Batch v) { return leaky_relu_batch(v, a); });
      case Activation::Tanh: return map(n, x, y, [](Batch v) { return tanh_batch(v); });
    }
  }
};

}  // namespace
}  // namespace octet::kernels
