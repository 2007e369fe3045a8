// The AVX-512 ISA struct of the int8 depthwise loops (dwconv_impl.h), shared by the AVX-512
// and VNNI variants (dwconv_avx512.cpp, dwconv_vnni.cpp), which differ only in the tap-pair
// multiply-add: vpmaddwd + vpaddd, or VNNI's vpdpwssd (the same sum, non-saturating, in one
// instruction). Sixteen channels per vector; a partial last vector (channels % 16) uses masked
// loads and stores; the epilogue's clamp uses AVX-512's 64-bit min / max. In an anonymous
// namespace: each ISA file gets its own copy (the ISA rule).
#pragma once
#include <immintrin.h>

#include "kernels/int8/dwconv_impl.h"

namespace octet::kernels {
namespace {

template <bool Vnni>
struct Avx512Dw {
  using V = __m512i;
  static constexpr int32_t kLanes = 16;
  static constexpr int kPixels = 8;   // 32 registers: 8 accumulators beside 10-19 columns

  static __mmask16 mask(int32_t lanes) { return static_cast<__mmask16>((1u << lanes) - 1u); }
  template <bool Partial>
  static __m128i load16(const uint8_t* x, int32_t lanes) {
    if constexpr (Partial) {
      return _mm_maskz_loadu_epi8(mask(lanes), x);
    } else {
      return _mm_loadu_si128(reinterpret_cast<const __m128i*>(x));
    }
  }
  template <bool Partial>
  static V pair(const uint8_t* a, const uint8_t* b, int32_t lanes) {
    return _mm512_or_si512(_mm512_cvtepu8_epi32(load16<Partial>(a, lanes)),
                           _mm512_slli_epi32(_mm512_cvtepu8_epi32(load16<Partial>(b, lanes)), 16));
  }
  template <bool Partial>
  static V single(const uint8_t* a, int32_t lanes) {
    return _mm512_cvtepu8_epi32(load16<Partial>(a, lanes));
  }
  static V dot(V acc, V x, V w) {
    if constexpr (Vnni) {
      return _mm512_dpwssd_epi32(acc, x, w);
    } else {
      return _mm512_add_epi32(acc, _mm512_madd_epi16(x, w));
    }
  }
  static V load(const int32_t* p) { return _mm512_load_si512(p); }
  static V load_multipliers(const int32_t* m, int32_t lanes) { return _mm512_maskz_loadu_epi32(mask(lanes), m); }
  static V set1(int32_t v) { return _mm512_set1_epi32(v); }
  static V set1_64(int64_t v) { return _mm512_set1_epi64(v); }

  static V mul_even(V a, V b) { return _mm512_mul_epi32(a, b); }
  static V odd_down(V a) { return _mm512_srli_epi64(a, 32); }
  static V add64(V a, V b) { return _mm512_add_epi64(a, b); }
  static V sub64(V a, V b) { return _mm512_sub_epi64(a, b); }
  static V srl64(V a, __m128i n) { return _mm512_srl_epi64(a, n); }
  static V sll64_32(V a) { return _mm512_slli_epi64(a, 32); }
  static V clamp64(V v, V lo, V hi) { return _mm512_min_epi64(_mm512_max_epi64(v, lo), hi); }
  static V join(V even, V odd) { return _mm512_mask_blend_epi32(0xAAAA, even, odd); }
  static V sub32(V a, V b) { return _mm512_sub_epi32(a, b); }
  static V clamp32(V v, V lo, V hi) { return _mm512_min_epi32(_mm512_max_epi32(v, lo), hi); }

  template <bool Partial>
  static void store(uint8_t* y, V v, int32_t lanes) {
    const __m128i bytes = _mm512_cvtepi32_epi8(v);
    if constexpr (Partial) {
      _mm_mask_storeu_epi8(y, mask(lanes), bytes);
    } else {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(y), bytes);
    }
  }
};

}  // namespace
}  // namespace octet::kernels
