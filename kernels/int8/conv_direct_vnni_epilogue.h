// The epilogue of the AVX-512 VNNI int8 direct conv (kernels/int8/conv_direct_vnni.cpp, whose
// top comment states what it computes and why it is bit-exact): requantisation of the int32
// accumulators (plain, unclamped, with a residual Add), the Concat's output table, and the
// stores of plain and paired tiles. AVX-512 intrinsics, so included by that file alone. In an
// anonymous namespace (the ISA rule, kernels/CMakeLists.txt).
//
// GCC 12's AVX-512 headers seed some intrinsics with a self-initialised "undefined" vector
// (_mm512_undefined_epi32), which -Wuninitialized reports once the intrinsic is inlined: a
// false positive, silenced here and in the variant file.
#pragma once
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cstdint>

#include "kernels/dispatch/isa.h"
#include "kernels/int8/conv_direct_tile.h"

namespace octet::kernels {
namespace {

struct VnniEpilogue {
  // The output table (kind 2) needs vpermi2b (below), which VNNI does not imply.
  static bool table_ok() { return cpu_runs_vnni_vbmi(); }

  // The 256-byte output table in four registers, for lookup.
  struct Table {
    __m512i t0, t1, t2, t3;
  };
  __attribute__((always_inline)) static Table load_table(const uint8_t* t) {
    return {_mm512_loadu_si512(t), _mm512_loadu_si512(t + 64), _mm512_loadu_si512(t + 128),
            _mm512_loadu_si512(t + 192)};
  }
  // table[c] for each byte c of `codes`: vpermi2b looks up 128 bytes of table by the low 7 bits
  // of each index; one permute for each half of the table, then the byte's bit 7 picks one.
  // vpermi2b is AVX-512 VBMI: written as inline assembly so that only this, reached only when
  // table_ok(), uses it (a target attribute or -mavx512vbmi would let the compiler use VBMI
  // anywhere in the tile). AT&T order: the index register is the destination.
  __attribute__((always_inline)) static __m512i lookup(const Table& t, __m512i codes) {
    __m512i lo = codes, hi = codes;
    __asm__("vpermi2b %[b], %[a], %[x]" : [x] "+v"(lo) : [a] "v"(t.t0), [b] "v"(t.t1));
    __asm__("vpermi2b %[b], %[a], %[x]" : [x] "+v"(hi) : [a] "v"(t.t2), [b] "v"(t.t3));
    return _mm512_mask_blend_epi8(_mm512_movepi8_mask(codes), lo, hi);
  }

  // The tile's scale vectors: one per output-channel vector.
  template <int V>
  __attribute__((always_inline)) static void load_scales(const QTileArgs& a, __m512 (&s)[V]) {
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) s[v] = _mm512_loadu_ps(a.scales + 16 * v);
  }

