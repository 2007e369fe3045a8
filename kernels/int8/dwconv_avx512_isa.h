// The AVX-512 ISA struct of the int8 depthwise loops (dwconv_impl.h), shared by the AVX-512
// and VNNI variants (dwconv_avx512.cpp, dwconv_vnni.cpp), which differ only in the tap-pair
// multiply-add: vpmaddwd + vpaddd, or VNNI's vpdpwssd (the same sum, non-saturating, in one
// instruction). Sixteen channels per vector; a partial last vector (channels % 16) uses masked
// loads and stores; the epilogue is sixteen float lanes. In an anonymous
// namespace: each ISA file gets its own copy (the ISA rule).
#pragma once
#include <immintrin.h>

#include "kernels/int8/dwconv_impl.h"

namespace octet::kernels {
namespace {

template <bool Vnni>
struct Avx512Dw {
  using V = __m512i;
  using F = __m512;
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
  static V set1(int32_t v) { return _mm512_set1_epi32(v); }
  static F load_scales(const float* s, int32_t lanes) { return _mm512_maskz_loadu_ps(mask(lanes), s); }
  static F set1f(float v) { return _mm512_set1_ps(v); }
  static F to_float(V v) { return _mm512_cvtepi32_ps(v); }
  static F mul(F a, F b) { return _mm512_mul_ps(a, b); }
  static F clamp(F v, F lo, F hi) { return _mm512_min_ps(_mm512_max_ps(v, lo), hi); }
  static V round_to_int(F v) { return _mm512_cvtps_epi32(v); }
  static V add32(V a, V b) { return _mm512_add_epi32(a, b); }

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
