// FP32 NHWC depthwise convolution (kernels/f32/dwconv.h), header-only and templated on the
// xsimd architecture: included by dwconv_{sse2,avx2,avx512}.cpp, each of which instantiates
// it with its own Arch. Everything sits in an anonymous namespace so that each ISA file gets
// private copies (kernels/CMakeLists.txt).
//
// Packed weights: [bias: Cp][kh][kw][Cp], Cp = channels rounded up to a vector, the lanes
// past the channels zero.
//
// Loop order. A depthwise conv does few MACs per byte, so the order is chosen for the caches
// (measured on the zoo's shapes, bench/kernels/bench_f32_dwconv.cpp). Stride 1: the channels
// in blocks of one cache line (16 floats: one AVX-512 vector, two AVX2 or four SSE2 vectors),
// then the output rows, then the vectors of the block, then the pixels of the row, so that a
// block's slice of the input rows a window spans (3 rows x 112 pixels x 64 bytes = 21 KB)
// stays in L1 while the next output rows reuse it. Stride 2 reuses an input row in fewer
// output rows and streams 4x the input per output: there the output rows go outermost and
// each reads all channels of its input rows (sequential lines, which the prefetchers serve
// better than a block's strided ones).
//
// Within a row, 3x3 and 5x5 with stride 1 or 2 and no column dilation take the
// register-blocked path: several neighbouring output pixels at a time, each input vector of
// a kernel row loaded once and used by every tap and pixel it meets (a 3x3 stride-1 block of
// 4 pixels: 18 loads for 36 FMAs instead of 36). A 3x3's taps stay in registers for the row
// on AVX-512; a 5x5's (and all on 16-register ISAs) are loaded per kernel row of a block.
// Rows cut by the top or bottom padding run the same code, skipping the kernel rows outside
// the input (one predictable branch per kernel row). The blocks cover the whole row, the
// pixels whose window crosses the left or right edge included: a block's columns in the
// padding are zero vectors, so no padded copy is needed and the border pixels share their
// loads too (on the 7x7 and 14x14 maps of the 5x5 layers, 4 of 7 and 4 of 14 pixels per row
// are border pixels, which one at a time loaded a weight and an input per tap). Blocks are of
// 7 pixels on AVX-512 (kPixels), then one of 5 for a rest of exactly 5, else one of 4 and one
// of 2; only a last single pixel goes through its valid taps.
// Other kernel sizes, strides and dilations walk each pixel's valid taps.
//
// The last channel vector, when the channels are not a multiple of the vector width, reads
// and writes only its lanes (kernels/f32/partial_vector.h: masked moves on AVX2 and AVX-512,
// so a model with 8 channels on AVX-512 pays no copy per tap). On AVX-512 a tail of exactly 8
// channels (8, 24, 40, 72, 120 and 200 channels end in one) runs in ymm vectors, the AVX2
// instantiation compiled with AVX-512VL (measured 1.7x faster than a masked zmm).
#pragma once
#include <xsimd/xsimd.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/f32/conv_epilogue.h"
#include "kernels/window_columns.h"
#include "kernels/f32/dwconv.h"
#include "kernels/f32/partial_vector.h"

namespace octet::kernels {
namespace {

inline int32_t dw_imin(int32_t a, int32_t b) { return a < b ? a : b; }
inline int32_t dw_imax(int32_t a, int32_t b) { return a > b ? a : b; }

// Taps k of a window starting at i0 (dilation d, n taps) with 0 <= i0 + k * d < size.
inline void dw_valid_taps(int32_t i0, int32_t d, int32_t n, int32_t size, int32_t& k0, int32_t& k1) {
  k0 = i0 >= 0 ? 0 : (-i0 + d - 1) / d;
  k1 = i0 >= size ? 0 : dw_imin(n, (size - 1 - i0) / d + 1);
  if (k1 < k0) k1 = k0;
}

// One output row of one channel vector [c, c + lanes), whose tap-0 input row is ih0 and
// whose valid kernel rows are [kh0, kh1). Outside the template: AVX-512 hands the rows of an
// 8-channel tail to the AVX2 instantiation (DwConvF32::rows).
struct DwRowArgs {
  const float* wc;       // tap t of the channel vector: wc + t * cp
  const float* x;        // input + c
  const float* res;      // residual row + c, or null
  float* y;              // output row + c
  ptrdiff_t cp, C, x_row;
  int32_t ih0, kh0, kh1, lanes;
};

template <class Arch>
struct DwConvF32 {
  using Batch = xsimd::batch<float, Arch>;
  static constexpr int W = static_cast<int>(Batch::size);
  // Channel vectors per block: one 64-byte cache line of floats.
  static constexpr int kBlockVectors = W >= 16 ? 1 : 16 / W;

