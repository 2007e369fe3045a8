// FP32 element-wise y = a + b with an optional fused Relu (a residual Add the engine could not
// fuse into a convolution). Header-only, templated on the xsimd architecture; included by
// vector_<isa>.cpp in an anonymous namespace (see kernels/CMakeLists.txt).
#pragma once
#include <xsimd/xsimd.hpp>

#include <cstdint>

namespace octet::kernels {
namespace {

template <class Arch>
struct AddF32Impl {
  using Batch = xsimd::batch<float, Arch>;
  static constexpr int64_t W = static_cast<int64_t>(Batch::size);

  // `s < 0 ? 0 : s` as the reference Relu, so that NaN propagates.
  template <bool Relu>
  static Batch act(Batch s) {
    if constexpr (Relu) return xsimd::select(s < Batch(0.f), Batch(0.f), s);
    return s;
  }

  template <bool Relu>
  static void run(int64_t n, const float* a, const float* b, float* y) {
    int64_t i = 0;
    for (; i + 4 * W <= n; i += 4 * W) {
      for (int64_t v = 0; v < 4 * W; v += W) {
        act<Relu>(Batch::load_unaligned(a + i + v) + Batch::load_unaligned(b + i + v)).store_unaligned(y + i + v);
      }
    }
    for (; i + W <= n; i += W) {
      act<Relu>(Batch::load_unaligned(a + i) + Batch::load_unaligned(b + i)).store_unaligned(y + i);
    }
    for (; i < n; ++i) {
      const float s = a[i] + b[i];
      y[i] = Relu && s < 0.f ? 0.f : s;
    }
  }

  static void add(int64_t n, const float* a, const float* b, float* y, bool relu) {
    if (relu) {
      run<true>(n, a, b, y);
    } else {
      run<false>(n, a, b, y);
    }
  }
};

}  // namespace
}  // namespace octet::kernels
