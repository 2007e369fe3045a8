// AVX-512 int8 depthwise convolution (kernels/int8/dwconv.h), bit-exact with the reference
// (kernels/reference/qdwconv.h): the AVX2 variant's scheme on sixteen channels per vector,
// with masked loads and stores for a partial last vector (channels % 16) and AVX-512's 64-bit
// min / max for the epilogue's clamp. No VNNI variant: see dwconv.h.
// GCC 12's AVX-512 headers seed some intrinsics with a self-initialised "undefined" vector
// (_mm512_undefined_epi32), which -Wmaybe-uninitialized reports once inlined: a false
// positive, silenced in this file only (as in vector_avx512.cpp).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include "kernels/int8/dwconv.h"
#include "kernels/int8/dwconv_pack.h"
#include "kernels/kernels.h"

namespace octet::kernels {
namespace {

struct Consts {
  __m512i round, low, high, offset;
  __m128i shift;
};

inline __m512i finish64(__m512i v, const Consts& k) {
  v = _mm512_srl_epi64(_mm512_add_epi64(v, k.round), k.shift);
  return _mm512_sub_epi64(_mm512_min_epi64(_mm512_max_epi64(v, k.low), k.high), k.offset);
}

// y = clamp(zp + rounding_shift(acc * m, shift), lo, hi) per int32 lane, as 16 bytes.
inline __m128i requantize16(__m512i acc, __m512i m, const Consts& k) {
  const __m512i even = finish64(_mm512_mul_epi32(acc, m), k);
  const __m512i odd = finish64(_mm512_mul_epi32(_mm512_srli_epi64(acc, 32), _mm512_srli_epi64(m, 32)), k);
  return _mm512_cvtepi32_epi8(_mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32)));
}

size_t packed_bytes(const QConvParams& p) { return dw_packed_bytes(p); }
void pack(const QConvParams& p, const int8_t* weight, const int32_t* bias, void* packed) { dw_pack(p, weight, bias, packed); }

void run(const QConvParams& p, const void* packed, const uint8_t* input, uint8_t* output, int32_t oh_begin,
         int32_t oh_end) {
  const ConvNhwcParams& s = p.shape;
  const int32_t channels = s.out_c, cp = dw_padded_channels(p);
  const int32_t* bias = static_cast<const int32_t*>(packed);
  const int32_t* weight = bias + cp;
  const DwEpilogue e = dw_epilogue(p);
  const Consts k{_mm512_set1_epi64(e.round), _mm512_set1_epi64(e.low), _mm512_set1_epi64(e.high),
                 _mm512_set1_epi64(e.offset), _mm_cvtsi32_si128(p.requant.shift)};
  const __m512i zx = _mm512_set1_epi32(p.input_zero_point);
  const __m512i m_tensor = _mm512_set1_epi32(p.requant.multiplier);
  dw_for_each_pixel(s, output, oh_begin, oh_end, [&](const DwPixel& px) {
    for (int32_t c = 0; c < channels; c += 16) {
      const int32_t n = channels - c < 16 ? channels - c : 16;
      const __mmask16 mask = static_cast<__mmask16>((1u << n) - 1u);
      __m512i acc = _mm512_load_si512(bias + c);
      for (int32_t kh = 0; kh < s.kernel_h; ++kh) {
        const int32_t* w_row = weight + int64_t{kh} * s.kernel_w * cp + c;
        const bool row_inside = kh >= px.rows.first && kh < px.rows.end;
        const int32_t first = row_inside ? px.cols.first : s.kernel_w, end = row_inside ? px.cols.end : s.kernel_w;
        for (int32_t kw = 0; kw < first; ++kw)
          acc = _mm512_add_epi32(acc, _mm512_madd_epi16(zx, _mm512_load_si512(w_row + int64_t{kw} * cp)));
        if (first < end) {
          const uint8_t* x_row = input + (int64_t{px.ih0 + kh * s.dilation_h} * s.in_w + px.iw0) * channels + c;
          for (int32_t kw = first; kw < end; ++kw) {
            const __m512i x = _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(mask, x_row + int64_t{kw} * s.dilation_w * channels));
            acc = _mm512_add_epi32(acc, _mm512_madd_epi16(x, _mm512_load_si512(w_row + int64_t{kw} * cp)));
          }
        }
        for (int32_t kw = end; kw < s.kernel_w; ++kw)
          acc = _mm512_add_epi32(acc, _mm512_madd_epi16(zx, _mm512_load_si512(w_row + int64_t{kw} * cp)));
      }
      const __m512i m = p.channel_multipliers != nullptr ? _mm512_maskz_loadu_epi32(mask, p.channel_multipliers + c)
                                                         : m_tensor;
      _mm_mask_storeu_epi8(px.y + c, mask, requantize16(acc, m, k));
    }
  });
}

bool supports(const QConvParams& p) { return qdwconv_supported(p); }

}  // namespace

const QDwConvU8Kernel qu8_dwconv_nhwc_avx512 = {
    "qu8_dwconv_nhwc_avx512", &supports, &packed_bytes, &pack, &run,
};

}  // namespace octet::kernels
