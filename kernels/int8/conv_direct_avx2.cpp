// int8 NHWC direct convolution, AVX2 (the driver is conv_direct_impl.h), for x86-64 CPUs
// without AVX-512 VNNI.
//
// Exact products without VNNI: vpmaddubsw would saturate its int16 pair sums, so the staged
// input is widened to int16 and the weights are packed as int16 w - weight_zp (which also
// removes the weight zero point's input-dependent term: no window sums here). vpmaddwd
// multiplies 2 int16 pairs per int32 lane and adds them exactly (|x * w'| <= 255 * 255), and
// vpaddd accumulates, wrapping like the reference's int32 accumulator.
//
// Micro-kernel: P pixels x V ymm vectors of 8 output channels; per step (2 input channels)
// V weight loads and one 32-bit broadcast per pixel. 16 ymm registers hold P * V
// accumulators, V weights, the broadcast and a product.
//
// Epilogue (bit-exact with requant.h): 64-bit products with vpmuldq on even and odd lanes;
// AVX2 has no 64-bit arithmetic shift: see epilogue() for how each path does without it.
#include <immintrin.h>

#include "kernels/int8/conv_direct_impl.h"

namespace octet::kernels {
namespace {

struct Avx2Micro {
  using T = int16_t;
  using W = int16_t;
  static constexpr int L = 8, E = 2, Vmax = 2;
  static constexpr int P1 = 8, P2 = 5, P3 = 0, P4 = 0;   // most pixels per tile by V
  static constexpr bool kDirect = false, kWindowSum = false;

  static W weight(int32_t w, int32_t zw) { return static_cast<W>(w - zw); }

  static void fill(T* dst, uint8_t v, size_t n) {
    const __m256i f = _mm256_set1_epi16(v);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i), f);
    for (; i < n; ++i) dst[i] = v;
  }
  static void copy(T* dst, const uint8_t* src, size_t n) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i),
                          _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i))));
    for (; i < n; ++i) dst[i] = src[i];
  }
  static void channel_sums(const T*, int32_t, ptrdiff_t, int32_t, int32_t*) {}   // not used

  static int32_t load_u32(const T* p) {
    int32_t v;
    std::memcpy(&v, p, 4);
    return v;
  }

  // The residual bytes of vector i of a tile (8 lanes; n < 8 valid ones are copied out so
  // that nothing past out_c is read).
  static __m256i residual8(const uint8_t* r, int32_t n) {
    if (n >= 8) return _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(r)));
    alignas(16) uint8_t b[16] = {0};
    std::memcpy(b, r, size_t(n));
    return _mm256_cvtepu8_epi32(_mm_load_si128(reinterpret_cast<const __m128i*>(b)));
  }

  template <int P, int V>
  static void tile(const QTileArgs& a, const T* x, const W* w, const int32_t* /*corr*/, uint8_t* y,
                   const uint8_t* res, int32_t lanes) {
    __m256i acc[P * V];
    const int32_t* bias = reinterpret_cast<const int32_t*>(w);
#pragma GCC unroll 16
    for (int p = 0; p < P; ++p)
#pragma GCC unroll 2
      for (int v = 0; v < V; ++v)
        acc[p * V + v] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bias + 8 * v));
    const W* wp = w + 16 * V;   // past V * 8 int32 of bias
    const ptrdiff_t sx = a.x_pixel;
    for (int32_t t = 0; t < a.nsteps; ++t) {
      const T* xp = x + a.step_offset[t];
      const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp));
      const __m256i w1 = V > 1 ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp + 16)) : w0;
      wp += 16 * V;
#pragma GCC unroll 16
      for (int p = 0; p < P; ++p) {
        const __m256i xb = _mm256_set1_epi32(load_u32(xp + p * sx));
        acc[p * V] = _mm256_add_epi32(acc[p * V], _mm256_madd_epi16(xb, w0));
        if constexpr (V > 1) acc[p * V + 1] = _mm256_add_epi32(acc[p * V + 1], _mm256_madd_epi16(xb, w1));
      }
      // Pins each accumulator to one register across the loop's back edge (GCC 12 otherwise
      // keeps two copies and moves them every step).
