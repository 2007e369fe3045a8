// The vectors of the u8s8 int8 depthwise variant (kernels/int8/dwconv_u8s8_vnni.cpp, which
// explains the layout): AVX-512 VNNI intrinsics, so included by that file alone. In an
// anonymous namespace (the ISA rule, kernels/CMakeLists.txt).
//
// GCC 12's AVX-512 headers seed some intrinsics with a self-initialised "undefined" vector
// (_mm512_undefined_epi32), which -Wmaybe-uninitialized reports once inlined: a false
// positive, silenced here and in the variant file (as in dwconv_vnni.cpp).
#pragma once
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace octet::kernels {
namespace {

// The vectors: zmm, 64 bytes. Zmm: 64 channels of one output row. ZmmRows<R> (a block of at
// most 64 / R channels): 64 / R channels of R output rows, 512 / R bits per row, with the
// weights, bias and scales (the packed vectors' first 4 / R lanes) broadcast to every part; so
// a layer's tail of 32 or 16 channels (MobileNetV2's 32, 96 = 64 + 32, 144 = 2 * 64 + 16)
// runs on full-width instructions too. load and store take the rows of an Args (Rows below).
struct Zmm {
  using V = __m512i;
  using F = __m512;
  using M = __mmask64;
  static constexpr int kRows = 1;
  static M mask(int32_t n) { return n >= 64 ? ~M{0} : (M{1} << n) - 1; }
  // Kernel row kh's bytes at input column iw.
  template <bool Partial, class A>
  static V load(const A& a, int kh, int32_t iw) {
    const uint8_t* x = a.row[0][kh] + iw * a.step[0][kh];
    if constexpr (Partial) return _mm512_maskz_loadu_epi8(a.m, x);
    else return _mm512_loadu_si512(x);
  }
  // Output row r's bytes at `offset`.
  template <bool Partial, class A>
  static void store(const A& a, int r, ptrdiff_t offset, V v) {
    if constexpr (Partial) _mm512_mask_storeu_epi8(a.y[r] + offset, a.m, v);
    else _mm512_storeu_si512(a.y[r] + offset, v);
  }
  static V load32(const int32_t* p) { return _mm512_load_si512(p); }
  static F loadf(const float* p) { return _mm512_load_ps(p); }
  static V zero() { return _mm512_setzero_si512(); }
  static V splat8(int32_t v) { return _mm512_set1_epi8(static_cast<char>(v)); }
  static V splat16(int32_t v) { return _mm512_set1_epi16(static_cast<short>(v)); }
  static F splatf(float v) { return _mm512_set1_ps(v); }
  static V lo8(V a, V b) { return _mm512_unpacklo_epi8(a, b); }
  static V hi8(V a, V b) { return _mm512_unpackhi_epi8(a, b); }
  static V lo16(V a, V b) { return _mm512_unpacklo_epi16(a, b); }
  static V hi16(V a, V b) { return _mm512_unpackhi_epi16(a, b); }
  static V dot(V acc, V x, V w) { return _mm512_dpbusd_epi32(acc, x, w); }
  static F scaled(V acc, F s) { return _mm512_mul_ps(_mm512_cvtepi32_ps(acc), s); }
  static F minf(F a, F b) { return _mm512_min_ps(a, b); }
  static V round(F v) { return _mm512_cvtps_epi32(v); }
  static V words(V q0, V q1, V zp) { return _mm512_adds_epi16(_mm512_packs_epi32(q0, q1), zp); }
  static V bytes(V lo, V hi) { return _mm512_packus_epi16(lo, hi); }
  static V clamp8(V v, V lo, V hi) { return _mm512_min_epu8(_mm512_max_epu8(v, lo), hi); }
};

template <int R>
struct ZmmRows : Zmm {
  static_assert(R == 2 || R == 4);
  using M = std::conditional_t<R == 2, __mmask32, __mmask16>;
  static constexpr int kRows = R;
  static M mask(int32_t n) { return static_cast<M>(n >= 64 / R ? ~0u : (1u << n) - 1u); }
  template <bool Partial, class A>
  static V load(const A& a, int kh, int32_t iw) {
    auto at = [&](int r) { return a.row[r][kh] + iw * a.step[r][kh]; };
    if constexpr (R == 2) {
      if constexpr (Partial) {
        return _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_maskz_loadu_epi8(a.m, at(0))),
                                  _mm256_maskz_loadu_epi8(a.m, at(1)), 1);
      } else {
        return _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(at(0)))),
                                  _mm256_loadu_si256(reinterpret_cast<const __m256i*>(at(1))), 1);
      }
    } else {
      auto part = [&](int r) {
        if constexpr (Partial) return _mm_maskz_loadu_epi8(a.m, at(r));
        else return _mm_loadu_si128(reinterpret_cast<const __m128i*>(at(r)));
      };
      V v = _mm512_castsi128_si512(part(0));
      v = _mm512_inserti32x4(v, part(1), 1);
      v = _mm512_inserti32x4(v, part(2), 2);
      return _mm512_inserti32x4(v, part(3), 3);
    }
  }
  // Every row's part (r is 0: one vector holds all rows).
  template <bool Partial, class A>
  static void store(const A& a, int, ptrdiff_t offset, V v) {
    if constexpr (R == 2) {
      const __m256i parts[2] = {_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64(v, 1)};
      for (int r = 0; r < 2; ++r) {
        if constexpr (Partial) _mm256_mask_storeu_epi8(a.y[r] + offset, a.m, parts[r]);
        else _mm256_storeu_si256(reinterpret_cast<__m256i*>(a.y[r] + offset), parts[r]);
      }
    } else {
      const __m128i parts[4] = {_mm512_castsi512_si128(v), _mm512_extracti32x4_epi32(v, 1),
                                _mm512_extracti32x4_epi32(v, 2), _mm512_extracti32x4_epi32(v, 3)};
      for (int r = 0; r < 4; ++r) {
        if constexpr (Partial) _mm_mask_storeu_epi8(a.y[r] + offset, a.m, parts[r]);
        else _mm_storeu_si128(reinterpret_cast<__m128i*>(a.y[r] + offset), parts[r]);
      }
    }
  }
  static V load32(const int32_t* p) {
    if constexpr (R == 2) return _mm512_broadcast_i64x4(_mm256_load_si256(reinterpret_cast<const __m256i*>(p)));
    else return _mm512_broadcast_i32x4(_mm_load_si128(reinterpret_cast<const __m128i*>(p)));
  }
  static F loadf(const float* p) {
    if constexpr (R == 2) return _mm512_broadcast_f32x8(_mm256_load_ps(p));
    else return _mm512_broadcast_f32x4(_mm_load_ps(p));
  }
};

// Plain 64-byte rows with ZmmRows<2>'s broadcast weights, bias and scales: two pixels of a
// 32-channel layer per vector (Rows' pixel_pairs).
struct ZmmPairs : Zmm {
  static V load32(const int32_t* p) { return ZmmRows<2>::load32(p); }
  static F loadf(const float* p) { return ZmmRows<2>::loadf(p); }
};

}  // namespace
}  // namespace octet::kernels
