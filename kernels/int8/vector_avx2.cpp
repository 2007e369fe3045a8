// The int8 element-wise kernels (kernels/int8/vector.h) for AVX2: 8 int32 lanes, the loops
// of kernels/int8/vector_impl.h.
//
// The requantisation is 64-bit: _mm256_mul_epi32 gives exact 32x32->64 products of the even
// lanes (the odd lanes are shifted down first). AVX2 has no 64-bit arithmetic right shift, so
// 2^63 is added to the (signed, |v| < 2^63) value first: v + 2^63 is non-negative as an
// unsigned number, and its logical shift is floor(v / 2^s) + 2^(63-s). The clamp compares in
// that offset domain (values < 2^63, so the signed 64-bit compare is exact), and the offset
// is taken back off in 32 bits, where the clamped result 0..255 is exact modulo 2^32.
// Tails go through a small zeroed buffer and the full-vector code, so they are the same
// arithmetic.
#include <immintrin.h>

#include <cstring>

#include "kernels/int8/vector_impl.h"
#include "kernels/kernels.h"

namespace octet::kernels {
namespace {

struct Avx2 : QEvenOddRequant<Avx2> {
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

  struct Rq {
    __m256i m_a, m_b;   // in the low half of each 64-bit lane, as _mm256_mul_epi32 reads them
    __m256i bias;       // bias + 2^63 (mod 2^64)
    __m128i shift;
    __m256i lo, hi;     // (lo - zp) + 2^(63-s), (hi - zp) + 2^(63-s)
    __m256i offset;     // zp - 2^(63-s), mod 2^32
  };

  static Rq requant_consts(int32_t m_a, int32_t m_b, int64_t bias, int32_t shift, int32_t zp, int32_t lo,
                           int32_t hi) {
    const uint64_t top = uint64_t{1} << (63 - shift);
    Rq k;
    k.m_a = _mm256_set1_epi64x(m_a);
    k.m_b = _mm256_set1_epi64x(m_b);
    k.bias = _mm256_set1_epi64x(static_cast<int64_t>(static_cast<uint64_t>(bias) + (uint64_t{1} << 63)));
    k.shift = _mm_cvtsi32_si128(shift);
    k.lo = _mm256_set1_epi64x(static_cast<int64_t>(top) + (int64_t{lo} - zp));
    k.hi = _mm256_set1_epi64x(static_cast<int64_t>(top) + (int64_t{hi} - zp));
    k.offset = _mm256_set1_epi32(static_cast<int32_t>(static_cast<uint32_t>(zp) - static_cast<uint32_t>(top)));
    return k;
  }

  // Offset sums of the even and odd lanes -> clamped uint8 codes in 32-bit lanes.
  static I32 finish(__m256i even, __m256i odd, const Rq& k) {
    even = _mm256_srl_epi64(even, k.shift);
    odd = _mm256_srl_epi64(odd, k.shift);
    even = _mm256_blendv_epi8(even, k.lo, _mm256_cmpgt_epi64(k.lo, even));
    odd = _mm256_blendv_epi8(odd, k.lo, _mm256_cmpgt_epi64(k.lo, odd));
    even = _mm256_blendv_epi8(even, k.hi, _mm256_cmpgt_epi64(even, k.hi));
    odd = _mm256_blendv_epi8(odd, k.hi, _mm256_cmpgt_epi64(odd, k.hi));
    const __m256i y = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
    return _mm256_add_epi32(y, k.offset);
  }

  // The 64-bit lane operations QEvenOddRequant (vector_impl.h) builds requant1/2 from.
  static __m256i mul_even(I32 a, __m256i m) { return _mm256_mul_epi32(a, m); }
  static __m256i add64(__m256i a, __m256i b) { return _mm256_add_epi64(a, b); }
  static I32 odd_down(I32 a) { return _mm256_srli_epi64(a, 32); }

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
};

}  // namespace octet::kernels