  static int32_t padded_channels(const ConvNhwcParams& p) { return (p.in_c + W - 1) / W * W; }

  static bool supports(const ConvNhwcParams& p) {
    return p.in_h > 0 && p.in_w > 0 && p.in_c > 0 && p.out_h > 0 && p.out_w > 0 && p.out_c == p.in_c &&
           p.kernel_h > 0 && p.kernel_w > 0 && p.stride_h > 0 && p.stride_w > 0 && p.dilation_h > 0 &&
           p.dilation_w > 0 && p.pad_top >= 0 && p.pad_left >= 0;
  }

  static size_t packed_floats(const ConvNhwcParams& p) {
    return static_cast<size_t>(padded_channels(p)) * (1 + static_cast<size_t>(p.kernel_h) * p.kernel_w);
  }

  static void pack(const ConvNhwcParams& p, const float* weight, const float* bias, float* packed) {
    const int32_t cp = padded_channels(p), taps = p.kernel_h * p.kernel_w;
    for (int32_t c = 0; c < cp; ++c) {
      const bool real = c < p.in_c;
      packed[c] = real && bias != nullptr ? bias[c] : 0.f;
      for (int32_t t = 0; t < taps; ++t) packed[ptrdiff_t{1 + t} * cp + c] = real ? weight[ptrdiff_t{c} * taps + t] : 0.f;
    }
  }

  // `lanes` floats of a partial channel vector (Partial) or a whole one.
  template <bool Partial>
  static Batch load(const float* x, int32_t lanes) {
    if constexpr (!Partial) {
      return Batch::load_unaligned(x);
    } else {
      return PartialVector<Arch>::load(x, lanes);
    }
  }

  using RowArgs = DwRowArgs;

  // N bias-initialised accumulators of the pixels from ow done: + residual, activation,
  // stored.
  template <int N, bool Partial>
  [[gnu::always_inline]] static inline void finish(Batch (&acc)[N], const RowArgs& a, int32_t ow,
                                                   const ConvEpilogue& ep) {
    const ptrdiff_t yo = ptrdiff_t{ow} * a.C;
    if (a.res != nullptr) {
#pragma GCC unroll 8
      for (int i = 0; i < N; ++i) acc[i] += load<Partial>(a.res + yo + i * a.C, a.lanes);
    }
#pragma GCC unroll 8
    for (int i = 0; i < N; ++i) acc[i] = conv_activate(acc[i], ep);
#pragma GCC unroll 8
    for (int i = 0; i < N; ++i) {
      if constexpr (!Partial) {
        acc[i].store_unaligned(a.y + yo + i * a.C);
      } else {
        PartialVector<Arch>::store(a.y + yo + i * a.C, acc[i], a.lanes);
      }
    }
  }

  // Output pixels [ow_lo, ow_hi) of a row read only columns inside the input.
  static void inner_columns(const ConvNhwcParams& p, int32_t& ow_lo, int32_t& ow_hi) {
    const ColumnRange r = kernels::inner_columns(p.out_w, p.in_w, p.kernel_w, p.stride_w, p.dilation_w, p.pad_left);
    ow_lo = r.lo;
    ow_hi = r.hi;
  }

  // Any kernel size, stride and dilation: one pixel, its valid taps read from memory.
  template <bool Partial>
  static void pixel_any(const ConvNhwcParams& p, const RowArgs& a, Batch bias, int32_t ow, const ConvEpilogue& ep) {
    const int32_t iw0 = ow * p.stride_w - p.pad_left;
    int32_t kw0 = 0, kw1 = 0;
    dw_valid_taps(iw0, p.dilation_w, p.kernel_w, p.in_w, kw0, kw1);
    Batch acc = bias;
    for (int32_t kh = a.kh0; kh < a.kh1; ++kh) {
      const float* xr = a.x + ptrdiff_t{a.ih0 + kh * p.dilation_h} * a.x_row;
      for (int32_t kw = kw0; kw < kw1; ++kw) {
        const Batch w = Batch::load_unaligned(a.wc + ptrdiff_t{kh * p.kernel_w + kw} * a.cp);
        acc = xsimd::fma(load<Partial>(xr + ptrdiff_t{iw0 + kw * p.dilation_w} * a.C, a.lanes), w, acc);
      }
    }
    Batch accs[1] = {acc};
    finish<1, Partial>(accs, a, ow, ep);
  }

