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
// Epilogue (bit-exact with requant.h): v = acc * m (+ (r - zr) * m_r) in 64 bits with
// (m the layer's multiplier, or per-channel weights' per-lane multipliers, a separately
// compiled epilogue so that the per-tensor one is unchanged)
// vpmuldq on the even and odd lanes, (v + 2^(s-1)) >> s with vpsraq, then the clamp. With
// K = 144 (16 channels, 3x3) a vector gets only 36 vpdpbusd, so the epilogue is trimmed to
// ~10 instructions per vector for the shifts calibrated models use (32..52; see epilogue()).
// Stores past out_c are masked. round_before_residual runs the same arithmetic twice (conv.h):
// the conv into c - zc, clamped, then the Add with the residual (QStage, conv_direct_impl.h).
// GCC 12's AVX-512 headers seed some intrinsics with a self-initialised "undefined" vector
// (_mm512_undefined_epi32), which -Wuninitialized reports once the intrinsic is inlined.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include "kernels/int8/conv_direct_impl.h"
#include "kernels/kernels.h"

namespace octet::kernels {
namespace {

struct VnniMicro {
  using T = uint8_t;
  using W = int8_t;
  static constexpr int L = 16, E = 4, Vmax = 4;
  static constexpr int P1 = 16, P2 = 12, P3 = 8, P4 = 6;   // most pixels per tile by V
  static constexpr bool kDirect = true, kWindowSum = true;

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

  // Epilogue kinds: 0 any (paths chosen at run time), 1 the plain conv of calibrated models
  // (no residual, fast path, shift >= 33: requantize_hi32), compiled apart so that its tiles
  // keep every accumulator in a register.
  static constexpr int kKinds = 2;
  static int32_t epilogue_kind(const QTileArgs& a, bool residual) {
    return !residual && !a.round_first && q_conv_stage(a, false).fast && a.shift >= 33 ? 1 : 0;
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
    if constexpr (Kind == 1) {
      const __mmask16 tail = static_cast<__mmask16>(lanes >= 16 * V ? 0xFFFF : (1u << (lanes - 16 * (V - 1))) - 1);
      requantize_hi32<P, V>(q_conv_stage(a, false), acc);
      store<P, V>(a, acc, y, lanes, tail);
    } else {
      epilogue<P, V>(a, acc, y, res, lanes);
    }
  }

  // Requantises P * V accumulator vectors in place into int32 outputs and stores them. With
  // round_before_residual, two stages: c - zc (clamped to c's [0, 255]), then the Add.
  template <int P, int V>
  __attribute__((always_inline)) static void epilogue(const QTileArgs& a, __m512i (&acc)[P * V], uint8_t* y,
                                                      const uint8_t* res, int32_t lanes) {
    constexpr int N = P * V;
    const __mmask16 tail = static_cast<__mmask16>(lanes >= 16 * V ? 0xFFFF : (1u << (lanes - 16 * (V - 1))) - 1);
    if (a.round_first) {
      const QStage k1 = q_round_stage(a);
      requantize<P, V>(k1, acc, nullptr, a.y_pixel, tail);
      const __m512i lo = _mm512_set1_epi32(k1.lo), hi = _mm512_set1_epi32(k1.hi);
#pragma GCC unroll 32
      for (int i = 0; i < N; ++i) acc[i] = _mm512_min_epi32(_mm512_max_epi32(acc[i], lo), hi);
      const QAdd16 k2 = q_add16_consts(a);
      if (k2.ok) {
        add16<P, V>(k2, acc, res, a.y_pixel, tail);
      } else {
        requantize<P, V>(q_add_stage(a), acc, res, a.y_pixel, tail);
      }
    } else {
      requantize<P, V>(q_conv_stage(a, res != nullptr), acc, res, a.y_pixel, tail);
    }
    store<P, V>(a, acc, y, lanes, tail);
  }

