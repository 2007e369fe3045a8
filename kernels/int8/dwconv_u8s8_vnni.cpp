// AVX-512 VNNI int8 depthwise convolution for symmetric weights (kernels/int8/dwconv.h),
// bit-exact with the reference (kernels/reference/qdwconv.h): four kernel rows per int32 lane,
// multiplied by vpdpbusd (u8 x s8, four products summed into the lane, non-saturating).
//
// Contract beyond dwconv.h's: weight_zero_point == 0 (the u8s8 and int8 schemes' symmetric
// weights), so w' = w is int8 as vpdpbusd's signed operand needs; 3x3 or 5x5 kernels, column
// stride 1 or 2, no column dilation (row stride and dilation are free), more than 16 channels.
// Every other layer (a uint8 scheme's weights with a zero point, other kernels, and layers of
// at most 16 channels, where the four-row blocks below ran at 0.7x the pair variant's speed:
// MnasNet's and MobileNetV3's 112x112x16) goes to qu8_dwconv_nhwc_vnni, the pair variant: this
// one comes first in the kernel table and declines them in supports().
//
// Arithmetic. Kernel rows go in groups of four (3x3: one group, the fourth row's weights 0;
// 5x5: rows 0-3 and row 4 alone). A lane's four bytes hold one channel's codes of the group's
// rows at one input column, (r0, r1, r2, r3), and its packed weights the taps of those rows at
// one kernel column: one vpdpbusd adds all of them, x0 w0 + x1 w1 + x2 w2 + x3 w3 (each
// |product| <= 255 * 128, the sum exact in int32), to the wrapping int32 accumulator. The
// input zero point is folded into the bias as in dwconv_pack.h: bias' = bias - zx * sum w,
// taps in the padding read zx (rows outside the input read a row of zx with column step 0;
// columns outside read a vector of zx), so acc = bias + sum_valid (x - zx) * w modulo 2^32.
//
// Interleaving. Byte unpacks of the group's four rows (vpunpck{l,h}bw r0 r1 and r2 r3, then
// vpunpck{l,h}wd of those) turn 64 channels of one input column into four vectors q = 0..3
// whose 128-bit lane l, dword d holds channel 16 l + 4 q + d: eight unpacks per group and
// column, and the column serves every output pixel and kernel column that reads it. The
// weights and bias are packed in that order (pack below), the per-channel scales permuted to
// it per channel block, and the epilogue's packs undo it exactly: vpackssdw of q0, q1 and of
// q2, q3, then vpackuswb of the two puts channel 16 l + i at byte 16 l + i. The two halves of
// a block (q0, q1 from the unpacks' low bytes, q2, q3 from the high ones) run as separate
// passes over a register block of pixels: 2 accumulators per pixel, so 8 pixels and the
// weights fit the 32 registers. A block of at most 32 channels computes two output rows at
// once, one of at most 16 four (ZmmRows below). A partial block masks its loads and stores.
//
// Epilogue: requant.h's requantize_float per lane, clamp(round_half_even(clamp(float(acc) * s,
// min - zp, max - zp))) + zp, in an order that needs fewer vector operations: f = float(acc) *
// s (vcvtdq2ps, vmulps, as the reference), r = vcvtps2dq(f) (half to even under the default
// MXCSR), vpackssdw to int16 (saturating), vpaddsw zp, vpackuswb to [0, 255] (saturating), then
// vpmaxub / vpminub with [min, max]. Rounding and saturation are monotone and the clamp's bounds
// are integers inside the saturations' ranges, so this is the reference's code whenever r is
// round(f): vcvtps2dq gives INT_MIN for |f| >= 2^31 (or infinite), right for f < 0 (clamped to
// min) but not for f > 0. So when the layer's accumulator bound (max over channels of |bias'| +
// 255 sum |w|, stored after the weights) times the block's largest |scale| is below 2^30, f is
// used as is; otherwise f is first clamped in float to max - zp (vminps), which is exact too.
//
// Loop order (run_shape): 64-channel blocks and output rows (which outermost depends on the
// row stride), then register blocks of kPixels neighbouring pixels of the row, whose input
// columns are interleaved once each and streamed through their kernel columns. Only the
// pixels whose window crosses the left or right edge check their columns.
//
// GCC 12's AVX-512 headers seed some intrinsics with a self-initialised "undefined" vector
// (_mm512_undefined_epi32), which -Wmaybe-uninitialized reports once inlined: a false
// positive, silenced in this file only (as in dwconv_vnni.cpp).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "kernels/conv_variants.h"
#include "kernels/int8/dwconv.h"
#include "kernels/int8/dwconv_u8s8_isa.h"
#include "kernels/int8/dwconv_u8s8_pack.h"
#include "kernels/kernels.h"
#include "kernels/window_columns.h"

