// AVX2 int8 depthwise convolution (kernels/int8/dwconv.h), bit-exact with the reference
// (kernels/reference/qdwconv.h). Eight channels per vector: per tap, the input's uint8 codes
// widened to int32 minus input_zp, times the packed int32 weights w' (vpmulld), added to the
// accumulator (wrapping, as the reference's int32 does). Only taps inside the input are
// visited (the window's ranges per output pixel), so padding needs no fill. The epilogue is
// requant.h's in 64-bit lanes (vpmuldq on even and odd lanes), with the biased logical
// shift of dwconv_pack.h standing in for the 64-bit arithmetic shift AVX2 lacks. A partial
// last vector (channels % 8) goes through a small buffer, so no byte outside the image is read
// or written.
#include <immintrin.h>

#include <cstring>

#include "kernels/int8/dwconv.h"
#include "kernels/int8/dwconv_pack.h"
#include "kernels/kernels.h"

namespace octet::kernels {
namespace {

struct Consts {
  __m256i round, low, high, offset;
  __m128i shift;
};

inline __m256i clamp64(__m256i v, __m256i lo, __m256i hi) {
  v = _mm256_blendv_epi8(v, lo, _mm256_cmpgt_epi64(lo, v));
  return _mm256_blendv_epi8(v, hi, _mm256_cmpgt_epi64(v, hi));
}

// y = clamp(zp + rounding_shift(acc * m, shift), lo, hi) per int32 lane, as 8 bytes.
inline uint64_t requantize8(__m256i acc, __m256i m, const Consts& k) {
  __m256i even = _mm256_mul_epi32(acc, m);
  __m256i odd = _mm256_mul_epi32(_mm256_srli_epi64(acc, 32), _mm256_srli_epi64(m, 32));
  even = _mm256_sub_epi64(clamp64(_mm256_srl_epi64(_mm256_add_epi64(even, k.round), k.shift), k.low, k.high), k.offset);
  odd = _mm256_sub_epi64(clamp64(_mm256_srl_epi64(_mm256_add_epi64(odd, k.round), k.shift), k.low, k.high), k.offset);
  const __m256i y = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);   // int32 lanes in [0, 255]
  const __m256i words = _mm256_packus_epi32(y, y);
  const __m256i bytes = _mm256_packus_epi16(words, words);   // bytes 0-3 in lane 0, 4-7 in lane 1
  const __m128i both = _mm_unpacklo_epi32(_mm256_castsi256_si128(bytes), _mm256_extracti128_si256(bytes, 1));
  return static_cast<uint64_t>(_mm_cvtsi128_si64(both));
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
  const Consts k{_mm256_set1_epi64x(e.round), _mm256_set1_epi64x(e.low), _mm256_set1_epi64x(e.high),
                 _mm256_set1_epi64x(e.offset), _mm_cvtsi32_si128(p.requant.shift)};
  const __m256i zx = _mm256_set1_epi32(p.input_zero_point);
  const __m256i m_tensor = _mm256_set1_epi32(p.requant.multiplier);
  const int32_t full = channels / 8 * 8;
  dw_for_each_pixel(s, output, oh_begin, oh_end, [&](const DwPixel& px) {
    // One block of 8 channels from c; `x_at(tap pointer)` loads its 8 input codes.
    auto block = [&](int32_t c, auto x_at) {
      __m256i acc = _mm256_load_si256(reinterpret_cast<const __m256i*>(bias + c));
      for (int32_t kh = 0; kh < s.kernel_h; ++kh) {
        const int32_t* w_row = weight + int64_t{kh} * s.kernel_w * cp + c;
        auto w_at = [&](int32_t kw) { return _mm256_load_si256(reinterpret_cast<const __m256i*>(w_row + int64_t{kw} * cp)); };
        const bool row_inside = kh >= px.rows.first && kh < px.rows.end;
        const int32_t first = row_inside ? px.cols.first : s.kernel_w, end = row_inside ? px.cols.end : s.kernel_w;
        for (int32_t kw = 0; kw < first; ++kw) acc = _mm256_add_epi32(acc, _mm256_madd_epi16(zx, w_at(kw)));
        if (first < end) {
          const uint8_t* x_row = input + (int64_t{px.ih0 + kh * s.dilation_h} * s.in_w + px.iw0) * channels + c;
          for (int32_t kw = first; kw < end; ++kw) {
            const __m256i x = _mm256_cvtepu8_epi32(x_at(x_row + int64_t{kw} * s.dilation_w * channels));
            acc = _mm256_add_epi32(acc, _mm256_madd_epi16(x, w_at(kw)));
          }
        }
        for (int32_t kw = end; kw < s.kernel_w; ++kw) acc = _mm256_add_epi32(acc, _mm256_madd_epi16(zx, w_at(kw)));
      }
      return acc;
    };
    auto load8 = [](const uint8_t* x) { return _mm_loadl_epi64(reinterpret_cast<const __m128i*>(x)); };
    for (int32_t c = 0; c < full; c += 8) {
      const __m256i m = p.channel_multipliers != nullptr
                            ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.channel_multipliers + c))
                            : m_tensor;
      const uint64_t out = requantize8(block(c, load8), m, k);
      std::memcpy(px.y + c, &out, 8);
    }
    if (full < channels) {
      const size_t rest = size_t(channels - full);
      auto load_rest = [rest](const uint8_t* x) {
        uint64_t bytes = 0;
        std::memcpy(&bytes, x, rest);
        return _mm_cvtsi64_si128(static_cast<long long>(bytes));
      };
      int32_t mult[8] = {};
      for (size_t i = 0; i < rest; ++i)
        mult[i] = p.channel_multipliers != nullptr ? p.channel_multipliers[size_t(full) + i] : p.requant.multiplier;
      const uint64_t out = requantize8(block(full, load_rest), _mm256_loadu_si256(reinterpret_cast<const __m256i*>(mult)), k);
      std::memcpy(px.y + full, &out, rest);
    }
  });
}

bool supports(const QConvParams& p) { return qdwconv_supported(p); }

}  // namespace

const QDwConvU8Kernel qu8_dwconv_nhwc_avx2 = {
    "qu8_dwconv_nhwc_avx2", &supports, &packed_bytes, &pack, &run,
};

}  // namespace octet::kernels
