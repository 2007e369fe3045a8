// The loops of the SIMD int8 depthwise variants (kernels/int8/dwconv_<isa>.cpp): header-only,
// templated on a small ISA struct that each variant file defines in its anonymous namespace
// (the ISA rule, kernels/CMakeLists.txt). Packing is in dwconv_pack.h.
//
// Arithmetic. A lane of the packed weights holds the taps of two neighbouring kernel rows
// (2g, 2g + 1) at one kernel column as int16 (dwconv_pack.h); a lane of input holds the
// uint8 codes of the same two rows at one input column, zero-extended to int16. vpmaddwd (or
// VNNI's vpdpwssd) of the two adds both exact products into one int32 lane: two taps per
// instruction. The accumulators are int32 and wrap like the reference's. Taps in the padding
// read the input zero point (bias' folds it back, dwconv_pack.h), so every window has all its
// taps and rows cut by the top or bottom edge need no branch: such a row reads a vector of
// zero points with a column step of 0. The epilogue is requant.h's requantize_float per lane:
// convert, multiply by the scale, clamp in float, convert rounding half to even, add the zero
// point (requantize below).
//
// Loop order, as the FP32 depthwise conv (kernels/f32/dwconv_impl.h) and for the same
// reasons: at stride 1 the channels go in blocks of one input cache line (64 channels), then
// the output rows, then the vectors of the block, then the pixels of the row, so that a
// block's slice of the rows a window spans stays in L1 while the next output rows reuse it;
// at stride 2 the rows go outermost. Within a row, 3x3 and 5x5 kernels with stride 1 or 2 and
// no column dilation run register blocks of Isa::kPixels neighbouring pixels: each kernel-row
// pair's input columns are loaded and widened once and used by every tap and pixel they meet.
// Only the pixels whose window crosses the left or right edge check their columns. Other
// shapes walk each pixel's taps at run time.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/int8/dwconv.h"
#include "kernels/int8/dwconv_pack.h"

namespace octet::kernels {
namespace {

// The ISA struct provides, for vectors V of kLanes int32 lanes (kPixels: the register block):
//   V pair<Partial>(const uint8_t* a, const uint8_t* b, int32_t lanes)   lanes a[i] | b[i] << 16
//   V single<Partial>(const uint8_t* a, int32_t lanes)                   lanes a[i]
//       Partial: only `lanes` bytes read (the other lanes any value)
//   V dot(V acc, V x, V w)      acc + x.lo16 * w.lo16 + x.hi16 * w.hi16 per lane (wrapping)
//   V load(const int32_t*) (aligned), set1(int32_t)
//   F, vectors of kLanes floats: F load_scales(const float*, lanes) (the other lanes any finite
//     value), set1f(float)
//   F to_float(V) (vcvtdq2ps), mul(F, F), clamp(F v, F lo, F hi) = min(max(v, lo), hi),
//     V round_to_int(F) (vcvtps2dq: half to even), add32(V, V)
//   store<Partial>(uint8_t* y, V v, int32_t lanes)   int32 lanes in [0, 255] as bytes
template <class Isa>
struct QDwConvImpl {
  using V = typename Isa::V;
  using F = typename Isa::F;
  static constexpr int32_t L = Isa::kLanes;
  static constexpr int P = Isa::kPixels;
  static constexpr int32_t kBlockChannels = 64;   // one cache line of input codes
  static constexpr int kMaxRows = 6;              // 5x5 kernels, rounded up to pairs

  // The epilogue's constants: the float clamp [output_min - zp, output_max - zp] and zp.
  struct Consts {
    F low, high;
    V zero_point;
  };

  // One kernel row of the window for the current output row: the input at column 0 (channel
  // offset included), and the bytes per column (0 for a row outside the input: the zero points).
  struct Row {
    const uint8_t* x;
    ptrdiff_t step;
  };

  struct RowArgs {
    const int32_t* w;   // packed tap pairs of this channel vector: (g * kernel_w + kw) * cp
    ptrdiff_t cp, C;
    V bias, zx_pair, zx_single;
    F scale;
    uint8_t* y;            // output row + c
    const uint8_t* zx;     // 64 bytes of input zero point
    int32_t lanes;
    Row rows[kMaxRows];
  };

  static int32_t imin(int32_t a, int32_t b) { return a < b ? a : b; }
  static int32_t imax(int32_t a, int32_t b) { return a > b ? a : b; }

  // Output pixels [ow_lo, ow_hi) read only columns inside the input.
  static void inner_columns(const ConvNhwcParams& s, int32_t& ow_lo, int32_t& ow_hi) {
    ow_lo = imin((s.pad_left + s.stride_w - 1) / s.stride_w, s.out_w);
    const int32_t last = s.in_w - 1 - (s.kernel_w - 1) * s.dilation_w + s.pad_left;   // max ow * stride_w
    ow_hi = last < 0 ? ow_lo : imax(ow_lo, imin(s.out_w, last / s.stride_w + 1));
  }