namespace octet::kernels {
namespace {

int32_t imin(int32_t a, int32_t b) { return a < b ? a : b; }
int32_t imax(int32_t a, int32_t b) { return a > b ? a : b; }
// The epilogue's forms (see the top): f clamped in float first (kClampFloat: the layer's
// accumulator bound times a scale reaches 2^30), or not (kBounded), and neither when the output
// range is [0, 255] too (kBoundedFullRange: vpackuswb's saturation is the clamp).
enum Epilogue { kClampFloat, kBounded, kBoundedFullRange };

// The loops of one vector kind W (Zmm, ZmmRows) over one channel block of KH x KW at column
// stride S, W::kRows output rows at a time.
// Shared (Zmm blocks at row stride 1 without row dilation): two output rows per pass from the
// same interleaved columns of KH + 1 input rows: for 3x3 (r0, r1, r2, r3), the first row's
// weights (w0, w1, w2, 0), the second's the packed shifted set (0, w0, w1, w2); for 5x5 (r0 ..
// r3) and (r4, r5, 0, 0) with (w0 .. w3), (w4, 0, 0, 0) and (0, w0, w1, w2), (w3, w4, 0, 0). So
// each column's unpacks serve both rows.
template <class W, int KH, int KW, int S, bool Partial, int Epi, bool Shared>
struct Rows {
  using V = typename W::V;
  using F = typename W::F;
  static constexpr int G = (KH + 3) / 4;
  static constexpr int R = Shared ? 2 : 1;       // output rows accumulated per pass
  static constexpr int kRowsRead = Shared ? KH + 1 : KH;   // input rows of a pass
  static_assert(!Shared || ((KH == 3 || KH == 5) && W::kRows == 1));
  // 16 accumulators beside 6-10 weights (shared: 12-20, partly memory operands), a column and
  // its rows.
  static constexpr int kPixels = Shared ? 4 : 8;

  struct Args {
    const int32_t* w;       // the block's packed weights: [groups][KW][4 vectors][16 lanes]
    const int32_t* bias;    // the block's bias', 4 vectors of 16 lanes
    const float* scales;    // the block's scales in packed order, 4 vectors of 16
    // Per output row r < kRows: kernel row kh at column 0 + the block's first channel, its bytes
    // per column (C, or 0 for a row of zero points), and the output row + the first channel.
    const uint8_t* row[4][4 * G];
    ptrdiff_t step[4][4 * G];
    uint8_t* y[4];
    ptrdiff_t C;
    typename W::M m;
    V zx, zp, lo, hi;   // zx and the clamp [output_min, output_max] as bytes, zp as int16
    F high;             // output_max - zp as float
  };

