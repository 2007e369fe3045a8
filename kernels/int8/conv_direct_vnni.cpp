// int8 NHWC direct convolution, AVX-512 VNNI (the driver is conv_direct_impl.h).
//
// Micro-kernel: P output pixels x V vectors of 16 output channels, P * V zmm int32
// accumulators held for the whole reduction. Per step (4 input channels of one run) it loads
// V weight vectors (16 lanes x 4 int8) and, per pixel, broadcasts the pixel's 4 input bytes
// into a register (vpbroadcastd): vpdpbusd takes its *signed* operand from memory, so the
// embedded-broadcast form would broadcast weights, not the uint8 activations. On Zen 4 the
// separate broadcast costs nothing: P = 8..16 with V = 1, or P = 12 with V = 2, run the
// dpbusd at the measured peak. vpdpbusd adds 4 exact u8 x s8 products into each int32
// lane, wrapping like the reference's int32 accumulator.
//
// Epilogue (bit-exact with requant.h's requantize_float, ONNX Runtime's MlasRequantizeOutput):
// vcvtdq2ps, vmulps by the tile's scale vectors (loaded once per tile), vminps to hi - zy,
// vcvtps2dq (round half to even under the default MXCSR), then in store() + zy and the low
// clamp on the packed int16 words (requantize() says why the low clamp may follow the
// rounding, store() why the words give the same bytes); stores past out_c are masked.
// round_before_residual (kernels/int8/conv.h) rounds to c with vrndscaleps in the current
// rounding mode (requantize_add says why that is vcvtps2dq's value), then adds the residual as
// qadd_float does: two vfmadd in the Add's operand order, clamp, vcvtps2dq. Each is one
// correctly rounded IEEE operation per step, so the bytes equal the scalar reference's. An output table (a Concat's requantisation, conv.h) maps the packed
// bytes with two vpermi2b and a blend (AVX-512 VBMI: supports() asks cpu_runs_vnni_vbmi).
// GCC 12's AVX-512 headers seed some intrinsics with a self-initialised "undefined" vector
// (_mm512_undefined_epi32), which -Wuninitialized reports once the intrinsic is inlined.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include "kernels/dispatch/isa.h"
#include "kernels/int8/conv_direct_impl.h"
#include "kernels/int8/conv_direct_vnni_epilogue.h"
#include "kernels/kernels.h"

namespace octet::kernels {
namespace {

// The tiles; their epilogues (requantisation, output table, stores) are VnniEpilogue's.
struct VnniMicro : VnniEpilogue {
  using T = uint8_t;
  using W = int8_t;
  static constexpr int L = 16, E = 4, Vmax = 4;
  static constexpr int P1 = 16, P2 = 12, P3 = 8, P4 = 6;   // most pixels per tile by V
  static constexpr int PP = 16;   // most pixels per paired tile (tile_pair)
  static constexpr bool kDirect = true, kWindowSum = true, kUnclamped = true, kPair = true;

  static W weight(int32_t w, int32_t /*zw: handled by the window sum*/) { return static_cast<W>(w); }
  // Staging moves a few hundred bytes at a time (a padded row) and fills a pixel or two of
  // zero point at each end: inline 64-byte moves with a masked tail cost a fraction of a
  // memcpy / memset call at these sizes.
  static void fill(T* dst, uint8_t v, size_t n) {
    const __m512i b = _mm512_set1_epi8(static_cast<char>(v));
    for (; n >= 64; n -= 64, dst += 64) _mm512_storeu_si512(dst, b);
    if (n > 0) _mm512_mask_storeu_epi8(dst, _cvtu64_mask64((~uint64_t{0}) >> (64 - n)), b);
  }
  static void copy(T* dst, const uint8_t* src, size_t n) {
    for (; n >= 64; n -= 64, dst += 64, src += 64) _mm512_storeu_si512(dst, _mm512_loadu_si512(src));
    if (n > 0) {
      const __mmask64 m = _cvtu64_mask64((~uint64_t{0}) >> (64 - n));
      _mm512_mask_storeu_epi8(dst, m, _mm512_maskz_loadu_epi8(m, src));
    }
  }