  // y = requantize_float(acc, scale, zp, output_min, output_max) per int32 lane, stored. The
  // clamped value lies in [output_min - zp, output_max - zp], so y is in [0, 255].
  template <bool Partial>
  [[gnu::always_inline]] static inline void requantize(uint8_t* y, V acc, const RowArgs& a, const Consts& k) {
    const F v = Isa::clamp(Isa::mul(Isa::to_float(acc), a.scale), k.low, k.high);
    Isa::template store<Partial>(y, Isa::add32(Isa::round_to_int(v), k.zero_point), a.lanes);
  }

  // Input column iw of the kernel-row pair g (the second row absent for an odd kernel's last).
  template <bool Partial, bool Second>
  [[gnu::always_inline]] static inline V column(const RowArgs& a, int g, int32_t iw) {
    const Row& r0 = a.rows[2 * g];
    if constexpr (Second) {
      const Row& r1 = a.rows[2 * g + 1];
      return Isa::template pair<Partial>(r0.x + iw * r0.step, r1.x + iw * r1.step, a.lanes);
    } else {
      return Isa::template single<Partial>(r0.x + iw * r0.step, a.lanes);
    }
  }

  // N pixels from ow of a KH x KW kernel at column stride S. Checked: columns outside the
  // input read the zero point (the border pixels); otherwise every column is inside.
  template <int KH, int KW, int S, int N, bool Partial, bool Checked>
  [[gnu::always_inline]] static inline void block(const ConvNhwcParams& s, const RowArgs& a, int32_t ow,
                                                  const Consts& k) {
    constexpr int G = (KH + 1) / 2, J = (N - 1) * S + KW;
    const int32_t iw0 = ow * S - s.pad_left;
    V acc[N];
#pragma GCC unroll 8
    for (int i = 0; i < N; ++i) acc[i] = a.bias;
#pragma GCC unroll 3
    for (int g = 0; g < G; ++g) {
      constexpr bool kOddLast = KH % 2 == 1;
      const bool second = !kOddLast || g + 1 < G;
      V col[J];
#pragma GCC unroll 24
      for (int j = 0; j < J; ++j) {
        const int32_t iw = iw0 + j;
        if (Checked && (iw < 0 || iw >= s.in_w))
          col[j] = second ? a.zx_pair : a.zx_single;
        else
          col[j] = second ? column<Partial, true>(a, g, iw) : column<Partial, false>(a, g, iw);
      }
#pragma GCC unroll 5
      for (int kw = 0; kw < KW; ++kw) {
        const V w = Isa::load(a.w + (g * KW + kw) * a.cp);
#pragma GCC unroll 8
        for (int i = 0; i < N; ++i) acc[i] = Isa::dot(acc[i], col[i * S + kw], w);
      }
    }
#pragma GCC unroll 8
    for (int i = 0; i < N; ++i) requantize<Partial>(a.y + (ow + i) * a.C, acc[i], a, k);
  }

  // One output row of one channel vector, KH x KW at stride S with no column dilation.
  template <int KH, int KW, int S, bool Partial>
  [[gnu::flatten]] static void row(const ConvNhwcParams& s, const RowArgs& a, const Consts k) {
    int32_t ow_lo = 0, ow_hi = 0;
    inner_columns(s, ow_lo, ow_hi);
    int32_t ow = 0;
    for (; ow < ow_lo; ++ow) block<KH, KW, S, 1, Partial, true>(s, a, ow, k);
    for (; ow + P <= ow_hi; ow += P) block<KH, KW, S, P, Partial, false>(s, a, ow, k);
    if (ow + P / 2 <= ow_hi) {
      block<KH, KW, S, P / 2, Partial, false>(s, a, ow, k);
      ow += P / 2;
    }
    if (P >= 8 && ow + P / 4 <= ow_hi) {
      block<KH, KW, S, P / 4, Partial, false>(s, a, ow, k);
      ow += P / 4;
    }
    for (; ow < ow_hi; ++ow) block<KH, KW, S, 1, Partial, false>(s, a, ow, k);
    for (; ow < s.out_w; ++ow) block<KH, KW, S, 1, Partial, true>(s, a, ow, k);
  }

  // Any kernel size, stride and dilation: one pixel at a time, the taps at run time. The row
  // of kernel row kh comes from `row_of`; a missing second row of a pair reads zero points
  // (its weights are 0).
  template <bool Partial, class RowOf>
  static void row_any(const ConvNhwcParams& s, const RowArgs& a, const Consts& k, RowOf&& row_of) {
    for (int32_t ow = 0; ow < s.out_w; ++ow) {
      const int32_t iw0 = ow * s.stride_w - s.pad_left;
      V acc = a.bias;
      for (int32_t kh = 0; kh < s.kernel_h; kh += 2) {
        const Row r0 = row_of(kh), r1 = kh + 1 < s.kernel_h ? row_of(kh + 1) : Row{a.zx, 0};
        const int32_t* w = a.w + int64_t{kh / 2} * s.kernel_w * a.cp;
        for (int32_t kw = 0; kw < s.kernel_w; ++kw) {
          const int32_t iw = iw0 + kw * s.dilation_w;
          const V x = iw < 0 || iw >= s.in_w ? a.zx_pair
                                             : Isa::template pair<Partial>(r0.x + iw * r0.step, r1.x + iw * r1.step, a.lanes);
          acc = Isa::dot(acc, x, Isa::load(w + kw * a.cp));
        }
      }
      requantize<Partial>(a.y + ow * a.C, acc, a, k);
    }
  }

