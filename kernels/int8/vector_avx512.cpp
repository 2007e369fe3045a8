// The int8 element-wise kernels (kernels/int8/vector.h) for AVX-512 F/BW: 16 int32 or float
// lanes, the loops of kernels/int8/vector_impl.h. Tails use masked loads and stores (masked-off
// bytes are neither read nor written).
// GCC 12's AVX-512 headers seed some intrinsics with a self-initialised "undefined" vector
// (_mm512_undefined_epi32), which -Wmaybe-uninitialized reports once inlined: a false
// positive, silenced in this file only.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include "kernels/int8/vector_impl.h"
#include "kernels/kernels.h"

namespace octet::kernels {
namespace {

struct Avx512 {
  using I32 = __m512i;
  static constexpr int32_t kLanes = 16;

  static __mmask16 first(int32_t n) { return static_cast<__mmask16>((1u << n) - 1); }

  static I32 zero() { return _mm512_setzero_si512(); }
  static I32 add(I32 a, I32 b) { return _mm512_add_epi32(a, b); }
  static I32 splat(int32_t v) { return _mm512_set1_epi32(v); }
  static I32 sub(I32 a, I32 b) { return _mm512_sub_epi32(a, b); }
  static I32 mullo(I32 a, I32 b) { return _mm512_mullo_epi32(a, b); }

  static I32 load_u8(const uint8_t* p) {
    return _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  }
  // A 512-bit masked load (AVX512BW), so that no VL instruction is needed.
  static I32 load_u8_tail(const uint8_t* p, int32_t n) {
    return _mm512_cvtepu8_epi32(_mm512_castsi512_si128(_mm512_maskz_loadu_epi8(first(n), p)));
  }
  static void store_u8(uint8_t* p, I32 v) { _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm512_cvtepi32_epi8(v)); }
  static void store_u8_tail(uint8_t* p, I32 v, int32_t n) { _mm512_mask_cvtepi32_storeu_epi8(p, first(n), v); }

  using F32 = __m512;
  static F32 splat_f(float v) { return _mm512_set1_ps(v); }
  static F32 to_f32(I32 a) { return _mm512_cvtepi32_ps(a); }
  static F32 add_f(F32 a, F32 b) { return _mm512_add_ps(a, b); }
  static F32 mul_f(F32 a, F32 b) { return _mm512_mul_ps(a, b); }
  static F32 div_f(F32 a, F32 b) { return _mm512_div_ps(a, b); }
  static F32 fma_f(F32 a, F32 b, F32 c) { return _mm512_fmadd_ps(a, b, c); }
  static I32 round_clamped(F32 t, F32 lo, F32 hi) {   // cvtps: nearest-even (MXCSR default)
    return _mm512_cvtps_epi32(_mm512_min_ps(_mm512_max_ps(t, lo), hi));
  }

  // As vector_avx2.cpp: NaN zeroed, the quotient clamped to [-zp, 255 - zp], rounded to
  // nearest-even by cvtps (MXCSR default), zp added.
  struct Qc {
    __m512 scale, lo, hi;
    __m512i zp;
  };
  static Qc quantize_consts(float scale, int32_t zp) {
    return {_mm512_set1_ps(scale), _mm512_set1_ps(static_cast<float>(-zp)), _mm512_set1_ps(static_cast<float>(255 - zp)),
            _mm512_set1_epi32(zp)};
  }
  static I32 quantize_vector(__m512 x, const Qc& k) {
    __m512 t = _mm512_div_ps(x, k.scale);   // a true division, as ONNX
    t = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(t, t, _CMP_ORD_Q), t);
    t = _mm512_min_ps(_mm512_max_ps(t, k.lo), k.hi);
    return _mm512_add_epi32(_mm512_cvtps_epi32(t), k.zp);
  }
  static void quantize(const float* x, uint8_t* q, const Qc& k) { store_u8(q, quantize_vector(_mm512_loadu_ps(x), k)); }
  // 16 pixels of three planes into 48 bytes of triples (vector_impl.h's quantize_planes): the
  // three codes (each 0..255) of a pixel go into the low bytes of its dword, vpshufb drops each
  // dword's fourth byte within the 128-bit lanes, and each lane's 12 bytes are a masked store.
  static void quantize3(const float* x, int64_t plane, uint8_t* q, const Qc& k) {
    const __m512i c0 = quantize_vector(_mm512_loadu_ps(x), k);
    const __m512i c1 = quantize_vector(_mm512_loadu_ps(x + plane), k);
    const __m512i c2 = quantize_vector(_mm512_loadu_ps(x + 2 * plane), k);
    const __m512i rgb = _mm512_or_si512(c0, _mm512_or_si512(_mm512_slli_epi32(c1, 8), _mm512_slli_epi32(c2, 16)));
    const __m512i drop = _mm512_broadcast_i32x4(_mm_setr_epi8(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1));
    const __m512i t = _mm512_shuffle_epi8(rgb, drop);
    constexpr __mmask16 k12 = 0x0FFF;
    _mm_mask_storeu_epi8(q, k12, _mm512_castsi512_si128(t));
    _mm_mask_storeu_epi8(q + 12, k12, _mm512_extracti32x4_epi32(t, 1));
    _mm_mask_storeu_epi8(q + 24, k12, _mm512_extracti32x4_epi32(t, 2));
    _mm_mask_storeu_epi8(q + 36, k12, _mm512_extracti32x4_epi32(t, 3));
  }
  static void quantize_tail(const float* x, uint8_t* q, int32_t n, const Qc& k) {
    store_u8_tail(q, quantize_vector(_mm512_maskz_loadu_ps(first(n), x), k), n);
  }