  // 32 vector registers: AVX-512, and AVX2's ymm vectors when AVX-512VL encodes them (the
  // AVX2 instantiation inside dwconv_avx512.cpp, which runs the 8-channel tails).
#if defined(__AVX512VL__)
  static constexpr bool kRegisters32 = true;
#else
  static constexpr bool kRegisters32 = W >= 16;
#endif
  // Whether a KH x KW kernel's taps stay in registers for the whole row: 32 registers hold a
  // 3x3's 9 beside a block's accumulators and columns; a 5x5's 25 do not (they spilled), and
  // on 16 registers neither does, so those load the taps of each kernel row where they are
  // used (L1 hits, shared by the block's pixels).
  template <int KH, int KW>
  static constexpr bool kTapsHeld = kRegisters32 && KH * KW <= 9;
  // Output pixels of one register block: 7 on 32 registers, else 4. 7 divides every row width
  // of the 224x224 zoo models' depthwise layers, 7 to 112, so their rows are whole blocks: a 14-pixel row of
  // a 5x5 in two blocks of 7 loads 22% fewer columns than in blocks of 8, 4 and 2, and a 3x3
  // block of 7 (9 columns, 7 accumulators and 9 held taps; 15 columns at stride 2) loads 1.29
  // columns a pixel against 1.5 for 4 (14x14x576 3x3: 28 -> 21 us; the conv chains of
  // MnasNet and MobileNetV2, 3x3 on 56- and 112-pixel rows, 2-4% faster).
  template <int KH, int KW>
  static constexpr int kPixels = kRegisters32 ? 7 : 4;
  // Tap t of the row's channel vector: from the registers or from the packed weights.
  template <int KH, int KW>
  static Batch tap(const RowArgs& a, const Batch* held, int t) {
    if constexpr (kTapsHeld<KH, KW>) {
      return held[t];
    } else {
      return Batch::load_unaligned(a.wc + t * a.cp);
    }
  }

  // One pixel of a KH x KW kernel: the taps of kernel rows [kh0, kh1) and columns
  // [kw0, kw1) (the border pixels; the interior ones when fewer than a block are left).
  template <int KH, int KW, bool Partial>
  static void pixel_fixed(const ConvNhwcParams& p, const RowArgs& a, const Batch* held, Batch bias, int32_t ow,
                          int32_t kw0, int32_t kw1, const ConvEpilogue& ep) {
    const float* x = a.x + ptrdiff_t{a.ih0} * a.x_row + ptrdiff_t{ow * p.stride_w - p.pad_left} * a.C;
    Batch acc[1] = {bias};
#pragma GCC unroll 5
    for (int kh = 0; kh < KH; ++kh) {
      if (kh < a.kh0 || kh >= a.kh1) continue;
      const float* xr = x + kh * p.dilation_h * a.x_row;
#pragma GCC unroll 5
      for (int kw = 0; kw < KW; ++kw) {
        if (kw < kw0 || kw >= kw1) continue;
        acc[0] = xsimd::fma(load<Partial>(xr + ptrdiff_t{kw} * p.dilation_w * a.C, a.lanes),
                            tap<KH, KW>(a, held, kh * KW + kw), acc[0]);
      }
    }
    finish<1, Partial>(acc, a, ow, ep);
  }

