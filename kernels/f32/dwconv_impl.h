// FP32 NHWC depthwise convolution (kernels/f32/dwconv.h), header-only and templated on the
// xsimd architecture: included by dwconv_{sse2,avx2,avx512}.cpp, each of which instantiates
// it with its own Arch. Everything sits in an anonymous namespace so that each ISA file gets
// private copies (kernels/CMakeLists.txt).
//
// Packed weights: [bias: Cp][kh][kw][Cp], Cp = channels rounded up to a vector, the lanes
// past the channels zero. Loop order: output row, then a vector of channels whose kernel
// taps are held in registers (3x3 and 5x5 have compile-time tap counts), then the pixels of
// the row, each reading one input vector per tap. Pixels whose window lies wholly inside the
// input run the unrolled taps, four pixels at a time (four independent FMA chains); border
// pixels walk only their valid taps, so no padded copy is needed. The last channel vector,
// when the channels are not a multiple of the vector width, reads and writes only its lanes
// (kernels/f32/partial_vector.h: masked moves on AVX2 and AVX-512, so a model with 8
// channels on AVX-512 pays no copy per tap).
#pragma once
#include <xsimd/xsimd.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/f32/conv_epilogue.h"
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

template <class Arch>
struct DwConvF32 {
  using Batch = xsimd::batch<float, Arch>;
  static constexpr int W = static_cast<int>(Batch::size);

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

  // Bias-initialised accumulator done: + residual, activation, stored at output offset yo.
  template <bool Partial>
  static void finish(Batch acc, const float* res, float* out, ptrdiff_t yo, int32_t lanes, const ConvEpilogue& ep) {
    if (res != nullptr) acc += load<Partial>(res + yo, lanes);
    acc = conv_activate(acc, ep);
    if constexpr (!Partial) {
      acc.store_unaligned(out + yo);
    } else {
      PartialVector<Arch>::store(out + yo, acc, lanes);
    }
  }

  // Output pixels [ow_lo, ow_hi) of a row read only columns inside the input.
  static void inner_columns(const ConvNhwcParams& p, int32_t& ow_lo, int32_t& ow_hi) {
    ow_lo = dw_imin((p.pad_left + p.stride_w - 1) / p.stride_w, p.out_w);
    const int32_t last = p.in_w - 1 - (p.kernel_w - 1) * p.dilation_w + p.pad_left;   // max ow * stride_w
    ow_hi = last < 0 ? ow_lo : dw_imax(ow_lo, dw_imin(p.out_w, last / p.stride_w + 1));
  }