#pragma GCC unroll 32
      for (int i = 0; i < P * V; ++i) __asm__("" : "+x"(acc[i]));
    }
    epilogue<P, V>(a, acc, y, res, lanes);
  }

  // Requantises the P * V accumulator vectors in place into int32 outputs and stores them.
  template <int P, int V>
  __attribute__((always_inline)) static void epilogue(const QTileArgs& a, __m256i (&acc)[P * V], uint8_t* y,
                                                      const uint8_t* res, int32_t lanes) {
    constexpr int N = P * V;
    auto out_of = [&](int i) __attribute__((always_inline)) { return (i / V) * a.y_pixel + 8 * (i % V); };
    auto valid = [&](int i) __attribute__((always_inline)) { return lanes - 8 * (i % V); };
    const __m256i M = _mm256_set1_epi64x(a.multiplier), MR = _mm256_set1_epi64x(a.res_multiplier);
    const int64_t rnd = int64_t{1} << (a.shift - 1);
    // Fast path (the conditions of conv_direct_vnni.cpp): y fits an int32 lane exactly and
    // zy * 2^s joins the rounding constant C. Without a 64-bit arithmetic shift: for s <= 32
    // the low dword of a logical shift by s is exact (y fits in 31 bits), and the odd lanes
    // shift left by 32 - s to land in the high dword; for s > 32, take the high dwords
    // (X >> 32) of both and shift them arithmetically by s - 32 as int32.
    const bool fast = a.shift <= 52 && int64_t{a.multiplier} <= (int64_t{1} << (a.shift - 1)) &&
                      (res == nullptr || a.shift >= 10 || a.res_multiplier < (1 << (a.shift + 21)));
    if (fast) {
      const __m256i C = _mm256_set1_epi64x(rnd + (int64_t{a.zero_point} << a.shift) -
                                           (res != nullptr ? int64_t{a.res_zero_point} * a.res_multiplier : 0));
      const bool high = a.shift > 32;
      const __m128i S1 = _mm_cvtsi32_si128(high ? a.shift - 32 : a.shift), S2 = _mm_cvtsi32_si128(32 - a.shift);
#pragma GCC unroll 32
      for (int i = 0; i < N; ++i) {
        const __m256i t = acc[i];
        __m256i ev = _mm256_mul_epi32(t, M);
        __m256i od = _mm256_mul_epi32(_mm256_srli_epi64(t, 32), M);
        if (res != nullptr) {   // r as uint8 (zr is in C)
          const __m256i r = residual8(res + out_of(i), valid(i));
          ev = _mm256_add_epi64(ev, _mm256_mul_epi32(r, MR));
          od = _mm256_add_epi64(od, _mm256_mul_epi32(_mm256_srli_epi64(r, 32), MR));
        }
        ev = _mm256_add_epi64(ev, C);
        od = _mm256_add_epi64(od, C);
        if (high) {
          acc[i] = _mm256_sra_epi32(_mm256_blend_epi32(_mm256_srli_epi64(ev, 32), od, 0xAA), S1);
        } else {
          acc[i] = _mm256_blend_epi32(_mm256_srl_epi64(ev, S1), _mm256_sll_epi64(od, S2), 0xAA);
        }
      }
    } else {
      // Any shift: 64-bit arithmetic shift emulated as ((v >>> s) ^ b) - b with b = 2^(63-s),
      // clamp to [lo - zy, hi - zy] with vpcmpgtq + blend, back to int32 lanes, + zy.
      const __m256i RND = _mm256_set1_epi64x(rnd), SB = _mm256_set1_epi64x(int64_t{1} << (63 - a.shift));
      const __m128i SH = _mm_cvtsi32_si128(a.shift);
      const __m256i LO = _mm256_set1_epi64x(a.lo - a.zero_point), HI = _mm256_set1_epi64x(a.hi - a.zero_point);
      const __m256i ZY = _mm256_set1_epi32(a.zero_point), ZR = _mm256_set1_epi32(a.res_zero_point);
      auto finish = [&](__m256i v) __attribute__((always_inline)) {
        v = _mm256_sub_epi64(_mm256_xor_si256(_mm256_srl_epi64(_mm256_add_epi64(v, RND), SH), SB), SB);
        v = _mm256_blendv_epi8(v, LO, _mm256_cmpgt_epi64(LO, v));
        return _mm256_blendv_epi8(v, HI, _mm256_cmpgt_epi64(v, HI));
      };
#pragma GCC unroll 32
      for (int i = 0; i < N; ++i) {
        const __m256i t = acc[i];
        __m256i ev = _mm256_mul_epi32(t, M);
        __m256i od = _mm256_mul_epi32(_mm256_srli_epi64(t, 32), M);
        if (res != nullptr) {
          const __m256i r = _mm256_sub_epi32(residual8(res + out_of(i), valid(i)), ZR);
          ev = _mm256_add_epi64(ev, _mm256_mul_epi32(r, MR));
          od = _mm256_add_epi64(od, _mm256_mul_epi32(_mm256_srli_epi64(r, 32), MR));
        }
        acc[i] = _mm256_add_epi32(_mm256_blend_epi32(finish(ev), _mm256_slli_epi64(finish(od), 32), 0xAA), ZY);
      }
    }
    // Narrow with saturating packs (together a clamp to [0, 255]) and clamp to [lo, hi] on
    // bytes: four vectors per 32-byte store when the tile's outputs are contiguous (its
    // super-block is all of out_c, a multiple of 8), else one vector at a time.
    const __m256i lo8 = _mm256_set1_epi8(static_cast<char>(a.lo)), hi8 = _mm256_set1_epi8(static_cast<char>(a.hi));
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    auto store1 = [&](int i, __m256i v) __attribute__((always_inline)) {
      const __m256i w16 = _mm256_packs_epi32(v, v);
      __m256i b = _mm256_permutevar8x32_epi32(_mm256_packus_epi16(w16, w16), order);
      b = _mm256_min_epu8(_mm256_max_epu8(b, lo8), hi8);   // bytes 0..7: the 8 outputs
      const int32_t n = valid(i);
      if (n >= 8) {
        _mm_storel_epi64(reinterpret_cast<__m128i*>(y + out_of(i)), _mm256_castsi256_si128(b));
      } else {
        alignas(16) uint8_t buf[16];
        _mm_store_si128(reinterpret_cast<__m128i*>(buf), _mm256_castsi256_si128(b));
        std::memcpy(y + out_of(i), buf, size_t(n));
      }
    };
    if (lanes == 8 * V && a.y_pixel == 8 * V) {
#pragma GCC unroll 8
      for (int g = 0; g + 4 <= N; g += 4) {
        const __m256i w01 = _mm256_packs_epi32(acc[g], acc[g + 1]), w23 = _mm256_packs_epi32(acc[g + 2], acc[g + 3]);
        __m256i b = _mm256_permutevar8x32_epi32(_mm256_packus_epi16(w01, w23), order);
        b = _mm256_min_epu8(_mm256_max_epu8(b, lo8), hi8);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(y + 8 * g), b);
      }
#pragma GCC unroll 4
      for (int i = N / 4 * 4; i < N; ++i) store1(i, acc[i]);
    } else {
#pragma GCC unroll 32
      for (int i = 0; i < N; ++i) store1(i, acc[i]);
    }
  }
};

using Impl = QConvDirect<Avx2Micro>;

}  // namespace

const QConvU8Kernel qu8_conv_nhwc_direct_avx2 = {
    "qu8_conv_nhwc_direct_avx2", &Impl::supports, &Impl::packed_bytes, &Impl::pack, &Impl::workspace_bytes,
    &Impl::run, 1,
};

}  // namespace octet::kernels