  // Half H of N pixels from ow (the vectors q = 2H, 2H + 1: the low or high 8 bytes of each
  // 16-byte lane), input columns from iw0. Checked: columns outside [0, in_w) read zx. The
  // first half leaves its int16 codes in words[i]; the second packs both and stores.
  // Not inlined: one function per half keeps the compiler from merging the halves' row loads
  // into one schedule that spills (GCC 12 did).
  template <int N, bool Checked, int H>
  [[gnu::noinline]] static void half(const Args& a, int32_t in_w, int32_t ow, int32_t iw0, V* words) {
    constexpr int J = (N - 1) * S + KW;
    V acc[R][N][2];
#pragma GCC unroll 2
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 16
      for (int i = 0; i < N; ++i)
#pragma GCC unroll 2
        for (int q = 0; q < 2; ++q) acc[r][i][q] = W::load32(a.bias + 16 * (2 * H + q));
#pragma GCC unroll 2
    for (int g = 0; g < G; ++g) {
      V wt[R][KW][2];   // shared: the second row's from the shifted groups
#pragma GCC unroll 2
      for (int r = 0; r < R; ++r)
#pragma GCC unroll 5
        for (int kw = 0; kw < KW; ++kw)
#pragma GCC unroll 2
          for (int q = 0; q < 2; ++q) wt[r][kw][q] = W::load32(a.w + (((g + r * G) * KW + kw) * 4 + 2 * H + q) * 16);
#pragma GCC unroll 24
      for (int j = 0; j < J; ++j) {
        const int32_t iw = iw0 + j;
        V col[2];
        if (Checked && (iw < 0 || iw >= in_w)) {
          col[0] = col[1] = a.zx;
        } else {
          V r[4];
#pragma GCC unroll 4
          for (int k = 0; k < 4; ++k)
            r[k] = 4 * g + k < kRowsRead ? W::template load<Partial>(a, 4 * g + k, iw) : W::zero();
          const V b01 = H == 0 ? W::lo8(r[0], r[1]) : W::hi8(r[0], r[1]);
          const V b23 = H == 0 ? W::lo8(r[2], r[3]) : W::hi8(r[2], r[3]);
          col[0] = W::lo16(b01, b23);
          col[1] = W::hi16(b01, b23);
        }
#pragma GCC unroll 16
        for (int i = 0; i < N; ++i) {
          const int kw = j - i * S;
          if (kw < 0 || kw >= KW) continue;
#pragma GCC unroll 2
          for (int r = 0; r < R; ++r)
#pragma GCC unroll 2
            for (int q = 0; q < 2; ++q) acc[r][i][q] = W::dot(acc[r][i][q], col[q], wt[r][kw][q]);
        }
      }
    }
#pragma GCC unroll 2
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 16
      for (int i = 0; i < N; ++i) {
        V v[2];
#pragma GCC unroll 2
        for (int q = 0; q < 2; ++q) {
          const F f = W::scaled(acc[r][i][q], W::loadf(a.scales + 16 * (2 * H + q)));
          v[q] = W::round(Epi == kClampFloat ? W::minf(f, a.high) : f);
        }
        const V w = W::words(v[0], v[1], a.zp);
        if constexpr (H == 0) {
          words[r * N + i] = w;
        } else {   // ZmmRows: every row in one vector; shared: row y[r]
          const V y = W::bytes(words[r * N + i], w);
          W::template store<Partial>(a, r, (ow + i) * a.C, Epi == kBoundedFullRange ? y : W::clamp8(y, a.lo, a.hi));
        }
      }
  }

  template <int N, bool Checked>
  [[gnu::always_inline]] static inline void block(const Args& a, int32_t in_w, int32_t ow, int32_t iw0) {
    V words[R * N];
    half<N, Checked, 0>(a, in_w, ow, iw0, words);
    half<N, Checked, 1>(a, in_w, ow, iw0, words);
  }

  // One output row of the block.
  [[gnu::flatten]] static void row(const ConvNhwcParams& s, const Args& a) {
    // Pixels [ow_lo, ow_hi) read only columns inside the input.
    const ColumnRange inner = inner_columns(s.out_w, s.in_w, KW, S, 1, s.pad_left);
    const int32_t ow_lo = inner.lo, ow_hi = inner.hi;
    int32_t ow = 0;
    for (; ow < ow_lo; ++ow) block<1, true>(a, s.in_w, ow, ow * S - s.pad_left);
    for (; ow + kPixels <= ow_hi; ow += kPixels) block<kPixels, false>(a, s.in_w, ow, ow * S - s.pad_left);
    if (ow + 4 <= ow_hi) {
      block<4, false>(a, s.in_w, ow, ow * S - s.pad_left);
      ow += 4;
    }
    if (ow + 2 <= ow_hi) {
      block<2, false>(a, s.in_w, ow, ow * S - s.pad_left);
      ow += 2;
    }
    for (; ow < ow_hi; ++ow) block<1, false>(a, s.in_w, ow, ow * S - s.pad_left);
    for (; ow < s.out_w; ++ow) block<1, true>(a, s.in_w, ow, ow * S - s.pad_left);
  }

  static Args args(const QConvParams& p, const int32_t* bias, const int32_t* w, const float* scales, int32_t n) {
    Args a;
    a.w = w;
    a.bias = bias;
    a.scales = scales;
    a.C = p.shape.out_c;
    a.m = W::mask(n);
    a.zx = W::splat8(p.input_zero_point);
    a.zp = W::splat16(p.output_zero_point);
    a.lo = W::splat8(p.output_min);
    a.hi = W::splat8(p.output_max);
    a.high = W::splatf(static_cast<float>(p.output_max - p.output_zero_point));
    return a;
  }