  // One output row (input row of tap 0: ih0; its valid taps [kh0, kh1)), channels
  // [c, c + lanes). KH, KW > 0: the kernel size at compile time; 0: p's, at run time.
  // Pixels whose window lies wholly inside the input run the unrolled taps, kPixels of them
  // at a time (independent accumulators, so the FMA latency is hidden); the others walk
  // their valid taps one pixel at a time.
  template <int KH, int KW, bool Partial>
  static void row(const ConvNhwcParams& p, const float* packed, const float* input, const float* res, float* out,
                  int32_t ih0, int32_t kh0, int32_t kh1, int32_t c, int32_t lanes) {
    constexpr bool kFixed = KH > 0 && KW > 0;
    constexpr int kTaps = kFixed ? KH * KW : 1;
    constexpr int kPixels = 4;
    const int32_t kh_n = kFixed ? KH : p.kernel_h, kw_n = kFixed ? KW : p.kernel_w;
    const ptrdiff_t cp = padded_channels(p), C = p.in_c;
    const float* wc = packed + cp + c;   // tap t of this channel vector: wc + t * cp
    Batch wv[kTaps];
    if constexpr (kFixed)
      for (int t = 0; t < kTaps; ++t) wv[t] = Batch::load_unaligned(wc + t * cp);
    const Batch bias = Batch::load_unaligned(packed + c);
    const ConvEpilogue ep = conv_epilogue(p);
    const ptrdiff_t x_row = ptrdiff_t{p.in_w} * C;

    auto walk_valid_taps = [&](int32_t ow) {
      const int32_t iw0 = ow * p.stride_w - p.pad_left;
      int32_t kw0 = 0, kw1 = 0;
      dw_valid_taps(iw0, p.dilation_w, kw_n, p.in_w, kw0, kw1);
      Batch acc = bias;
      for (int32_t kh = kh0; kh < kh1; ++kh) {
        const float* xr = input + ptrdiff_t{ih0 + kh * p.dilation_h} * x_row + c;
        for (int32_t kw = kw0; kw < kw1; ++kw) {
          const Batch w = Batch::load_unaligned(wc + ptrdiff_t{kh * kw_n + kw} * cp);
          acc = xsimd::fma(load<Partial>(xr + ptrdiff_t{iw0 + kw * p.dilation_w} * C, lanes), w, acc);
        }
      }
      finish<Partial>(acc, res, out, ptrdiff_t{ow} * C + c, lanes, ep);
    };

    int32_t ow_lo = 0, ow_hi = 0;
    inner_columns(p, ow_lo, ow_hi);
    for (int32_t ow = 0; ow < ow_lo; ++ow) walk_valid_taps(ow);
    int32_t ow = ow_lo;
    if (kFixed && kh0 == 0 && kh1 == kh_n) {
      const ptrdiff_t x_pixel = ptrdiff_t{p.stride_w} * C;
      const float* x_row0 = input + ptrdiff_t{ih0} * x_row + c;
      auto first_tap = [&](int32_t o) { return x_row0 + ptrdiff_t{o * p.stride_w - p.pad_left} * C; };
      for (; ow + kPixels <= ow_hi; ow += kPixels) {
        const float* x = first_tap(ow);
        Batch acc[kPixels];
        for (int i = 0; i < kPixels; ++i) acc[i] = bias;
#pragma GCC unroll 25
        for (int t = 0; t < kTaps; ++t) {
          const int kh = t / (kFixed ? KW : 1), kw = t % (kFixed ? KW : 1);
          const float* xt = x + kh * p.dilation_h * x_row + ptrdiff_t{kw} * p.dilation_w * C;
#pragma GCC unroll 4
          for (int i = 0; i < kPixels; ++i) acc[i] = xsimd::fma(load<Partial>(xt + i * x_pixel, lanes), wv[t], acc[i]);
        }
#pragma GCC unroll 4
        for (int i = 0; i < kPixels; ++i) finish<Partial>(acc[i], res, out, ptrdiff_t{ow + i} * C + c, lanes, ep);
      }
      for (; ow < ow_hi; ++ow) {
        const float* x = first_tap(ow);
        Batch acc = bias;
#pragma GCC unroll 25
        for (int t = 0; t < kTaps; ++t) {
          const int kh = t / (kFixed ? KW : 1), kw = t % (kFixed ? KW : 1);
          acc = xsimd::fma(load<Partial>(x + kh * p.dilation_h * x_row + ptrdiff_t{kw} * p.dilation_w * C, lanes),
                           wv[t], acc);
        }
        finish<Partial>(acc, res, out, ptrdiff_t{ow} * C + c, lanes, ep);
      }
    }
    for (; ow < p.out_w; ++ow) walk_valid_taps(ow);
  }

  template <int KH, int KW>
  static void rows(const ConvNhwcParams& p, const float* packed, const float* input, const float* residual,
                   float* output, int32_t oh_begin, int32_t oh_end) {
    const ptrdiff_t out_row = ptrdiff_t{p.out_w} * p.out_c;
    for (int32_t oh = oh_begin; oh < oh_end; ++oh) {
      const int32_t ih0 = oh * p.stride_h - p.pad_top;
      int32_t kh0 = 0, kh1 = 0;
      dw_valid_taps(ih0, p.dilation_h, p.kernel_h, p.in_h, kh0, kh1);
      float* y = output + oh * out_row;
      const float* r = residual != nullptr ? residual + oh * out_row : nullptr;
      int32_t c = 0;
      for (; c + W <= p.in_c; c += W) row<KH, KW, false>(p, packed, input, r, y, ih0, kh0, kh1, c, W);
      if (c < p.in_c) row<KH, KW, true>(p, packed, input, r, y, ih0, kh0, kh1, c, p.in_c - c);
    }
  }

  static void run(const ConvNhwcParams& p, const float* packed, const float* input, const float* residual,
                  float* output, int32_t oh_begin, int32_t oh_end) {
    oh_begin = dw_imax(oh_begin, 0);
    oh_end = dw_imin(oh_end, p.out_h);
    if (p.kernel_h == 3 && p.kernel_w == 3)
      rows<3, 3>(p, packed, input, residual, output, oh_begin, oh_end);
    else if (p.kernel_h == 5 && p.kernel_w == 5)
      rows<5, 5>(p, packed, input, residual, output, oh_begin, oh_end);
    else
      rows<0, 0>(p, packed, input, residual, output, oh_begin, oh_end);
  }
};

}  // namespace
}  // namespace octet::kernels
