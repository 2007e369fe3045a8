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
// Epilogue (bit-exact with requant.h): 64-bit products with vpmuldq on even and odd lanes
// (by the layer's multiplier, or per-channel weights' per-lane multipliers, a separately
// compiled epilogue so that the per-tensor one is unchanged);
// AVX2 has no 64-bit arithmetic shift: see requantize() for how each path does without it.
// round_before_residual runs that arithmetic twice: the conv into c - zc, clamped, then the
// Add with the residual (QStage, conv_direct_impl.h).
#include <immintrin.h>

#include "kernels/int8/conv_direct_impl.h"
#include "kernels/kernels.h"

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

  static constexpr int kKinds = 1;   // one epilogue, its paths chosen at run time
  static int32_t epilogue_kind(const QTileArgs&, bool) { return 0; }

  template <int P, int V, int /*kind*/>
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
  // With round_before_residual, two stages: c - zc (clamped to c's [0, 255]), then the Add.
  template <int P, int V>
  __attribute__((always_inline)) static void epilogue(const QTileArgs& a, __m256i (&acc)[P * V], uint8_t* y,
                                                      const uint8_t* res, int32_t lanes) {
    constexpr int N = P * V;
    if (a.round_first) {
      const QStage k1 = q_round_stage(a);
      requantize<P, V>(k1, acc, nullptr, a.y_pixel, lanes);
      const __m256i lo = _mm256_set1_epi32(k1.lo), hi = _mm256_set1_epi32(k1.hi);
#pragma GCC unroll 32
      for (int i = 0; i < N; ++i) acc[i] = _mm256_min_epi32(_mm256_max_epi32(acc[i], lo), hi);
      const QAdd16 k2 = q_add16_consts(a);
      if (k2.ok) {
        add16<P, V>(k2, acc, res, a.y_pixel, lanes);
      } else {
        requantize<P, V>(q_add_stage(a), acc, res, a.y_pixel, lanes);
      }
    } else {
      requantize<P, V>(q_conv_stage(a, res != nullptr), acc, res, a.y_pixel, lanes);
    }
    store<P, V>(a, acc, y, lanes);
  }

  // The Add of round_before_residual in 32-bit lanes, 8 at a time (QAdd16, conv_direct_impl.h).
  template <int P, int V>
  __attribute__((always_inline)) static void add16(const QAdd16& k, __m256i (&acc)[P * V], const uint8_t* res,
                                                   ptrdiff_t y_pixel, int32_t lanes) {
    constexpr int N = P * V;
    const __m256i MLO = _mm256_set1_epi32(k.mlo), MHI = _mm256_set1_epi32(k.mhi);
    const __m256i KLO = _mm256_set1_epi32(k.klo), KHI = _mm256_set1_epi32(k.khi);
    const __m128i SH = _mm_cvtsi32_si128(k.shift);
#pragma GCC unroll 32
    for (int i = 0; i < N; ++i) {
      const __m256i r = residual8(res + (i / V) * y_pixel + 8 * (i % V), lanes - 8 * (i % V));
      const __m256i pair = _mm256_blend_epi16(acc[i], _mm256_slli_epi32(r, 16), 0xAA);   // (d, r)
      const __m256i lo = _mm256_add_epi32(_mm256_madd_epi16(pair, MLO), KLO);
      const __m256i hi = _mm256_add_epi32(_mm256_madd_epi16(pair, MHI), KHI);
      acc[i] = _mm256_sra_epi32(_mm256_add_epi32(hi, _mm256_srai_epi32(lo, 16)), SH);
    }
  }

  // The multipliers vpmuldq reads for vector i (the low dword of each qword): its even lanes'
  // and its odd lanes'. Per tensor both are the broadcast M; per channel (PC) the tile's
  // table, lanes 0, 2, .. in place and 1, 3, .. shifted down.
  template <bool PC, int V>
  __attribute__((always_inline)) static __m256i m_even(const QStage& k, __m256i M, int i) {
    if constexpr (PC) return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(k.mv + 8 * (i % V)));
    return M;
  }
  template <bool PC, int V>
  __attribute__((always_inline)) static __m256i m_odd(const QStage& k, __m256i M, int i) {
    if constexpr (PC) return _mm256_srli_epi64(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(k.mv + 8 * (i % V))), 32);
    return M;
  }

  // One compiled epilogue per granularity, so that the per-tensor one is unchanged.
  template <int P, int V>
  __attribute__((always_inline)) static void requantize(const QStage& k, __m256i (&acc)[P * V], const uint8_t* res,
                                                        ptrdiff_t y_pixel, int32_t lanes) {
    if (k.mv != nullptr) return requantize_as<P, V, true>(k, acc, res, y_pixel, lanes);
    requantize_as<P, V, false>(k, acc, res, y_pixel, lanes);
  }

  // acc[i] = zy + rounding_shift(acc[i] * m (+ (r - zr) * m_r), s), exactly, in int32 lanes:
  // unclamped on the fast path (y - zy fits 32 bits), else clamped to [lo, hi].
  template <int P, int V, bool PC>
  __attribute__((always_inline)) static void requantize_as(const QStage& k, __m256i (&acc)[P * V], const uint8_t* res,
                                                           ptrdiff_t y_pixel, int32_t lanes) {
    constexpr int N = P * V;
    auto out_of = [&](int i) __attribute__((always_inline)) { return (i / V) * y_pixel + 8 * (i % V); };
    auto valid = [&](int i) __attribute__((always_inline)) { return lanes - 8 * (i % V); };
    const __m256i M = _mm256_set1_epi64x(k.m), MR = _mm256_set1_epi64x(k.mr);
    const int64_t rnd = int64_t{1} << (k.shift - 1);
    // Fast path (QStage::fast): y fits an int32 lane exactly and zy * 2^s joins the rounding
    // constant C. Without a 64-bit arithmetic shift: for s <= 32 the low dword of a logical
    // shift by s is exact (y fits in 31 bits), and the odd lanes shift left by 32 - s to land
    // in the high dword; for s > 32, take the high dwords (X >> 32) of both and shift them
    // arithmetically by s - 32 as int32.
    if (k.fast) {
      const __m256i C = _mm256_set1_epi64x(rnd + (int64_t{k.zy} << k.shift) -
                                           (res != nullptr ? int64_t{k.zr} * k.mr : 0));
      const bool high = k.shift > 32;
      const __m128i S1 = _mm_cvtsi32_si128(high ? k.shift - 32 : k.shift), S2 = _mm_cvtsi32_si128(32 - k.shift);
#pragma GCC unroll 32
      for (int i = 0; i < N; ++i) {
        const __m256i t = acc[i];
        __m256i ev = _mm256_mul_epi32(t, m_even<PC, V>(k, M, i));
        __m256i od = _mm256_mul_epi32(_mm256_srli_epi64(t, 32), m_odd<PC, V>(k, M, i));
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
      const __m256i RND = _mm256_set1_epi64x(rnd), SB = _mm256_set1_epi64x(int64_t{1} << (63 - k.shift));
      const __m128i SH = _mm_cvtsi32_si128(k.shift);
      const __m256i LO = _mm256_set1_epi64x(k.lo - k.zy), HI = _mm256_set1_epi64x(k.hi - k.zy);
      const __m256i ZY = _mm256_set1_epi32(k.zy), ZR = _mm256_set1_epi32(k.zr);
      auto finish = [&](__m256i v) __attribute__((always_inline)) {
        v = _mm256_sub_epi64(_mm256_xor_si256(_mm256_srl_epi64(_mm256_add_epi64(v, RND), SH), SB), SB);
        v = _mm256_blendv_epi8(v, LO, _mm256_cmpgt_epi64(LO, v));
        return _mm256_blendv_epi8(v, HI, _mm256_cmpgt_epi64(v, HI));
      };
#pragma GCC unroll 32
      for (int i = 0; i < N; ++i) {
        const __m256i t = acc[i];
        __m256i ev = _mm256_mul_epi32(t, m_even<PC, V>(k, M, i));
        __m256i od = _mm256_mul_epi32(_mm256_srli_epi64(t, 32), m_odd<PC, V>(k, M, i));
        if (res != nullptr) {
          const __m256i r = _mm256_sub_epi32(residual8(res + out_of(i), valid(i)), ZR);
          ev = _mm256_add_epi64(ev, _mm256_mul_epi32(r, MR));
          od = _mm256_add_epi64(od, _mm256_mul_epi32(_mm256_srli_epi64(r, 32), MR));
        }
        acc[i] = _mm256_add_epi32(_mm256_blend_epi32(finish(ev), _mm256_slli_epi64(finish(od), 32), 0xAA), ZY);
      }
    }
  }

  template <int P, int V>
  __attribute__((always_inline)) static void store(const QTileArgs& a, __m256i (&acc)[P * V], uint8_t* y,
                                                   int32_t lanes) {
    constexpr int N = P * V;
    auto out_of = [&](int i) __attribute__((always_inline)) { return (i / V) * a.y_pixel + 8 * (i % V); };
    auto valid = [&](int i) __attribute__((always_inline)) { return lanes - 8 * (i % V); };
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
        if (n > 0) std::memcpy(y + out_of(i), buf, size_t(n));
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