  // Kernel rows of output row o into a's row r (not shared).
  static void set_row(const ConvNhwcParams& s, Args& a, int r, int32_t o, const uint8_t* zx, const uint8_t* input,
                      uint8_t* output, int32_t c) {
    const ptrdiff_t x_row = ptrdiff_t{s.in_w} * s.in_c, y_row = ptrdiff_t{s.out_w} * s.out_c;
    const int32_t ih0 = o * s.stride_h - s.pad_top;
    for (int32_t kh = 0; kh < 4 * G; ++kh) {
      const int32_t ih = ih0 + kh * s.dilation_h;
      const bool inside = kh < KH && ih >= 0 && ih < s.in_h;
      a.row[r][kh] = inside ? input + ih * x_row + c : zx;
      a.step[r][kh] = inside ? s.in_c : 0;
    }
    a.y[r] = output + o * y_row + c;
  }

  // Output rows [oh_begin, oh_end) of channels [c, c + n).
  static void run(const QConvParams& p, const int32_t* bias, const int32_t* w, const float* scales,
                  const uint8_t* zx, const uint8_t* input, uint8_t* output, int32_t c, int32_t n, int32_t oh_begin,
                  int32_t oh_end) {
    const ConvNhwcParams& s = p.shape;
    Args a = args(p, bias, w, scales, n);
    const ptrdiff_t x_row = ptrdiff_t{s.in_w} * s.in_c, y_row = ptrdiff_t{s.out_w} * s.out_c;
    if constexpr (std::is_same_v<W, ZmmRows<2>> && KH == 3 && KW == 3 && S == 1 && !Partial && !Shared) {
      if (s.in_c == 32 && s.stride_h == 1 && s.dilation_h == 1) {
        pixel_pairs(p, a, bias, w, scales, zx, input, output, oh_begin, oh_end);
        return;
      }
    }
    if constexpr (Shared) {   // pairs of rows, a last row alone by the plain pass
      for (; oh_begin + 2 <= oh_end; oh_begin += 2) {
        const int32_t ih0 = oh_begin - s.pad_top;
        for (int32_t k = 0; k < kRowsRead; ++k) {
          const int32_t ih = ih0 + k;
          const bool inside = ih >= 0 && ih < s.in_h;
          a.row[0][k] = inside ? input + ih * x_row + c : zx;
          a.step[0][k] = inside ? s.in_c : 0;
        }
        a.y[0] = output + oh_begin * y_row + c;
        a.y[1] = a.y[0] + y_row;
        row(s, a);
      }
      Rows<W, KH, KW, S, Partial, Epi, false>::run(p, bias, w, scales, zx, input, output, c, n, oh_begin, oh_end);
      return;
    }
    // kRows rows at a time; past oh_end, the last row again (computed and stored twice).
    for (int32_t oh = oh_begin; oh < oh_end; oh += W::kRows) {
      for (int r = 0; r < W::kRows; ++r) set_row(s, a, r, imin(oh + r, oh_end - 1), zx, input, output, c);
      row(s, a);
    }
  }

