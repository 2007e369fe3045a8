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
// Epilogue (bit-exact with requant.h's requantize_float, ONNX Runtime's MlasRequantizeOutput):
// vcvtdq2ps, vmulps by the tile's scale vectors (loaded once per tile), vmaxps / vminps to
// [lo - zy, hi - zy], vcvtps2dq (round half to even under the default MXCSR), + zy.
// round_before_residual (kernels/int8/conv.h) rounds to c that way, then adds the residual as
// qadd_float does: two vfmadd in the Add's operand order, clamp, vcvtps2dq. With an output
// table (a Concat's requantisation, conv.h) the tile looks its stored codes up in place, byte
// by byte: AVX2 has no 256-entry byte lookup, and CPUs that run this variant are rare.
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
  static constexpr int PP = 0;                          // no paired tiles (kPair)
  static constexpr bool kDirect = false, kWindowSum = false, kUnclamped = false, kPair = false;

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

  template <int P, int V, int Kind>
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
    if constexpr (Kind == 1) {
      requantize_add<P, V>(a, acc, res, lanes);
    } else {
      requantize<P, V>(a, acc);
    }
    store<P, V>(a, acc, y, lanes);
    if constexpr (Kind == 2) {   // each stored code through the table, in place
      for (int p = 0; p < P; ++p) {
        uint8_t* yp = y + p * a.y_pixel;
        for (int32_t l = 0; l < lanes; ++l) yp[l] = a.table[yp[l]];
      }
    }
  }

  static bool table_ok() { return true; }

  // The tile's scale vectors: one per output-channel vector.
  template <int V>
  __attribute__((always_inline)) static void load_scales(const QTileArgs& a, __m256 (&s)[V]) {
#pragma GCC unroll 2
    for (int v = 0; v < V; ++v) s[v] = _mm256_loadu_ps(a.scales + 8 * v);
  }

  // acc[i] = requantize_float(acc[i], scale, zy, lo, hi) (requant.h), in int32 lanes.
  template <int P, int V>
  __attribute__((always_inline)) static void requantize(const QTileArgs& a, __m256i (&acc)[P * V]) {
    __m256 S[V];
    load_scales<V>(a, S);
    const __m256 LO = _mm256_set1_ps(float(a.lo - a.zero_point)), HI = _mm256_set1_ps(float(a.hi - a.zero_point));
    const __m256i ZY = _mm256_set1_epi32(a.zero_point);
#pragma GCC unroll 32
    for (int i = 0; i < P * V; ++i) {
      __m256 f = _mm256_mul_ps(_mm256_cvtepi32_ps(acc[i]), S[i % V]);
      f = _mm256_min_ps(_mm256_max_ps(f, LO), HI);
      acc[i] = _mm256_add_epi32(_mm256_cvtps_epi32(f), ZY);
    }
  }

  // round_before_residual: c = requantize_float(acc, scale, zc, 0, 255), then with the
  // residual r, (A, B) = (r, c) if residual_first else (c, r):
  //   t = fma(B, ratio_b, fixed); t = fma(A, ratio_a, t); y = round(clamp(t, lo, hi))
  template <int P, int V>
  __attribute__((always_inline)) static void requantize_add(const QTileArgs& a, __m256i (&acc)[P * V],
                                                            const uint8_t* res, int32_t lanes) {
    __m256 S[V];
    load_scales<V>(a, S);
    const __m256 CLO = _mm256_set1_ps(float(-a.conv_zero_point)), CHI = _mm256_set1_ps(float(255 - a.conv_zero_point));
    // On the graph's codes: c and r minus code_offset (requant.h, qadd_float), which comes back at the end.
    const int32_t off = a.add.code_offset;
    const __m256i ZC = _mm256_set1_epi32(a.conv_zero_point - off), OFF = _mm256_set1_epi32(off);
    const __m256 RA = _mm256_set1_ps(a.add.ratio_a), RB = _mm256_set1_ps(a.add.ratio_b);
    const __m256 FIXED = _mm256_set1_ps(a.add.fixed);
    const __m256 LO = _mm256_set1_ps(float(a.lo - off)), HI = _mm256_set1_ps(float(a.hi - off));
    // All ones when B is c (the residual is A): the blend mask.
    const __m256 b_is_c = _mm256_castsi256_ps(_mm256_set1_epi32(a.residual_first ? -1 : 0));
#pragma GCC unroll 32
    for (int i = 0; i < P * V; ++i) {
      __m256 f = _mm256_mul_ps(_mm256_cvtepi32_ps(acc[i]), S[i % V]);
      f = _mm256_min_ps(_mm256_max_ps(f, CLO), CHI);
      const __m256 c = _mm256_cvtepi32_ps(_mm256_add_epi32(_mm256_cvtps_epi32(f), ZC));
      const __m256 r = _mm256_cvtepi32_ps(
          _mm256_sub_epi32(residual8(res + (i / V) * a.y_pixel + 8 * (i % V), lanes - 8 * (i % V)), OFF));
      const __m256 B = _mm256_blendv_ps(r, c, b_is_c), A = _mm256_blendv_ps(c, r, b_is_c);
      __m256 t = _mm256_fmadd_ps(B, RB, FIXED);
      t = _mm256_fmadd_ps(A, RA, t);
      acc[i] = _mm256_add_epi32(_mm256_cvtps_epi32(_mm256_min_ps(_mm256_max_ps(t, LO), HI)), OFF);
    }
  }

  template <int P, int V>
  __attribute__((always_inline)) static void store(const QTileArgs& a, __m256i (&acc)[P * V], uint8_t* y,
                                                   int32_t lanes) {
    constexpr int N = P * V;
    auto out_of = [&](int i) __attribute__((always_inline)) { return (i / V) * a.y_pixel + 8 * (i % V); };
    auto valid = [&](int i) __attribute__((always_inline)) { return lanes - 8 * (i % V); };
    // Narrow the outputs (each already in [lo, hi]) with packs: four vectors per 32-byte
    // store when the tile's outputs are contiguous (its super-block is all of out_c, a
    // multiple of 8), else one vector at a time.
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    auto store1 = [&](int i, __m256i v) __attribute__((always_inline)) {
      const __m256i w16 = _mm256_packs_epi32(v, v);
      const __m256i b = _mm256_permutevar8x32_epi32(_mm256_packus_epi16(w16, w16), order);   // bytes 0..7
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
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(y + 8 * g),
                            _mm256_permutevar8x32_epi32(_mm256_packus_epi16(w01, w23), order));
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