  // out[i] = Σ_{c < C} x[i * stride + c] (the window sums for weight_zp != 0). vpsadbw
  // against zero sums 8 bytes into each 64-bit lane.
  static void channel_sums(const T* x, int32_t n, ptrdiff_t stride, int32_t C, int32_t* out) {
    const __m512i zero = _mm512_setzero_si512();
    int32_t i = 0;
    if (C == 16) {
      // 16 pixels per round: one pixel per 128-bit lane (one load when they are adjacent);
      // fold each lane's two 8-byte sums, then gather the 16 lane sums into one vector.
      const __m512i pick = _mm512_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28, 0, 0, 0, 0, 0, 0, 0, 0);
      const __m512i join = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
      auto px = [&](int32_t j) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(x + j * stride)); };
      for (; i + 16 <= n; i += 16) {
        __m512i t[4];
#pragma GCC unroll 4
        for (int k = 0; k < 4; ++k) {
          const int32_t j = i + 4 * k;
          __m512i v;
          if (stride == 16) {
            v = _mm512_loadu_si512(x + j * 16);
          } else {
            v = _mm512_castsi128_si512(px(j));
            v = _mm512_inserti32x4(v, px(j + 1), 1);
            v = _mm512_inserti32x4(v, px(j + 2), 2);
            v = _mm512_inserti32x4(v, px(j + 3), 3);
          }
          const __m512i sad = _mm512_sad_epu8(v, zero);
          t[k] = _mm512_add_epi64(sad, _mm512_bsrli_epi128(sad, 8));
        }
        const __m512i lo = _mm512_permutex2var_epi32(t[0], pick, t[1]);
        const __m512i hi = _mm512_permutex2var_epi32(t[2], pick, t[3]);
        _mm512_storeu_si512(out + i, _mm512_permutex2var_epi32(lo, join, hi));
      }
    }
    if (C == 16 || C == 32) {   // the rest, one pixel at a time in one xmm / ymm
      for (; i < n; ++i) {
        const T* p = x + i * stride;
        __m128i q = _mm_sad_epu8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), _mm512_castsi512_si128(zero));
        if (C == 32)
          q = _mm_add_epi64(q, _mm_sad_epu8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16)),
                                            _mm512_castsi512_si128(zero)));
        out[i] = _mm_cvtsi128_si32(_mm_add_epi64(q, _mm_unpackhi_epi64(q, q)));
      }
      return;
    }
    if (C % 8 == 0) {
      for (; i < n; ++i) {
        const T* p = x + i * stride;
        __m512i acc = zero;
        for (int32_t c = 0; c < C; c += 64) {
          const int32_t rem = C - c;
          const __mmask64 m = rem >= 64 ? ~__mmask64{0} : (__mmask64{1} << rem) - 1;
          acc = _mm512_add_epi64(acc, _mm512_sad_epu8(_mm512_maskz_loadu_epi8(m, p + c), zero));
        }
        const __m256i h = _mm256_add_epi64(_mm512_castsi512_si256(acc), _mm512_extracti64x4_epi64(acc, 1));
        const __m128i q = _mm_add_epi64(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
        out[i] = _mm_cvtsi128_si32(_mm_add_epi64(q, _mm_unpackhi_epi64(q, q)));
      }
      return;
    }
    if (C <= 4 && stride == C) {
      // Adjacent pixels of at most 4 channels (the RGB stem): lane k of a vector takes the 16
      // bytes at pixel 4k, vpshufb spreads pixel j of the lane into dword j (zero-filled), and
      // vpdpbusd with all-ones weights sums each dword. Stops while the lane loads stay
      // inside the n pixels.
      alignas(16) int8_t spread[16];
      for (int d = 0; d < 16; ++d) spread[d] = d % 4 < C ? static_cast<int8_t>(d / 4 * C + d % 4) : int8_t(-128);
      const __m512i shuf = _mm512_broadcast_i32x4(_mm_load_si128(reinterpret_cast<const __m128i*>(spread)));
      const __m512i ones = _mm512_set1_epi8(1);
      auto lane = [&](int32_t j) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(x + j * C)); };
      for (; (i + 16) * C + 16 <= n * C; i += 16) {
        __m512i v = _mm512_castsi128_si512(lane(i));
        v = _mm512_inserti32x4(v, lane(i + 4), 1);
        v = _mm512_inserti32x4(v, lane(i + 8), 2);
        v = _mm512_inserti32x4(v, lane(i + 12), 3);
        _mm512_storeu_si512(out + i, _mm512_dpbusd_epi32(zero, _mm512_shuffle_epi8(v, shuf), ones));
      }
    }
    switch (C) {   // the rest: a few bytes per pixel
      case 1: return sums_of<1>(x + i * stride, n - i, stride, out + i);
      case 2: return sums_of<2>(x + i * stride, n - i, stride, out + i);
      case 3: return sums_of<3>(x + i * stride, n - i, stride, out + i);
      case 4: return sums_of<4>(x + i * stride, n - i, stride, out + i);
      default:
        for (; i < n; ++i) {
          const T* p = x + i * stride;
          int32_t t = 0;
          for (int32_t c = 0; c < C; ++c) t += p[c];
          out[i] = t;
        }
    }
  }
  template <int C>
  static void sums_of(const T* __restrict x, int32_t n, ptrdiff_t stride, int32_t* __restrict out) {
    for (int32_t i = 0; i < n; ++i, x += stride) {
      int32_t t = 0;
#pragma GCC unroll 4
      for (int c = 0; c < C; ++c) t += x[c];
      out[i] = t;
    }
  }

  static int32_t load_u32(const T* p) {
    int32_t v;
    std::memcpy(&v, p, 4);
    return v;
  }

  template <int P, int V, int Kind>
  static void tile(const QTileArgs& a, const T* x, const W* w, const int32_t* corr, uint8_t* y,
                   const uint8_t* res, int32_t lanes) {
    __m512i acc[P * V];
    const int32_t* bias = reinterpret_cast<const int32_t*>(w);
    if (corr != nullptr) {   // the -zw * Σx term of each pixel
#pragma GCC unroll 16
      for (int p = 0; p < P; ++p)
#pragma GCC unroll 4
        for (int v = 0; v < V; ++v)
          acc[p * V + v] = _mm512_add_epi32(_mm512_loadu_si512(bias + 16 * v), _mm512_set1_epi32(corr[p]));
    } else {
#pragma GCC unroll 16
      for (int p = 0; p < P; ++p)
#pragma GCC unroll 4
        for (int v = 0; v < V; ++v) acc[p * V + v] = _mm512_loadu_si512(bias + 16 * v);
    }
    const W* wp = w + 64 * V;
    const ptrdiff_t sx = a.x_pixel;
    for (int32_t t = 0; t < a.nsteps; ++t) {
      const T* xp = x + a.step_offset[t];
      // Named weight vectors, not an array: GCC keeps an array of vectors in memory here.
      const __m512i w0 = _mm512_loadu_si512(wp);
      const __m512i w1 = V > 1 ? _mm512_loadu_si512(wp + 64) : w0;
      const __m512i w2 = V > 2 ? _mm512_loadu_si512(wp + 128) : w0;
      const __m512i w3 = V > 3 ? _mm512_loadu_si512(wp + 192) : w0;
      wp += 64 * V;
#pragma GCC unroll 16
      for (int p = 0; p < P; ++p) {
        const __m512i xb = _mm512_set1_epi32(load_u32(xp + p * sx));
        acc[p * V] = _mm512_dpbusd_epi32(acc[p * V], xb, w0);
        if constexpr (V > 1) acc[p * V + 1] = _mm512_dpbusd_epi32(acc[p * V + 1], xb, w1);
        if constexpr (V > 2) acc[p * V + 2] = _mm512_dpbusd_epi32(acc[p * V + 2], xb, w2);
        if constexpr (V > 3) acc[p * V + 3] = _mm512_dpbusd_epi32(acc[p * V + 3], xb, w3);
      }
      // Pins each accumulator to one register across the loop's back edge; without it GCC 12
      // keeps two copies of each and moves them back and forth every step.
#pragma GCC unroll 32
      for (int i = 0; i < P * V; ++i) __asm__("" : "+v"(acc[i]));
    }
    const __mmask16 tail = static_cast<__mmask16>(lanes >= 16 * V ? 0xFFFF : (1u << (lanes - 16 * (V - 1))) - 1);
    __m512 S[V];
    load_scales<V>(a, S);
    auto scale = [&](int i) __attribute__((always_inline)) { return S[i % V]; };
    if constexpr (Kind == 1) {
      requantize_add(a, acc, scale, [&](int i) __attribute__((always_inline)) {
        return _mm_maskz_loadu_epi8(i % V == V - 1 ? tail : __mmask16(0xFFFF), res + (i / V) * a.y_pixel + 16 * (i % V));
      });
      store<P, V, false, kFinal>(a, acc, y, lanes, tail);
    } else if constexpr (Kind == 3) {
      requantize_unclamped(acc, scale);
      store<P, V, false, kAddZero>(a, acc, y, lanes, tail);
    } else {
      requantize(a, acc, scale);
      store<P, V, Kind == 2, kAddZeroClamp>(a, acc, y, lanes, tail);
    }
  }

  // The paired tile (conv_direct_impl.h): P pixels of a super-block of two vectors whose second
  // holds at most 8 channels, packed twice. acc[p] (p < P) holds channels 0-15 of pixel p;
  // acc[P + j] channels 16-23 of pixel 2j in its low half and of pixel 2j + 1 in its high half,
  // fed by the two pixels' broadcasts joined (vshufi64x2: the low half of one, the high of the
  // other). An odd P leaves the last pair's high half to a repeat of its first pixel, unstored.
  template <int P, int Kind>
  static void tile_pair(const QTileArgs& a, const T* x, const W* w, const int32_t* corr, uint8_t* y,
                        const uint8_t* res, int32_t lanes) {
    constexpr int Q = (P + 1) / 2, N = P + Q;
    auto second = [](int j) __attribute__((always_inline)) { return 2 * j + 1 < P ? 2 * j + 1 : 2 * j; };
    __m512i acc[N];
    const int32_t* bias = reinterpret_cast<const int32_t*>(w);
    const __m512i b0 = _mm512_loadu_si512(bias), b1 = _mm512_loadu_si512(bias + 16);
#pragma GCC unroll 16
    for (int p = 0; p < P; ++p) acc[p] = corr != nullptr ? _mm512_add_epi32(b0, _mm512_set1_epi32(corr[p])) : b0;
#pragma GCC unroll 8
    for (int j = 0; j < Q; ++j)
      acc[P + j] = corr != nullptr ? _mm512_add_epi32(b1, _mm512_mask_blend_epi32(0xFF00, _mm512_set1_epi32(corr[2 * j]),
                                                                                  _mm512_set1_epi32(corr[second(j)])))
                                   : b1;
    const W* wp = w + 128;
    const ptrdiff_t sx = a.x_pixel;
    for (int32_t t = 0; t < a.nsteps; ++t) {
      const T* xp = x + a.step_offset[t];
      const __m512i w0 = _mm512_loadu_si512(wp), w1 = _mm512_loadu_si512(wp + 64);
      wp += 128;
#pragma GCC unroll 8
      for (int j = 0; j < Q; ++j) {
        const __m512i xa = _mm512_set1_epi32(load_u32(xp + 2 * j * sx));
        acc[2 * j] = _mm512_dpbusd_epi32(acc[2 * j], xa, w0);
        if (2 * j + 1 < P) {
          const __m512i xb = _mm512_set1_epi32(load_u32(xp + (2 * j + 1) * sx));
          acc[2 * j + 1] = _mm512_dpbusd_epi32(acc[2 * j + 1], xb, w0);
          acc[P + j] = _mm512_dpbusd_epi32(acc[P + j], _mm512_shuffle_i64x2(xa, xb, 0), w1);
        } else {
          acc[P + j] = _mm512_dpbusd_epi32(acc[P + j], xa, w1);
        }
      }
#pragma GCC unroll 32
      for (int i = 0; i < N; ++i) __asm__("" : "+v"(acc[i]));   // as in tile()
    }
    const __m512 S0 = _mm512_loadu_ps(a.scales), S1 = _mm512_loadu_ps(a.scales + 16);
    auto scale = [&](int i) __attribute__((always_inline)) { return i < P ? S0 : S1; };
    const __mmask16 m8 = static_cast<__mmask16>((1u << (lanes - 16)) - 1);   // channels 16.. of a pixel
    if constexpr (Kind == 1) {
      requantize_add(a, acc, scale, [&](int i) __attribute__((always_inline)) {
        if (i < P) return _mm_loadu_si128(reinterpret_cast<const __m128i*>(res + i * a.y_pixel));
        const int j = i - P;
        const __m128i lo = _mm_maskz_loadu_epi8(m8, res + 2 * j * a.y_pixel + 16);
        // The high 8 bytes from the second pixel's channels 16..: a load 8 bytes before them,
        // its low 8 bytes masked off (not read).
        return 2 * j + 1 < P ? _mm_mask_loadu_epi8(lo, static_cast<__mmask16>(m8 << 8), res + (2 * j + 1) * a.y_pixel + 8) : lo;
      });
      store_pair<P, false, kFinal>(a, acc, y, lanes);
    } else if constexpr (Kind == 3) {
      requantize_unclamped(acc, scale);
      store_pair<P, false, kAddZero>(a, acc, y, lanes);
    } else {
      requantize(a, acc, scale);
      store_pair<P, Kind == 2, kAddZeroClamp>(a, acc, y, lanes);
    }
  }
};

using Impl = QConvDirect<VnniMicro>;

}  // namespace

const QConvU8Kernel qu8_conv_nhwc_direct_vnni = {
    "qu8_conv_nhwc_direct_vnni", &Impl::supports, &Impl::packed_bytes, &Impl::pack, &Impl::workspace_bytes,
    &Impl::run, 1,
};

}  // namespace octet::kernels