  // A layer of exactly 32 channels at stride 1 (MobileNetV2's first depthwise conv), rows in
  // pairs: two neighbouring pixels' 32 channels are 64 contiguous bytes, so the interior pixels
  // go in pixel pairs on plain 64-byte loads (ZmmPairs), the pair of output rows from the same
  // interleaved columns of four input rows (Shared); in that loop a pixel pair is one "pixel"
  // at column stride 2 whose kernel column kw reads the 64-byte window from pixel 2 i + kw. The
  // edge pixels (and an odd one) run as above, a last row alone too.
  static void pixel_pairs(const QConvParams& p, Args& a, const int32_t* bias, const int32_t* w, const float* scales,
                          const uint8_t* zx, const uint8_t* input, uint8_t* output, int32_t oh_begin, int32_t oh_end) {
    using Pairs = Rows<ZmmPairs, 3, 3, 2, false, Epi, true>;
    const ConvNhwcParams& s = p.shape;
    typename Pairs::Args b = Pairs::args(p, bias, w, scales, 64);
    b.C = 64;   // bytes per pixel pair
    const ptrdiff_t x_row = ptrdiff_t{s.in_w} * 32, y_row = ptrdiff_t{s.out_w} * 32;
    const ColumnRange inner = inner_columns(s.out_w, s.in_w, 3, 1, 1, s.pad_left);
    const int32_t ow_lo = inner.lo, ow_hi = inner.hi;
    const int32_t pairs = (ow_hi - ow_lo) / 2;
    for (int32_t oh = oh_begin; oh < oh_end; oh += 2) {
      for (int r = 0; r < 2; ++r) set_row(s, a, r, imin(oh + r, oh_end - 1), zx, input, output, 0);
      if (oh + 1 == oh_end) {
        row(s, a);
        break;
      }
      for (int32_t k = 0; k < 4; ++k) {
        const int32_t ih = oh - s.pad_top + k;
        const bool inside = ih >= 0 && ih < s.in_h;
        b.row[0][k] = inside ? input + ih * x_row : zx;
        b.step[0][k] = inside ? 32 : 0;
      }
      b.y[0] = output + oh * y_row + ptrdiff_t{ow_lo} * 32;
      b.y[1] = b.y[0] + y_row;
      const int32_t iw0 = ow_lo - s.pad_left;
      int32_t ow = 0, i = 0;
      for (; ow < ow_lo; ++ow) block<1, true>(a, s.in_w, ow, ow - s.pad_left);
      for (; i + 4 <= pairs; i += 4) Pairs::template block<4, false>(b, s.in_w, i, iw0 + 2 * i);
      if (i + 2 <= pairs) {
        Pairs::template block<2, false>(b, s.in_w, i, iw0 + 2 * i);
        i += 2;
      }
      if (i < pairs) Pairs::template block<1, false>(b, s.in_w, i, iw0 + 2 * i);
      for (ow = ow_lo + 2 * pairs; ow < ow_hi; ++ow) block<1, false>(a, s.in_w, ow, ow - s.pad_left);
      for (; ow < s.out_w; ++ow) block<1, true>(a, s.in_w, ow, ow - s.pad_left);
    }
  }
};

// The scales of channels [c, c + n) (n <= 64, 0 past n) in packed_lane order: four vectors of
// 16 read in channel order, S_j lane l = channels 16 j + 4 l .. + 3, and the 4 x 4 transpose of
// their 128-bit lanes, Q_q lane l = S_l lane q. Returns the largest |scale|.
float permuted_scales(const QConvParams& p, int32_t c, int32_t n, float* out) {
  __m512 s[4];
  for (int j = 0; j < 4; ++j) {
    const int32_t k = imax(0, imin(16, n - 16 * j));
    const __mmask16 m = static_cast<__mmask16>((1u << k) - 1u);
    if (k == 0) s[j] = _mm512_setzero_ps();
    else if (p.channel_scales != nullptr) s[j] = _mm512_maskz_loadu_ps(m, p.channel_scales + c + 16 * j);
    else s[j] = _mm512_maskz_mov_ps(m, _mm512_set1_ps(p.scale));
  }
  const __m512 t0 = _mm512_shuffle_f32x4(s[0], s[1], 0x44), t1 = _mm512_shuffle_f32x4(s[0], s[1], 0xEE);
  const __m512 t2 = _mm512_shuffle_f32x4(s[2], s[3], 0x44), t3 = _mm512_shuffle_f32x4(s[2], s[3], 0xEE);
  _mm512_store_ps(out, _mm512_shuffle_f32x4(t0, t2, 0x88));
  _mm512_store_ps(out + 16, _mm512_shuffle_f32x4(t0, t2, 0xDD));
  _mm512_store_ps(out + 32, _mm512_shuffle_f32x4(t1, t3, 0x88));
  _mm512_store_ps(out + 48, _mm512_shuffle_f32x4(t1, t3, 0xDD));
  return _mm512_reduce_max_ps(_mm512_max_ps(_mm512_max_ps(_mm512_abs_ps(s[0]), _mm512_abs_ps(s[1])),
                                            _mm512_max_ps(_mm512_abs_ps(s[2]), _mm512_abs_ps(s[3]))));
}

// Output rows [oh_begin, oh_end) of the channel block at c.
template <int KH, int KW, int S>
void block_rows(const QConvParams& p, const void* packed, const uint8_t* zx, const uint8_t* input, uint8_t* output,
                int32_t c, int32_t oh_begin, int32_t oh_end) {
  const int32_t C = p.shape.out_c, n = imin(kBlock, C - c);
  const int32_t* bias = static_cast<const int32_t*>(packed);
  const int32_t* w = bias + padded_channels(p) + ptrdiff_t{c / kBlock} * packed_groups(KH) * KW * kBlock;
  alignas(64) float scales[kBlock];
  const float largest = permuted_scales(p, c, n, scales);
  auto go = [&](auto rows) {
    decltype(rows)::run(p, bias + c, w, scales, zx, input, output, c, n, oh_begin, oh_end);
  };
  auto pick = [&](auto epilogue) {
    constexpr int B = decltype(epilogue)::value;
    const bool shared = p.shape.stride_h == 1 && p.shape.dilation_h == 1;
    if (n == 64 && shared) go(Rows<Zmm, KH, KW, S, false, B, true>{});
    else if (n == 64) go(Rows<Zmm, KH, KW, S, false, B, false>{});
    else if (n > 32 && shared) go(Rows<Zmm, KH, KW, S, true, B, true>{});
    else if (n > 32) go(Rows<Zmm, KH, KW, S, true, B, false>{});
    else if (n == 32) go(Rows<ZmmRows<2>, KH, KW, S, false, B, false>{});
    else if (n > 16) go(Rows<ZmmRows<2>, KH, KW, S, true, B, false>{});
    else if (n == 16) go(Rows<ZmmRows<4>, KH, KW, S, false, B, false>{});
    else go(Rows<ZmmRows<4>, KH, KW, S, true, B, false>{});
  };
  // Bounded: every |float(acc) * s| < 2^30 (see the epilogue at the top). Without
  // kEveryConvEpilogue (the sanitizer builds, kernels/conv_variants.h): kClampFloat alone, exact
  // for every layer, whose loads and stores are the others': a third of the blocks to compile.
  if constexpr (!kEveryConvEpilogue) pick(std::integral_constant<int, kClampFloat>{});
  else if (double(acc_bound(p, packed)) * double(largest) >= 0x1p30) pick(std::integral_constant<int, kClampFloat>{});
  else if (p.output_min == 0 && p.output_max == 255) pick(std::integral_constant<int, kBoundedFullRange>{});
  else pick(std::integral_constant<int, kBounded>{});
}

// Row stride 1: channel blocks outermost, so that a block's slice of the rows a window spans
// stays in L1 while the next output rows reuse it (as dwconv_impl.h). Row stride 2 reads each
// input row for 1.5 output rows: the rows go outermost, so that every block of a row is read
// while its lines are in cache (blocks outermost walked an image past L2, MobileNetV2's
// 112x112x96, once per block).
template <int KH, int KW, int S>
void run_shape(const QConvParams& p, const void* packed, const uint8_t* input, uint8_t* output, int32_t oh_begin,
               int32_t oh_end) {
  alignas(64) uint8_t zx[kBlock];
  std::memset(zx, p.input_zero_point, sizeof zx);
  const int32_t C = p.shape.out_c;
  if (p.shape.stride_h == 1) {
    for (int32_t c = 0; c < C; c += kBlock) block_rows<KH, KW, S>(p, packed, zx, input, output, c, oh_begin, oh_end);
  } else {
    for (int32_t oh = oh_begin; oh < oh_end; oh += 4)   // bands of four: ZmmRows<4>'s
      for (int32_t c = 0; c < C; c += kBlock)
        block_rows<KH, KW, S>(p, packed, zx, input, output, c, oh, imin(oh + 4, oh_end));
  }
}

bool supports(const QConvParams& p) {
  const ConvNhwcParams& s = p.shape;
  return qdwconv_supported(p) && p.weight_zero_point == 0 && s.out_c > 16 &&
         ((s.kernel_h == 3 && s.kernel_w == 3) || (s.kernel_h == 5 && s.kernel_w == 5)) && s.dilation_w == 1 &&
         (s.stride_w == 1 || s.stride_w == 2);
}

void run(const QConvParams& p, const void* packed, const uint8_t* input, uint8_t* output, int32_t oh_begin,
         int32_t oh_end) {
  oh_begin = imax(oh_begin, 0);
  oh_end = imin(oh_end, p.shape.out_h);
  const bool k3 = p.shape.kernel_h == 3, s1 = p.shape.stride_w == 1;
  if (k3 && s1) run_shape<3, 3, 1>(p, packed, input, output, oh_begin, oh_end);
  else if (k3) run_shape<3, 3, 2>(p, packed, input, output, oh_begin, oh_end);
  else if (s1) run_shape<5, 5, 1>(p, packed, input, output, oh_begin, oh_end);
  else run_shape<5, 5, 2>(p, packed, input, output, oh_begin, oh_end);
}

}  // namespace

const QDwConvU8Kernel qu8_dwconv_nhwc_u8s8_vnni = {
    "qu8_dwconv_nhwc_u8s8_vnni", &supports, &packed_bytes, &pack, &run, &packed_ok,
};

}  // namespace octet::kernels
