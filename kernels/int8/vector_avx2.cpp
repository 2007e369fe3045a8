// The int8 element-wise kernels (kernels/int8/vector.h) for AVX2 and FMA: 8 int32 or float
// lanes, the loops of kernels/int8/vector_impl.h. Tails go through a small zeroed buffer and the
// full-vector code, so they are the same arithmetic.
#include <immintrin.h>

#include <cstring>

#include "kernels/int8/vector_impl.h"
#include "kernels/kernels.h"

namespace octet::kernels {
namespace {

struct Avx2 {
  using I32 = __m256i;
  static constexpr int32_t kLanes = 8;

  static I32 zero() { return _mm256_setzero_si256(); }
  static I32 add(I32 a, I32 b) { return _mm256_add_epi32(a, b); }
  static I32 splat(int32_t v) { return _mm256_set1_epi32(v); }
  static I32 sub(I32 a, I32 b) { return _mm256_sub_epi32(a, b); }
  static I32 mullo(I32 a, I32 b) { return _mm256_mullo_epi32(a, b); }

  static I32 load_u8(const uint8_t* p) {
    return _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
  }
  static I32 load_u8_tail(const uint8_t* p, int32_t n) {
    uint8_t buf[kLanes] = {};
    std::memcpy(buf, p, static_cast<size_t>(n));
    return load_u8(buf);
  }
  static void store_u8(uint8_t* p, I32 v) {
    const __m128i w = _mm_packus_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(p), _mm_packus_epi16(w, w));
  }
  static void store_u8_tail(uint8_t* p, I32 v, int32_t n) {
    uint8_t buf[kLanes];
    store_u8(buf, v);
    std::memcpy(p, buf, static_cast<size_t>(n));
  }

  using F32 = __m256;
  static F32 splat_f(float v) { return _mm256_set1_ps(v); }
  static F32 to_f32(I32 a) { return _mm256_cvtepi32_ps(a); }
  static F32 add_f(F32 a, F32 b) { return _mm256_add_ps(a, b); }
  static F32 mul_f(F32 a, F32 b) { return _mm256_mul_ps(a, b); }
  static F32 div_f(F32 a, F32 b) { return _mm256_div_ps(a, b); }
  static F32 fma_f(F32 a, F32 b, F32 c) { return _mm256_fmadd_ps(a, b, c); }
  static I32 round_clamped(F32 t, F32 lo, F32 hi) {   // cvtps: nearest-even (MXCSR default)
    return _mm256_cvtps_epi32(_mm256_min_ps(_mm256_max_ps(t, lo), hi));
  }

  // q = clamp(round_half_even(x / scale), -zp, 255 - zp) + zp: clamping the quotient to
  // integer bounds before rounding equals clamping after, and keeps cvtps in range. NaN is
  // zeroed first (so it becomes zp): max/min would otherwise pick a bound for it.
  struct Qc {
    __m256 scale, lo, hi;
    __m256i zp;
  };
  static Qc quantize_consts(float scale, int32_t zp) {
    return {_mm256_set1_ps(scale), _mm256_set1_ps(static_cast<float>(-zp)), _mm256_set1_ps(static_cast<float>(255 - zp)),
            _mm256_set1_epi32(zp)};
  }
  static void quantize(const float* x, uint8_t* q, const Qc& k) {
    __m256 t = _mm256_div_ps(_mm256_loadu_ps(x), k.scale);   // a true division, as ONNX
    t = _mm256_and_ps(t, _mm256_cmp_ps(t, t, _CMP_ORD_Q));
    t = _mm256_min_ps(_mm256_max_ps(t, k.lo), k.hi);
    store_u8(q, _mm256_add_epi32(_mm256_cvtps_epi32(t), k.zp));   // cvtps: nearest-even (MXCSR default)
  }
  static void quantize_tail(const float* x, uint8_t* q, int32_t n, const Qc& k) {
    float buf[kLanes] = {};
    std::memcpy(buf, x, sizeof(float) * static_cast<size_t>(n));
    uint8_t out[kLanes];
    quantize(buf, out, k);
    std::memcpy(q, out, static_cast<size_t>(n));
  }

  struct Dc {
    __m256 scale;
    __m256i zp;
  };
  static Dc dequantize_consts(float scale, int32_t zp) { return {_mm256_set1_ps(scale), _mm256_set1_epi32(zp)}; }
  static void dequantize(const uint8_t* q, float* x, const Dc& k) {
    _mm256_storeu_ps(x, _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(load_u8(q), k.zp)), k.scale));
  }
  static void dequantize_tail(const uint8_t* q, float* x, int32_t n, const Dc& k) {
    uint8_t buf[kLanes] = {};
    std::memcpy(buf, q, static_cast<size_t>(n));
    float out[kLanes];
    dequantize(buf, out, k);
    std::memcpy(x, out, sizeof(float) * static_cast<size_t>(n));
  }
};

}  // namespace

const VectorQU8Kernels qu8_vector_avx2 = {
    "qu8_vector_avx2",
    &QVectorImpl<Avx2>::quantize,
    &QVectorImpl<Avx2>::dequantize,
    &QVectorImpl<Avx2>::add,
    &QVectorImpl<Avx2>::average,
    &QVectorImpl<Avx2>::global_average,
    &QVectorImpl<Avx2>::mul,
    &QVectorImpl<Avx2>::lookup,
    &QVectorImpl<Avx2>::quantize_planes,
};

}  // namespace octet::kernels