  struct Dc {
    __m512 scale;
    __m512i zp;
  };
  static Dc dequantize_consts(float scale, int32_t zp) { return {_mm512_set1_ps(scale), _mm512_set1_epi32(zp)}; }
  static __m512 dequantize_vector(I32 q, const Dc& k) {
    return _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(q, k.zp)), k.scale);
  }
  static void dequantize(const uint8_t* q, float* x, const Dc& k) { _mm512_storeu_ps(x, dequantize_vector(load_u8(q), k)); }
  static void dequantize_tail(const uint8_t* q, float* x, int32_t n, const Dc& k) {
    _mm512_mask_storeu_ps(x, first(n), dequantize_vector(load_u8_tail(q, n), k));
  }
};

// y = table[x]. With AVX-512 VBMI, 64 bytes at a time: two vpermi2b look up the 128-entry
// halves of the table and the index's top bit picks one; tails are masked loads and stores.
// VBMI is not among this file's flags (F/BW/DQ/VL: Skylake-SP has no VBMI) and not an ISA of
// the kernel table, so it is checked here at run time and its function carries its own target
// attribute; without it the plain loop of vector_impl.h runs. Both give the table's bytes.
__attribute__((target("avx512vbmi"))) void lookup_vbmi(int64_t n, const uint8_t* table, const uint8_t* x, uint8_t* y) {
  const __m512i t0 = _mm512_loadu_si512(table), t1 = _mm512_loadu_si512(table + 64);
  const __m512i t2 = _mm512_loadu_si512(table + 128), t3 = _mm512_loadu_si512(table + 192);
  for (int64_t i = 0; i < n; i += 64) {
    const __mmask64 m = n - i >= 64 ? ~__mmask64{0} : (__mmask64{1} << (n - i)) - 1;
    const __m512i v = _mm512_maskz_loadu_epi8(m, x + i);
    const __m512i low = _mm512_permutex2var_epi8(t0, v, t1), high = _mm512_permutex2var_epi8(t2, v, t3);
    _mm512_mask_storeu_epi8(y + i, m, _mm512_mask_blend_epi8(_mm512_movepi8_mask(v), low, high));
  }
}

void lookup(int64_t n, const uint8_t* table, const uint8_t* x, uint8_t* y) {
  if (__builtin_cpu_supports("avx512vbmi")) return lookup_vbmi(n, table, x, y);
  QVectorImpl<Avx512>::lookup(n, table, x, y);
}

}  // namespace

const VectorQU8Kernels qu8_vector_avx512 = {
    "qu8_vector_avx512",
    &QVectorImpl<Avx512>::quantize,
    &QVectorImpl<Avx512>::dequantize,
    &QVectorImpl<Avx512>::add,
    &QVectorImpl<Avx512>::average,
    &QVectorImpl<Avx512>::global_average,
    &QVectorImpl<Avx512>::mul,
    &lookup,
    &QVectorImpl<Avx512>::quantize_planes,
};

}  // namespace octet::kernels