  // The Add of round_before_residual in 32-bit lanes, 16 at a time (QAdd16, conv_direct_impl.h).
  template <int P, int V>
  __attribute__((always_inline)) static void add16(const QAdd16& k, __m512i (&acc)[P * V], const uint8_t* res,
                                                   ptrdiff_t y_pixel, __mmask16 tail) {
    constexpr int N = P * V;
    auto mask_of = [&](int i) __attribute__((always_inline)) { return i % V == V - 1 ? tail : __mmask16(0xFFFF); };
    const __m512i MLO = _mm512_set1_epi32(k.mlo), MHI = _mm512_set1_epi32(k.mhi);
    const __m512i KLO = _mm512_set1_epi32(k.klo), KHI = _mm512_set1_epi32(k.khi);
    const __m128i SH16 = _mm_cvtsi32_si128(16), SH = _mm_cvtsi32_si128(k.shift);
#pragma GCC unroll 32
    for (int i = 0; i < N; ++i) {
      const __m512i r = _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(mask_of(i), res + (i / V) * y_pixel + 16 * (i % V)));
      const __m512i pair = _mm512_mask_blend_epi16(0xAAAAAAAA, acc[i], _mm512_slli_epi32(r, 16));   // (d, r)
      const __m512i lo = _mm512_dpwssd_epi32(KLO, pair, MLO);
      const __m512i hi = _mm512_dpwssd_epi32(KHI, pair, MHI);
      acc[i] = _mm512_sra_epi32(_mm512_add_epi32(hi, _mm512_sra_epi32(lo, SH16)), SH);
    }
  }

  // The multipliers vpmuldq reads for vector i (the low dword of each qword): its even lanes'
  // and its odd lanes'. Per tensor both are the broadcast M; per channel (PC) the tile's
  // table, lanes 0, 2, .. in place and 1, 3, .. shifted down.
  template <bool PC, int V>
  __attribute__((always_inline)) static __m512i m_even(const QStage& k, __m512i M, int i) {
    if constexpr (PC) return _mm512_loadu_si512(k.mv + 16 * (i % V));
    return M;
  }
  template <bool PC, int V>
  __attribute__((always_inline)) static __m512i m_odd(const QStage& k, __m512i M, int i) {
    if constexpr (PC) return _mm512_srli_epi64(_mm512_loadu_si512(k.mv + 16 * (i % V)), 32);
    return M;
  }

  // One compiled epilogue per granularity, so that the per-tensor one is unchanged.
  template <int P, int V>
  __attribute__((always_inline)) static void requantize(const QStage& k, __m512i (&acc)[P * V], const uint8_t* res,
                                                        ptrdiff_t y_pixel, __mmask16 tail) {
    if (k.mv != nullptr) return requantize_as<P, V, true>(k, acc, res, y_pixel, tail);
    requantize_as<P, V, false>(k, acc, res, y_pixel, tail);
  }
  template <int P, int V>
  __attribute__((always_inline)) static void requantize_hi32(const QStage& k, __m512i (&acc)[P * V]) {
    if (k.mv != nullptr) return requantize_hi32_as<P, V, true>(k, acc);
    requantize_hi32_as<P, V, false>(k, acc);
  }