  // N pixels from ow, stride S (1 or 2) and no column dilation: the input columns of each
  // kernel row are loaded once and shared by the taps and pixels. Edge: some of the block's
  // columns lie in the left or right padding; those are zero vectors (the block computes
  // their taps on zeros rather than leaving its pixels to the one-at-a-time path, where
  // every tap loads both its input and its weight: on the 7x7 and 14x14 maps of the 5x5
  // layers most pixels are border pixels).
  template <int KH, int KW, int S, int N, bool Partial, bool Edge>
  static void pixel_block(const ConvNhwcParams& p, const RowArgs& a, const Batch* held, Batch bias, int32_t ow,
                          const ConvEpilogue& ep) {
    constexpr int kColumns = (N - 1) * S + KW;
    const int32_t iw0 = ow * S - p.pad_left;   // input column of column 0
    // Columns [j0, j1) are inside the input (all of them unless Edge).
    const int32_t j0 = Edge ? dw_imax(0, -iw0) : 0;
    const int32_t j1 = Edge ? dw_imin(kColumns, p.in_w - iw0) : kColumns;
    Batch acc[N];
#pragma GCC unroll 8
    for (int i = 0; i < N; ++i) acc[i] = bias;
#pragma GCC unroll 5
    for (int kh = 0; kh < KH; ++kh) {
      if (kh < a.kh0 || kh >= a.kh1) continue;
      // Offsets, not pointers, until a column is known to be inside the input.
      const ptrdiff_t xr = ptrdiff_t{a.ih0 + kh * p.dilation_h} * a.x_row + ptrdiff_t{iw0} * a.C;
      Batch col[kColumns];
#pragma GCC unroll 20
      for (int j = 0; j < kColumns; ++j)
        col[j] = !Edge || (j >= j0 && j < j1) ? load<Partial>(a.x + (xr + j * a.C), a.lanes) : Batch(0.f);
#pragma GCC unroll 5
      for (int kw = 0; kw < KW; ++kw) {
        const Batch w = tap<KH, KW>(a, held, kh * KW + kw);
#pragma GCC unroll 8
        for (int i = 0; i < N; ++i) acc[i] = xsimd::fma(col[i * S + kw], w, acc[i]);
      }
    }
    finish<N, Partial>(acc, a, ow, ep);
  }

  // The N-pixel block from ow, through the edge form if its window leaves [ow_lo, ow_hi)
  // (the pixels whose windows stay inside the input).
  template <int KH, int KW, int S, int N, bool Partial>
  static void block_at(const ConvNhwcParams& p, const RowArgs& a, const Batch* held, Batch bias, int32_t ow,
                       int32_t ow_lo, int32_t ow_hi, const ConvEpilogue& ep) {
    if (ow >= ow_lo && ow + N <= ow_hi)
      pixel_block<KH, KW, S, N, Partial, false>(p, a, held, bias, ow, ep);
    else
      pixel_block<KH, KW, S, N, Partial, true>(p, a, held, bias, ow, ep);
  }

  // One row of one channel vector. KH, KW > 0: the kernel size at compile time; S > 0: the
  // column stride at compile time, no column dilation (register blocks of kPixels, then
  // smaller ones, then single pixels); 0: p's, at run time.
  // Flattened: everything it calls is inlined, the activation too (GCC keeps conv_activate
  // out of line for the size of its exp code, and a call per output vector cost a fifth of
  // the time of a 3x3 layer).
  template <int KH, int KW, int S, bool Partial>
  [[gnu::flatten]] static void row(const ConvNhwcParams& p, const RowArgs& a, const ConvEpilogue ep) {
    const Batch bias = Batch::load_unaligned(a.wc - a.cp);
    if constexpr (KH == 0) {
      for (int32_t ow = 0; ow < p.out_w; ++ow) pixel_any<Partial>(p, a, bias, ow, ep);
    } else {
      constexpr int P = kPixels<KH, KW>;
      Batch held[kTapsHeld<KH, KW> ? KH * KW : 1];
      if constexpr (kTapsHeld<KH, KW>)
        for (int t = 0; t < KH * KW; ++t) held[t] = Batch::load_unaligned(a.wc + t * a.cp);
      int32_t ow_lo = 0, ow_hi = 0;
      inner_columns(p, ow_lo, ow_hi);
      auto border_pixel = [&](int32_t ow) {
        int32_t kw0 = 0, kw1 = 0;
        dw_valid_taps(ow * p.stride_w - p.pad_left, p.dilation_w, KW, p.in_w, kw0, kw1);
        pixel_fixed<KH, KW, Partial>(p, a, held, bias, ow, kw0, kw1, ep);
      };
      int32_t ow = 0;
      if constexpr (S > 0) {
        // Register blocks over the whole row, border pixels included (their padding columns
        // zero), then (the rest < P) one of 5 for a rest of exactly 5, else one of 4 if P is
        // 7, one of 2, then single pixels. The 5: DS-CNN's rows are 5 pixels wide, and as 4 + 1
        // the single pixel's chain of KH * KW dependent FMAs took as long as the block of 4
        // (25x5x64 3x3: 2.58 -> 2.03 us; bench/kernels/dw_shapes.h).
        for (; ow + P <= p.out_w; ow += P) block_at<KH, KW, S, P, Partial>(p, a, held, bias, ow, ow_lo, ow_hi, ep);
        if constexpr (P > 5) {
          if (ow + 5 == p.out_w) {
            block_at<KH, KW, S, 5, Partial>(p, a, held, bias, ow, ow_lo, ow_hi, ep);
            ow += 5;
          }
        }
        if constexpr (P > 4) {
          if (ow + 4 <= p.out_w) {
            block_at<KH, KW, S, 4, Partial>(p, a, held, bias, ow, ow_lo, ow_hi, ep);
            ow += 4;
          }
        }
        if (ow + 2 <= p.out_w) {
          block_at<KH, KW, S, 2, Partial>(p, a, held, bias, ow, ow_lo, ow_hi, ep);
          ow += 2;
        }
      }
      for (; ow < p.out_w; ++ow) {
        if (ow >= ow_lo && ow < ow_hi)
          pixel_fixed<KH, KW, Partial>(p, a, held, bias, ow, 0, KW, ep);
        else
          border_pixel(ow);
      }
    }
  }

