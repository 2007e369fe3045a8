// FP32 softmax over rows, header-only and templated on the xsimd architecture; included by
// vector_<isa>.cpp (anonymous namespace: ISA code stays private, see kernels/CMakeLists.txt).
//
// Three passes per row, as the reference: the maximum, e = exp(x - max) stored to the output
// while summing, then a true division by the sum. exp is xsimd's vectorised exp (about 1 ulp);
// lanes sum in parallel, so the sum differs from the reference's sequential one by rounding
// only. A row's last partial vector goes through a small buffer filled with -inf, whose lanes
// add exp(-inf) = 0 to the sum (and NaN when max is -inf, where the row is NaN anyway).
#pragma once
#include <xsimd/xsimd.hpp>

#include <cmath>
#include <cstdint>

// GCC 12 reports its own AVX-512 intrinsics (`__m512 __Y = __Y;`) as maybe-uninitialized once
// xsimd::exp is inlined here: a known false positive, silenced for this code only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace octet::kernels {
namespace {

template <class Arch>
struct SoftmaxF32Impl {
  using Batch = xsimd::batch<float, Arch>;
  static constexpr int32_t W = static_cast<int32_t>(Batch::size);

  // x[0, n) for n < W, the other lanes -inf.
  static Batch load_tail(const float* x, int32_t n) {
    alignas(64) float buf[W];
    for (int32_t i = 0; i < W; ++i) buf[i] = i < n ? x[i] : -INFINITY;
    return Batch::load_aligned(buf);
  }

  static void store_tail(Batch v, float* y, int32_t n) {
    alignas(64) float buf[W];
    v.store_aligned(buf);
    for (int32_t i = 0; i < n; ++i) y[i] = buf[i];
  }

  static float lanes_max(Batch v) {
    alignas(64) float buf[W];
    v.store_aligned(buf);
    float m = buf[0];
    for (int32_t i = 1; i < W; ++i) m = buf[i] > m ? buf[i] : m;
    return m;
  }

  static void row(int32_t cols, const float* x, float* y) {
    const int32_t full = cols - cols % W;
    const int32_t rest = cols - full;
    // NaN or +inf anywhere makes max (or x - max) NaN, and with it the whole row, as in the
    // reference.
    Batch vmax(-INFINITY);
    for (int32_t j = 0; j < full; j += W) vmax = xsimd::max(vmax, Batch::load_unaligned(x + j));
    if (rest > 0) vmax = xsimd::max(vmax, load_tail(x + full, rest));
    const Batch mx(lanes_max(vmax));

    Batch vsum(0.f);
    for (int32_t j = 0; j < full; j += W) {
      const Batch e = xsimd::exp(Batch::load_unaligned(x + j) - mx);
      e.store_unaligned(y + j);
      vsum += e;
    }
    if (rest > 0) {
      const Batch e = xsimd::exp(load_tail(x + full, rest) - mx);
      store_tail(e, y + full, rest);
      vsum += e;
    }
    const Batch sum(xsimd::hadd(vsum));

    for (int32_t j = 0; j < full; j += W) (Batch::load_unaligned(y + j) / sum).store_unaligned(y + j);
    if (rest > 0) store_tail(load_tail(y + full, rest) / sum, y + full, rest);
  }

  static void softmax(int32_t rows, int32_t cols, const float* in, float* out) {
    for (int32_t r = 0; r < rows; ++r) {
      row(cols, in + static_cast<int64_t>(r) * cols, out + static_cast<int64_t>(r) * cols);
    }
  }
};

}  // namespace
}  // namespace octet::kernels

#pragma GCC diagnostic pop