  // KH, KW > 0: the kernel size at compile time, S its column stride; 0: any, at run time.
  template <int KH, int KW, int S>
  static void rows(const QConvParams& p, const void* packed, const uint8_t* input, uint8_t* output,
                   int32_t oh_begin, int32_t oh_end) {
    const ConvNhwcParams& s = p.shape;
    const int32_t C = s.out_c;
    const Consts k{Isa::set1f(static_cast<float>(p.output_min - p.output_zero_point)),
                   Isa::set1f(static_cast<float>(p.output_max - p.output_zero_point)),
                   Isa::set1(p.output_zero_point)};
    alignas(64) uint8_t zx[64];
    std::memset(zx, p.input_zero_point, sizeof zx);
    RowArgs a{};
    a.cp = dw_padded_channels(p);
    a.C = C;
    a.zx = zx;
    a.zx_pair = Isa::set1(p.input_zero_point | p.input_zero_point << 16);
    a.zx_single = Isa::set1(p.input_zero_point);
    const int32_t* bias = static_cast<const int32_t*>(packed);
    const ptrdiff_t x_row = ptrdiff_t{s.in_w} * C, y_row = ptrdiff_t{s.out_w} * C;
    // Channels per pass over the rows: a cache line at stride 1, all at stride 2 (see the top).
    const int32_t block = s.stride_h == 1 ? kBlockChannels : C;
    for (int32_t c_block = 0; c_block < C; c_block += block) {
      const int32_t c_end = imin(C, c_block + block);
      for (int32_t oh = oh_begin; oh < oh_end; ++oh) {
        const int32_t ih0 = oh * s.stride_h - s.pad_top;
        for (int32_t c = c_block; c < c_end; c += L) {
          a.lanes = imin(L, c_end - c);
          a.w = bias + a.cp + c;
          a.bias = Isa::load(bias + c);
          a.scale = p.channel_scales != nullptr ? Isa::load_scales(p.channel_scales + c, a.lanes) : Isa::set1f(p.scale);
          a.y = output + oh * y_row + c;
          auto row_of = [&](int32_t kh) {
            const int32_t ih = ih0 + kh * s.dilation_h;
            return ih < 0 || ih >= s.in_h ? Row{zx, 0} : Row{input + ih * x_row + c, C};
          };
          if constexpr (KH > 0) {
            for (int kh = 0; kh < KH; ++kh) a.rows[kh] = row_of(kh);
            if (a.lanes == L)
              row<KH, KW, S, false>(s, a, k);
            else
              row<KH, KW, S, true>(s, a, k);
          } else if (a.lanes == L) {
            row_any<false>(s, a, k, row_of);
          } else {
            row_any<true>(s, a, k, row_of);
          }
        }
      }
    }
  }

  template <int KH, int KW>
  static void rows_of_size(const QConvParams& p, const void* packed, const uint8_t* input, uint8_t* output,
                           int32_t oh_begin, int32_t oh_end) {
    const ConvNhwcParams& s = p.shape;
    if (s.dilation_w == 1 && s.stride_w == 1)
      rows<KH, KW, 1>(p, packed, input, output, oh_begin, oh_end);
    else if (s.dilation_w == 1 && s.stride_w == 2)
      rows<KH, KW, 2>(p, packed, input, output, oh_begin, oh_end);
    else
      rows<0, 0, 0>(p, packed, input, output, oh_begin, oh_end);
  }

  static void run(const QConvParams& p, const void* packed, const uint8_t* input, uint8_t* output, int32_t oh_begin,
                  int32_t oh_end) {
    oh_begin = imax(oh_begin, 0);
    oh_end = imin(oh_end, p.shape.out_h);
    const ConvNhwcParams& s = p.shape;
    if (s.kernel_h == 3 && s.kernel_w == 3)
      rows_of_size<3, 3>(p, packed, input, output, oh_begin, oh_end);
    else if (s.kernel_h == 5 && s.kernel_w == 5)
      rows_of_size<5, 5>(p, packed, input, output, oh_begin, oh_end);
    else
      rows<0, 0, 0>(p, packed, input, output, oh_begin, oh_end);
  }

  static size_t packed_bytes(const QConvParams& p) { return dw_packed_bytes(p); }
  static void pack(const QConvParams& p, const int8_t* weight, const int32_t* bias, void* packed) {
    dw_pack(p, weight, bias, packed);
  }
  static bool supports(const QConvParams& p) { return qdwconv_supported(p); }
};

}  // namespace
}  // namespace octet::kernels