  // acc[i] = requantize_float(acc[i], scale, zy, lo, hi) (requant.h) less the zero point and
  // the low clamp, which store() applies (kAddZeroClamp):
  //   round(clamp(v, lo - zy, hi - zy)) + zy = max(round(min(v, hi - zy)) + zy, lo)
  // because rounding is monotone and lo - zy, hi - zy are integers (round(min(v, b)) =
  // min(round(v), b) for an integer b, likewise for the max). The high clamp must stay in
  // float: vcvtps2dq turns anything at or past 2^31 into INT_MIN (0x80000000), which would pass
  // for a low value; min(v, hi - zy) keeps it in range (+inf included). Below, a v under -2^31
  // (or -inf) converts to INT_MIN, less than lo - zy as the exact rounding is, and INT_MIN + zy
  // does not wrap (0 <= zy). No NaN reaches it: acc is an integer and the scale finite >= 0.
  // The integer maximum after the conversion instead of vmaxps before it measured 1-4 % faster
  // on MobileNetV2's short-K 1x1 convs (bench_qu8_conv "/short-k/", alternating runs, Zen 4).
  // scale(i): vector i's scales.
  template <int N, class Scale>
  __attribute__((always_inline)) static void requantize(const QTileArgs& a, __m512i (&acc)[N], Scale scale) {
    const __m512 HI = _mm512_set1_ps(float(a.hi - a.zero_point));
#pragma GCC unroll 32
    for (int i = 0; i < N; ++i) acc[i] = _mm512_cvtps_epi32(_mm512_min_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(acc[i]), scale(i)), HI));
  }

  // Kind 3 (conv_direct_impl.h, unclamped_ok): round(v), no clamp; store() adds the zero point
  // and its packs saturate to [0, 255] (kAddZero).
  template <int N, class Scale>
  __attribute__((always_inline)) static void requantize_unclamped(__m512i (&acc)[N], Scale scale) {
#pragma GCC unroll 32
    for (int i = 0; i < N; ++i) acc[i] = _mm512_cvtps_epi32(_mm512_mul_ps(_mm512_cvtepi32_ps(acc[i]), scale(i)));
  }

  // round_before_residual: c = requantize_float(acc, scale, zc, 0, 255), then with the
  // residual r, (A, B) = (r, c) if residual_first else (c, r):
  //   t = fma(B, ratio_b, fixed); t = fma(A, ratio_a, t); y = round(clamp(t, lo, hi))
  // residual(i): vector i's 16 residual codes.
  template <int N, class Scale, class Residual>
  __attribute__((always_inline)) static void requantize_add(const QTileArgs& a, __m512i (&acc)[N], Scale scale,
                                                            Residual residual) {
    const __m512 CLO = _mm512_set1_ps(float(-a.conv_zero_point)), CHI = _mm512_set1_ps(float(255 - a.conv_zero_point));
    // On the graph's codes: c and r minus code_offset (requant.h, qadd_float), which comes back at the end.
    const int32_t off = a.add.code_offset;
    const __m512i OFF = _mm512_set1_epi32(off);
    const __m512 ZC = _mm512_set1_ps(float(a.conv_zero_point - off));
    const __m512 RA = _mm512_set1_ps(a.add.ratio_a), RB = _mm512_set1_ps(a.add.ratio_b);
    const __m512 FIXED = _mm512_set1_ps(a.add.fixed);
    const __m512 LO = _mm512_set1_ps(float(a.lo - off)), HI = _mm512_set1_ps(float(a.hi - off));
    const __mmask16 b_is_c = a.residual_first ? 0xFFFF : 0;   // B is c when the residual is A
#pragma GCC unroll 32
    for (int i = 0; i < N; ++i) {
      __m512 f = _mm512_mul_ps(_mm512_cvtepi32_ps(acc[i]), scale(i));
      f = _mm512_min_ps(_mm512_max_ps(f, CLO), CHI);
      // c as vrndscaleps(f) + (zc - code_offset) in float: f lies in [-zc, 255 - zc], so its
      // rounding (in the current mode, as vcvtps2dq's: half to even by default) is an integer
      // of magnitude at most 255, and the sum of two such integers is exact: the value that
      // vcvtps2dq, vpaddd, vcvtdq2ps gave in three operations (ResNet50's 56x56x64 -> 256 with
      // the Add 176 -> 161 us, bench_qu8_conv).
      const __m512 c = _mm512_add_ps(_mm512_roundscale_ps(f, _MM_FROUND_CUR_DIRECTION | _MM_FROUND_NO_EXC), ZC);
      const __m512 r = _mm512_cvtepi32_ps(_mm512_sub_epi32(_mm512_cvtepu8_epi32(residual(i)), OFF));
      const __m512 B = _mm512_mask_blend_ps(b_is_c, r, c), A = _mm512_mask_blend_ps(b_is_c, c, r);
      __m512 t = _mm512_fmadd_ps(B, RB, FIXED);
      t = _mm512_fmadd_ps(A, RA, t);
      acc[i] = _mm512_add_epi32(_mm512_cvtps_epi32(_mm512_min_ps(_mm512_max_ps(t, LO), HI)), OFF);
    }
  }

  // What store() does to the int32 values before they become bytes: nothing (kFinal: each
  // already a code in [lo, hi]), + zy then the saturation to [0, 255] (kAddZero: any int32),
  // or + zy, max with lo, then that saturation (kAddZeroClamp: any int32 up to hi - zy).
  enum Finish { kFinal, kAddZero, kAddZeroClamp };

  // Two int32 vectors packed to int16 words with signed saturation, then F's zero point and
  // low clamp (store(), why they may come after the packs).
  template <Finish F>
  struct Words {
    __m512i zy, lo;
    explicit Words(const QTileArgs& a)
        : zy(_mm512_set1_epi16(static_cast<int16_t>(a.zero_point))), lo(_mm512_set1_epi16(static_cast<int16_t>(a.lo))) {}
    __attribute__((always_inline)) __m512i operator()(__m512i u, __m512i v) const {
      __m512i w = _mm512_packs_epi32(u, v);
      if constexpr (F != kFinal) w = _mm512_adds_epi16(w, zy);
      if constexpr (F == kAddZeroClamp) w = _mm512_max_epi16(w, lo);
      return w;
    }
  };

  // Stores the tile's int32 values as bytes, through the output table with kTable.
  // Vectors go four at a time where V divides 4 (1, 2 or 4 pixels of 16 * V lanes): dword ->
  // word -> byte packs, a dword permute to undo the per-128-bit-lane interleave, then one
  // 64-byte store when the pixels are adjacent and whole (y_pixel = 16 * V) or one masked store
  // per pixel. The zero point is added to the packed int16 words with signed saturation and
  // the low clamp is a word maximum, half the operations of doing both per dword vector; exact
  // because clamp(sat16(r) + zy, lo, 255) = clamp(r + zy, lo, 255) for 0 <= zy, lo <= 255 (a
  // saturated r is beyond +-32767, where both sides are 255 or lo). The rest (V = 3, and the
  // last P * V % 4 vectors) go one vector at a time: vpmovusdb, masked past out_c.
  template <int P, int V, bool kTable, Finish F>
  __attribute__((always_inline)) static void store(const QTileArgs& a, __m512i (&acc)[P * V], uint8_t* y,
                                                   int32_t lanes, __mmask16 tail) {
    constexpr int N = P * V;
    Table t;
    if constexpr (kTable) t = load_table(a.table);
    auto map = [&](__m512i codes) __attribute__((always_inline)) {
      if constexpr (kTable) return lookup(t, codes);
      return codes;
    };
    auto mask_of = [&](int i) __attribute__((always_inline)) { return i % V == V - 1 ? tail : __mmask16(0xFFFF); };
    // vpmovusdb saturates as unsigned: a negative lane would give 255, hence the maximum first.
    auto store1 = [&](int i, __m512i v) __attribute__((always_inline)) {
      if constexpr (F != kFinal)
        v = _mm512_max_epi32(_mm512_add_epi32(v, _mm512_set1_epi32(a.zero_point)),
                             _mm512_set1_epi32(F == kAddZeroClamp ? a.lo : 0));
      const __m128i b = _mm512_castsi512_si128(map(_mm512_castsi128_si512(_mm512_cvtusepi32_epi8(v))));
      _mm_mask_storeu_epi8(y + (i / V) * a.y_pixel + 16 * (i % V), mask_of(i), b);
    };
    // Loop bounds stay compile-time constants: with a run-time bound GCC indexes acc[]
    // through memory and the whole tile slows down 2x.
    constexpr int G = V == 3 ? 0 : N / 4 * 4;   // vectors stored four at a time
    if constexpr (G > 0) {
      const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
      const Words<F> words(a);
      const bool whole = lanes == 16 * V;
      const bool dense = whole && a.y_pixel == 16 * V;
      const uint64_t m = lanes >= 16 * V ? ~uint64_t{0} : (uint64_t{1} << lanes) - 1;   // a pixel's bytes
#pragma GCC unroll 8
      for (int g = 0; g < G; g += 4) {
        const __m512i b = _mm512_permutexvar_epi32(
            order, map(_mm512_packus_epi16(words(acc[g], acc[g + 1]), words(acc[g + 2], acc[g + 3]))));
        uint8_t* at = y + (g / V) * a.y_pixel;   // the group's first pixel
        if (dense || (V == 4 && whole)) {
          _mm512_storeu_si512(at, b);
        } else if constexpr (V == 4) {
          _mm512_mask_storeu_epi8(at, _cvtu64_mask64(m), b);
        } else if constexpr (V == 2) {
          _mm256_mask_storeu_epi8(at, static_cast<__mmask32>(m), _mm512_castsi512_si256(b));
          _mm256_mask_storeu_epi8(at + a.y_pixel, static_cast<__mmask32>(m), _mm512_extracti64x4_epi64(b, 1));
        } else {
          _mm_mask_storeu_epi8(at, tail, _mm512_castsi512_si128(b));
          _mm_mask_storeu_epi8(at + a.y_pixel, tail, _mm512_extracti32x4_epi32(b, 1));
          _mm_mask_storeu_epi8(at + 2 * a.y_pixel, tail, _mm512_extracti32x4_epi32(b, 2));
          _mm_mask_storeu_epi8(at + 3 * a.y_pixel, tail, _mm512_extracti32x4_epi32(b, 3));
        }
      }
    }
#pragma GCC unroll 32
    for (int i = G; i < N; ++i) store1(i, acc[i]);
  }

  // tile_pair's stores: per pair, channels 0-15 of both pixels and the shared vector of
  // channels 16-23 packed to bytes (lane k: dwords of pixel 2j, 2j + 1, then the shared vector
  // twice), a dword permute putting pixel 2j's 24 bytes in the low half and 2j + 1's in the
  // high half, and a masked store of each.
  template <int P, bool kTable, Finish F>
  __attribute__((always_inline)) static void store_pair(const QTileArgs& a, __m512i (&acc)[P + (P + 1) / 2],
                                                        uint8_t* y, int32_t lanes) {
    constexpr int Q = (P + 1) / 2;
    Table t;
    if constexpr (kTable) t = load_table(a.table);
    const Words<F> words(a);
    const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 2, 6, 0, 0, 1, 5, 9, 13, 10, 14, 0, 0);
    const __mmask32 m = static_cast<__mmask32>((1u << lanes) - 1);   // lanes <= 24
#pragma GCC unroll 8
    for (int j = 0; j < Q; ++j) {
      const bool two = 2 * j + 1 < P;
      __m512i b = _mm512_packus_epi16(words(acc[2 * j], acc[two ? 2 * j + 1 : 2 * j]), words(acc[P + j], acc[P + j]));
      if constexpr (kTable) b = lookup(t, b);
      b = _mm512_permutexvar_epi32(order, b);
      _mm256_mask_storeu_epi8(y + 2 * j * a.y_pixel, m, _mm512_castsi512_si256(b));
      if (two) _mm256_mask_storeu_epi8(y + (2 * j + 1) * a.y_pixel, m, _mm512_extracti64x4_epi64(b, 1));
    }
  }
};

}  // namespace
}  // namespace octet::kernels