  template <int KH, int KW, int S>
  static void rows(const ConvNhwcParams& p, const float* packed, const float* input, const float* residual,
                   float* output, int32_t oh_begin, int32_t oh_end) {
    const ptrdiff_t out_row = ptrdiff_t{p.out_w} * p.out_c;
    const ConvEpilogue ep = conv_epilogue(p);
    RowArgs a{};
    a.cp = padded_channels(p);
    a.C = p.in_c;
    a.x_row = ptrdiff_t{p.in_w} * p.in_c;
    // Channels per pass over the rows: a cache line at stride 1, all at stride 2 (see the top).
    const int32_t block = p.stride_h == 1 ? kBlockVectors * W : p.in_c;
    for (int32_t c_block = 0; c_block < p.in_c; c_block += block) {
      for (int32_t oh = oh_begin; oh < oh_end; ++oh) {
        a.ih0 = oh * p.stride_h - p.pad_top;
        dw_valid_taps(a.ih0, p.dilation_h, p.kernel_h, p.in_h, a.kh0, a.kh1);
        const int32_t c_end = dw_imin(p.in_c, c_block + block);
        for (int32_t c = c_block; c < c_end; c += W) {
          a.wc = packed + a.cp + c;
          a.x = input + c;
          a.res = residual != nullptr ? residual + oh * out_row + c : nullptr;
          a.y = output + oh * out_row + c;
          a.lanes = dw_imin(W, c_end - c);
          if (a.lanes == W) {
            row<KH, KW, S, false>(p, a, ep);
          } else {
#if defined(__AVX512VL__)
            // A tail of exactly 8 channels (the zoo's only kind, e.g. 24 = 16 + 8) in ymm
            // vectors: a masked zmm op costs what a full one does, so a 24-channel layer's
            // half vector cost as much as its full one; in ymm the tail measured 1.7x faster
            // (48x48x8 3x3: 6.9 -> 4.1 us). Only whole ymm vectors: a partial one would double
            // the instantiations again for no model.
            if constexpr (W == 16) {
              if (a.lanes == 8) {
                DwConvF32<xsimd::avx2>::template row<KH, KW, S, false>(p, a, ep);
                continue;
              }
            }
#endif
            row<KH, KW, S, true>(p, a, ep);
          }
        }
      }
    }
  }

  // The compile-time column stride of the register blocks for a KH x KW kernel: 1 or 2
  // without column dilation, else 0 (taps one at a time).
  template <int KH, int KW>
  static void rows_of_size(const ConvNhwcParams& p, const float* packed, const float* input, const float* residual,
                           float* output, int32_t oh_begin, int32_t oh_end) {
    if (p.dilation_w == 1 && p.stride_w == 1)
      rows<KH, KW, 1>(p, packed, input, residual, output, oh_begin, oh_end);
    else if (p.dilation_w == 1 && p.stride_w == 2)
      rows<KH, KW, 2>(p, packed, input, residual, output, oh_begin, oh_end);
    else
      rows<KH, KW, 0>(p, packed, input, residual, output, oh_begin, oh_end);
  }

  static void run(const ConvNhwcParams& p, const float* packed, const float* input, const float* residual,
                  float* output, int32_t oh_begin, int32_t oh_end) {
    oh_begin = dw_imax(oh_begin, 0);
    oh_end = dw_imin(oh_end, p.out_h);
    if (p.kernel_h == 3 && p.kernel_w == 3)
      rows_of_size<3, 3>(p, packed, input, residual, output, oh_begin, oh_end);
    else if (p.kernel_h == 5 && p.kernel_w == 5)
      rows_of_size<5, 5>(p, packed, input, residual, output, oh_begin, oh_end);
    else
      rows<0, 0, 0>(p, packed, input, residual, output, oh_begin, oh_end);
  }
};

}  // namespace
}  // namespace octet::kernels