  // acc[i] = zy + rounding_shift(acc[i] * m (+ (r - zr) * m_r), s), exactly, in int32 lanes:
  // unclamped on the fast path (y - zy fits 32 bits), else clamped to [lo, hi].
  template <int P, int V, bool PC>
  __attribute__((always_inline)) static void requantize_as(const QStage& k, __m512i (&acc)[P * V], const uint8_t* res,
                                                           ptrdiff_t y_pixel, __mmask16 tail) {
    constexpr int N = P * V;
    auto mask_of = [&](int i) __attribute__((always_inline)) { return i % V == V - 1 ? tail : __mmask16(0xFFFF); };
    auto res_of = [&](int i) __attribute__((always_inline)) { return res + (i / V) * y_pixel + 16 * (i % V); };
    const __m512i M = _mm512_set1_epi64(k.m), MR = _mm512_set1_epi64(k.mr);
    const int64_t rnd = int64_t{1} << (k.shift - 1);
    if (k.fast && res == nullptr && k.shift >= 33) return requantize_hi32_as<P, V, PC>(k, acc);
    // Fast path (QStage::fast): y is exact in an int32 lane, and zy * 2^s joins the rounding
    // constant without overflowing int64: y = (v + 2^(s-1) + zy * 2^s - zr * m_r) >> s. Odd
    // lanes shift so that their result lands in the high dword, where the blend wants it:
    // right by s - 32, or left by 32 - s when s < 32 (exact: the value fits). The clamp
    // comes with the narrowing.
    if (k.fast) {
      const __m512i C = _mm512_set1_epi64(rnd + (int64_t{k.zy} << k.shift) -
                                          (res != nullptr ? int64_t{k.zr} * k.mr : 0));
      const __m128i SH = _mm_cvtsi32_si128(k.shift);
      const bool right = k.shift >= 32;
      const __m128i SHO = _mm_cvtsi32_si128(right ? k.shift - 32 : 32 - k.shift);
#pragma GCC unroll 32
      for (int i = 0; i < N; ++i) {
        const __m512i t = acc[i];
        __m512i ev = _mm512_mul_epi32(t, m_even<PC, V>(k, M, i));
        __m512i od = _mm512_mul_epi32(_mm512_srli_epi64(t, 32), m_odd<PC, V>(k, M, i));
        if (res != nullptr) {   // r as uint8 (zr is in C)
          const __m512i r = _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(mask_of(i), res_of(i)));
          ev = _mm512_add_epi64(ev, _mm512_mul_epi32(r, MR));
          od = _mm512_add_epi64(od, _mm512_mul_epi32(_mm512_srli_epi64(r, 32), MR));
        }
        ev = _mm512_sra_epi64(_mm512_add_epi64(ev, C), SH);
        od = _mm512_add_epi64(od, C);
        od = right ? _mm512_sra_epi64(od, SHO) : _mm512_sll_epi64(od, SHO);
        acc[i] = _mm512_mask_blend_epi32(0xAAAA, ev, od);
      }
    } else {
      // Any shift: clamp in 64 bits to [lo - zy, hi - zy] before returning to 32-bit lanes.
      const __m512i RND = _mm512_set1_epi64(rnd);
      const __m128i SH = _mm_cvtsi32_si128(k.shift);
      const __m512i LO = _mm512_set1_epi64(k.lo - k.zy), HI = _mm512_set1_epi64(k.hi - k.zy);
      const __m512i ZY = _mm512_set1_epi32(k.zy), ZR = _mm512_set1_epi32(k.zr);
#pragma GCC unroll 32
      for (int i = 0; i < N; ++i) {
        const __m512i t = acc[i];
        __m512i ev = _mm512_mul_epi32(t, m_even<PC, V>(k, M, i));
        __m512i od = _mm512_mul_epi32(_mm512_srli_epi64(t, 32), m_odd<PC, V>(k, M, i));
        if (res != nullptr) {
          const __m512i r = _mm512_sub_epi32(_mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(mask_of(i), res_of(i))), ZR);
          ev = _mm512_add_epi64(ev, _mm512_mul_epi32(r, MR));
          od = _mm512_add_epi64(od, _mm512_mul_epi32(_mm512_srli_epi64(r, 32), MR));
        }
        ev = _mm512_sra_epi64(_mm512_add_epi64(ev, RND), SH);
        od = _mm512_sra_epi64(_mm512_add_epi64(od, RND), SH);
        ev = _mm512_min_epi64(_mm512_max_epi64(ev, LO), HI);
        od = _mm512_min_epi64(_mm512_max_epi64(od, LO), HI);
        acc[i] = _mm512_add_epi32(_mm512_mask_blend_epi32(0xAAAA, ev, _mm512_slli_epi64(od, 32)), ZY);
      }
    }
  }

  // No residual and s >= 33 (what calibrated convs use): the rounding constant can join
  // after the low 32 bits are dropped, since for integers a, b with 0 <= b < 2^32,
  //   floor((a * 2^32 + b + 2^(s-1) + zy * 2^s) / 2^s) = floor((a + K) / 2^(s-32)),
  //   K = 2^(s-33) + zy * 2^(s-32),
  // so y = (hi32(t * m) + K) >> (s - 32) on 32-bit lanes. |t * m| < 2^62 gives |hi32| <
  // 2^30, and K < 2^29 for s <= 52: no overflow. One permute gathers the high dwords of
  // the even and odd products, and two 64-bit adds and a blend are saved per vector.
  template <int P, int V, bool PC>
  __attribute__((always_inline)) static void requantize_hi32_as(const QStage& k, __m512i (&acc)[P * V]) {
    constexpr int N = P * V;
    const __m512i M = _mm512_set1_epi64(k.m);
    const __m512i HI = _mm512_setr_epi32(1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31);
    const __m512i K =
        _mm512_set1_epi32(int32_t((int64_t{1} << (k.shift - 33)) + int64_t{k.zy} * (int64_t{1} << (k.shift - 32))));
    const __m128i SH = _mm_cvtsi32_si128(k.shift - 32);
#pragma GCC unroll 32
    for (int i = 0; i < N; ++i) {
      const __m512i ev = _mm512_mul_epi32(acc[i], m_even<PC, V>(k, M, i));
      const __m512i od = _mm512_mul_epi32(_mm512_srli_epi64(acc[i], 32), m_odd<PC, V>(k, M, i));
      acc[i] = _mm512_sra_epi32(_mm512_add_epi32(_mm512_permutex2var_epi32(ev, HI, od), K), SH);
    }
  }

  template <int P, int V>
  __attribute__((always_inline)) static void store(const QTileArgs& a, __m512i (&acc)[P * V], uint8_t* y,
                                                   int32_t lanes, __mmask16 tail) {
    constexpr int N = P * V;
    auto mask_of = [&](int i) __attribute__((always_inline)) { return i % V == V - 1 ? tail : __mmask16(0xFFFF); };
    // Narrow and store. When the tile's outputs are one contiguous run (its super-block is
    // all of out_c, a multiple of 16), four vectors at a time: signed-saturating dword ->
    // word, unsigned-saturating word -> byte (together: clamp to [0, 255]), a dword permute
    // to undo the per-128-bit-lane interleave, the [lo, hi] clamp on bytes, one 64-byte store.
    const __m512i lo32 = _mm512_set1_epi32(a.lo), hi32 = _mm512_set1_epi32(a.hi);
    auto store1 = [&](int i, __m512i v) __attribute__((always_inline)) {
      const __m512i z = _mm512_min_epi32(_mm512_max_epi32(v, lo32), hi32);
      _mm_mask_storeu_epi8(y + (i / V) * a.y_pixel + 16 * (i % V), mask_of(i), _mm512_cvtepi32_epi8(z));
    };
    // Loop bounds stay compile-time constants: with a run-time bound GCC indexes acc[]
    // through memory and the whole tile slows down 2x.
    if (lanes == 16 * V && a.y_pixel == 16 * V) {
      const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
      const __m512i lo8 = _mm512_set1_epi8(static_cast<char>(a.lo)), hi8 = _mm512_set1_epi8(static_cast<char>(a.hi));
#pragma GCC unroll 8
      for (int g = 0; g + 4 <= N; g += 4) {
        const __m512i w01 = _mm512_packs_epi32(acc[g], acc[g + 1]), w23 = _mm512_packs_epi32(acc[g + 2], acc[g + 3]);
        __m512i b = _mm512_permutexvar_epi32(order, _mm512_packus_epi16(w01, w23));
        b = _mm512_min_epu8(_mm512_max_epu8(b, lo8), hi8);
        _mm512_storeu_si512(y + 16 * g, b);
      }
#pragma GCC unroll 4
      for (int i = N / 4 * 4; i < N; ++i) store1(i, acc[i]);
    } else {
#pragma GCC unroll 32
      for (int i = 0; i < N; ++i) store1(i, acc[i]);
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
