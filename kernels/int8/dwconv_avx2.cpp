// AVX2 int8 depthwise convolution (kernels/int8/dwconv.h), bit-exact with the reference
// (kernels/reference/qdwconv.h); the loops are dwconv_impl.h's. Eight channels per vector:
// the input codes of two kernel rows interleaved as int16 (vpunpcklbw, vpmovzxbw), times the
// packed tap pairs with vpmaddwd. The epilogue (dwconv_impl.h's requantize) is eight float
// lanes: vcvtdq2ps, vmulps, vmaxps, vminps, vcvtps2dq, vpaddd, then two saturating packs. A
// partial last vector (channels % 8) reads and writes through a small buffer, so no byte
// outside the image is touched.
#include <immintrin.h>

#include <cstring>

#include "kernels/int8/dwconv_impl.h"
#include "kernels/kernels.h"

namespace octet::kernels {
namespace {

struct Avx2 {
  using V = __m256i;
  using F = __m256;
  static constexpr int32_t kLanes = 8;
  static constexpr int kPixels = 4;   // 16 registers: 4 accumulators beside 6-12 columns

  template <bool Partial>
  static __m128i load8(const uint8_t* x, int32_t lanes) {
    if constexpr (Partial) {
      uint64_t bytes = 0;
      std::memcpy(&bytes, x, size_t(lanes));
      return _mm_cvtsi64_si128(static_cast<long long>(bytes));
    } else {
      return _mm_loadl_epi64(reinterpret_cast<const __m128i*>(x));
    }
  }
  template <bool Partial>
  static V pair(const uint8_t* a, const uint8_t* b, int32_t lanes) {
    return _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(load8<Partial>(a, lanes), load8<Partial>(b, lanes)));
  }
  template <bool Partial>
  static V single(const uint8_t* a, int32_t lanes) {
    return _mm256_cvtepu8_epi32(load8<Partial>(a, lanes));
  }
  static V dot(V acc, V x, V w) { return _mm256_add_epi32(acc, _mm256_madd_epi16(x, w)); }
  static V load(const int32_t* p) { return _mm256_load_si256(reinterpret_cast<const __m256i*>(p)); }
  static V set1(int32_t v) { return _mm256_set1_epi32(v); }
  static F load_scales(const float* s, int32_t lanes) {
    float buf[8] = {};
    std::memcpy(buf, s, sizeof(float) * size_t(lanes));
    return _mm256_loadu_ps(buf);
  }
  static F set1f(float v) { return _mm256_set1_ps(v); }
  static F to_float(V v) { return _mm256_cvtepi32_ps(v); }
  static F mul(F a, F b) { return _mm256_mul_ps(a, b); }
  static F clamp(F v, F lo, F hi) { return _mm256_min_ps(_mm256_max_ps(v, lo), hi); }
  static V round_to_int(F v) { return _mm256_cvtps_epi32(v); }
  static V add32(V a, V b) { return _mm256_add_epi32(a, b); }

  template <bool Partial>
  static void store(uint8_t* y, V v, int32_t lanes) {
    const V words = _mm256_packus_epi32(v, v);
    const V bytes = _mm256_packus_epi16(words, words);   // bytes 0-3 in lane 0, 4-7 in lane 1
    const __m128i both = _mm_unpacklo_epi32(_mm256_castsi256_si128(bytes), _mm256_extracti128_si256(bytes, 1));
    const uint64_t out = static_cast<uint64_t>(_mm_cvtsi128_si64(both));
    std::memcpy(y, &out, Partial ? size_t(lanes) : 8);
  }
};

using Impl = QDwConvImpl<Avx2>;

}  // namespace

const QDwConvU8Kernel qu8_dwconv_nhwc_avx2 = {
    "qu8_dwconv_nhwc_avx2", &Impl::supports, &Impl::packed_bytes, &Impl::pack, &Impl::run, nullptr,
};

}  // namespace octet::kernels
