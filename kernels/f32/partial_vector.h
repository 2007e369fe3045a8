// Loads and stores of the first `lanes` floats of a vector (0 < lanes <= the vector width),
// for the last, partly filled channel vector of the NHWC kernels: nothing past
// x[lanes - 1] is read or written. AVX-512 and AVX2 use masked moves (masked-off lanes
// neither fault nor write); other architectures go through a small aligned buffer.
// Header-only, in an anonymous namespace: each ISA file gets private copies
// (kernels/CMakeLists.txt).
#pragma once
#include <immintrin.h>
#include <xsimd/xsimd.hpp>

#include <cstdint>
#include <cstring>

namespace octet::kernels {
namespace {

template <class Arch>
struct PartialVector {
  using Batch = xsimd::batch<float, Arch>;
  static constexpr int W = static_cast<int>(Batch::size);

  static Batch load(const float* x, int32_t lanes) {
#if defined(__AVX512F__)
    if constexpr (W == 16) return Batch(_mm512_maskz_loadu_ps(mask16(lanes), x));
#endif
#if defined(__AVX2__)
    if constexpr (W == 8) return Batch(_mm256_maskload_ps(x, mask8(lanes)));
#endif
    alignas(64) float buf[W] = {};
    std::memcpy(buf, x, sizeof(float) * static_cast<size_t>(lanes));
    return Batch::load_aligned(buf);
  }

  static void store(float* y, const Batch& v, int32_t lanes) {
#if defined(__AVX512F__)
    if constexpr (W == 16) {
      _mm512_mask_storeu_ps(y, mask16(lanes), v);
      return;
    }
#endif
#if defined(__AVX2__)
    if constexpr (W == 8) {
      _mm256_maskstore_ps(y, mask8(lanes), v);
      return;
    }
#endif
    alignas(64) float buf[W];
    v.store_aligned(buf);
    std::memcpy(y, buf, sizeof(float) * static_cast<size_t>(lanes));
  }

 private:
#if defined(__AVX512F__)
  static __mmask16 mask16(int32_t lanes) { return static_cast<__mmask16>((1u << lanes) - 1u); }
#endif
#if defined(__AVX2__)
  // Lane i enabled (sign bit set) when i < lanes.
  static __m256i mask8(int32_t lanes) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(lanes), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
#endif
};

}  // namespace
}  // namespace octet::kernels
