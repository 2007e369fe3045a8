// FP32 average / max / global average / global max pooling over NHWC, vectorised over channels;
// header-only, templated on the xsimd architecture and included by vector_<isa>.cpp (in an
// anonymous namespace: see kernels/CMakeLists.txt for why ISA code must stay private).
//
// Each channel's taps are visited in the reference's row-major window order and summed in
// float from 0, then truly divided, so results match kernels/reference/pool.h bit for bit.
// Channels past the last full vector take the same scalar steps; the max pool takes them as one
// partial vector (masked moves, kernels/f32/partial_vector.h), the same comparisons per lane,
// in the same pass over the taps as the pixel's last full vectors.
#pragma once
#include <xsimd/xsimd.hpp>

#include <cstdint>
#include <cfloat>

#include "kernels/f32/partial_vector.h"
#include "kernels/f32/vector.h"
#include "kernels/window_columns.h"

namespace octet::kernels {
namespace {

// Taps [lo, hi) of a window starting at `start` (kernel k, dilation d) that land inside
// [0, n); lo == hi when none does.
struct TapRange {
  int32_t lo, hi;
};

inline TapRange tap_range(int32_t start, int32_t k, int32_t d, int32_t n) {
  int32_t lo = start >= 0 ? 0 : (-start + d - 1) / d;
  int32_t hi = n - start <= 0 ? 0 : (n - start + d - 1) / d;
  if (lo > k) lo = k;
  if (hi > k) hi = k;
  if (hi < lo) hi = lo;
  return {lo, hi};
}

// The max pool on Arch's vectors (PoolF32Impl<Arch>::max picks the vector width).
template <class Arch>
struct MaxPoolF32 {
  using Batch = xsimd::batch<float, Arch>;
  static constexpr int32_t W = static_cast<int32_t>(Batch::size);

  // `t > best ? t : best` per lane: the comparison the reference makes (NaN never wins, the
  // first of equal values wins, +0 over a later -0). x86's MAXPS returns its first operand
  // where it is greater, else its second, which is that select in one instruction.
  static Batch max_first(const Batch& t, const Batch& best) {
#if defined(__AVX512F__)
    // (The masked form with an explicit pass-through: GCC 12 warns, a false positive, on the
    // _mm512_undefined_ps inside _mm512_max_ps; conv_winograd_impl.h does the same.)
    if constexpr (W == 16) return Batch(_mm512_mask_max_ps(best, static_cast<__mmask16>(0xFFFF), t, best));
#endif
#if defined(__AVX__)
    if constexpr (W == 8) return Batch(_mm256_max_ps(t, best));
#endif
#if defined(__SSE__)
    if constexpr (W == 4) return Batch(_mm_max_ps(t, best));
#endif
    return xsimd::select(t > best, t, best);
  }

  // One output pixel, channels [0, V*W + tail) from x: the maximum over `rows` x `cols` taps,
  // x pointing at the first tap inside the input, taps `row_step` / `col_step` floats apart,
  // visited in row-major window order. All channels of the block stay in registers through
  // one pass over the taps (with a tail, its lanes in a masked vector: 24 channels are one
  // full and one half vector per tap, not two passes). Nothing past the tail is read or written.
  // K > 0: a K x K window wholly inside the input (rows == cols == K), its taps unrolled.
  template <int K, int V, bool kTail>
  static void max_pixel(const float* x, int32_t rows, int32_t cols, int64_t row_step, int64_t col_step, float* y,
                        int32_t tail) {
    if constexpr (K > 0) rows = cols = K;
    // -FLT_MAX is float's lowest value; std::numeric_limits would be an out-of-line std::
    // template in unoptimised builds, which ISA files must not emit.
    Batch best[V + 1];
    for (int v = 0; v <= V; ++v) best[v] = Batch(-FLT_MAX);
    for (int32_t r = 0; r < rows; ++r, x += row_step) {
      const float* t = x;
      for (int32_t k = 0; k < cols; ++k, t += col_step) {
        for (int v = 0; v < V; ++v) best[v] = max_first(Batch::load_unaligned(t + v * W), best[v]);
        if constexpr (kTail) best[V] = max_first(PartialVector<Arch>::load(t + V * W, tail), best[V]);
      }
    }
    for (int v = 0; v < V; ++v) best[v].store_unaligned(y + v * W);
    if constexpr (kTail) PartialVector<Arch>::store(y + V * W, best[V], tail);
  }

  // The pixel's channels: blocks of 4 vectors, then the rest (0-3 vectors and a partial one)
  // as one block.
  template <int K>
  static void max_channels(const float* x, int32_t rows, int32_t cols, int64_t row_step, int64_t col_step, float* y,
                           int32_t C) {
    int32_t c = 0;
    for (; c + 4 * W <= C; c += 4 * W) max_pixel<K, 4, false>(x + c, rows, cols, row_step, col_step, y + c, 0);
    const int32_t rest = C - c, full = rest / W, tail = rest % W;
    x += c;
    y += c;
    switch (full * 2 + (tail > 0)) {
      case 0: return;
      case 1: return max_pixel<K, 0, true>(x, rows, cols, row_step, col_step, y, tail);
      case 2: return max_pixel<K, 1, false>(x, rows, cols, row_step, col_step, y, 0);
      case 3: return max_pixel<K, 1, true>(x, rows, cols, row_step, col_step, y, tail);
      case 4: return max_pixel<K, 2, false>(x, rows, cols, row_step, col_step, y, 0);
      case 5: return max_pixel<K, 2, true>(x, rows, cols, row_step, col_step, y, tail);
      case 6: return max_pixel<K, 3, false>(x, rows, cols, row_step, col_step, y, 0);
      default: return max_pixel<K, 3, true>(x, rows, cols, row_step, col_step, y, tail);
    }
  }

  // Per output row, the columns whose windows lie wholly inside the input ([ow_lo, ow_hi))
  // take the fixed taps without a per-pixel tap range; the border columns clip theirs.
  static void max(const PoolNhwcParams& p, const float* in, float* out, int32_t oh_begin, int32_t oh_end) {
    const int32_t C = p.channels;
    const int64_t row_step = int64_t{p.dilation_h} * p.in_w * C, col_step = int64_t{p.dilation_w} * C;
    // Interior columns: every tap of the window inside the input (kernels/window_columns.h).
    const ColumnRange inner = inner_columns(p.out_w, p.in_w, p.kernel_w, p.stride_w, p.dilation_w, p.pad_left);
    const int32_t ow_lo = inner.lo, ow_hi = inner.hi;
    for (int32_t oh = oh_begin; oh < oh_end; ++oh) {
      const int32_t ih0 = oh * p.stride_h - p.pad_top;
      const TapRange rh = tap_range(ih0, p.kernel_h, p.dilation_h, p.in_h);
      const int32_t rows = rh.hi - rh.lo;
      const float* row = in + static_cast<int64_t>(ih0 + rh.lo * p.dilation_h) * p.in_w * C;
      float* y = out + static_cast<int64_t>(oh) * p.out_w * C;
      auto border = [&](int32_t ow) {
        const int32_t iw0 = ow * p.stride_w - p.pad_left;
        const TapRange rw = tap_range(iw0, p.kernel_w, p.dilation_w, p.in_w);
        max_channels<0>(row + static_cast<int64_t>(iw0 + rw.lo * p.dilation_w) * C, rows, rw.hi - rw.lo, row_step,
                        col_step, y + static_cast<int64_t>(ow) * C, C);
      };
      for (int32_t ow = 0; ow < ow_lo; ++ow) border(ow);
      const float* x = row + static_cast<int64_t>(ow_lo * p.stride_w - p.pad_left) * C;
      const int64_t x_step = int64_t{p.stride_w} * C;
      if (rows == 3 && p.kernel_w == 3) {   // the 3x3 pools of the zoo's stems, taps unrolled
        for (int32_t ow = ow_lo; ow < ow_hi; ++ow, x += x_step)
          max_channels<3>(x, 3, 3, row_step, col_step, y + static_cast<int64_t>(ow) * C, C);
      } else {
        for (int32_t ow = ow_lo; ow < ow_hi; ++ow, x += x_step)
          max_channels<0>(x, rows, p.kernel_w, row_step, col_step, y + static_cast<int64_t>(ow) * C, C);
      }
      for (int32_t ow = ow_hi; ow < p.out_w; ++ow) border(ow);
    }
  }

};

template <class Arch>
struct PoolF32Impl {
  using Batch = xsimd::batch<float, Arch>;
  static constexpr int32_t W = static_cast<int32_t>(Batch::size);

  // Sum of the window's taps for channels [c, c + V*W), divided by `divisor`.
  template <int V>
  static void average_block(const PoolNhwcParams& p, const float* in, int32_t ih0, TapRange rh, int32_t iw0,
                            TapRange rw, float divisor, int32_t c, float* y) {
    Batch acc[V];
    for (int v = 0; v < V; ++v) acc[v] = Batch(0.f);
    for (int32_t kh = rh.lo; kh < rh.hi; ++kh) {
      const int32_t ih = ih0 + kh * p.dilation_h;
      for (int32_t kw = rw.lo; kw < rw.hi; ++kw) {
        const int32_t iw = iw0 + kw * p.dilation_w;
        const float* x = in + (static_cast<int64_t>(ih) * p.in_w + iw) * p.channels + c;
        for (int v = 0; v < V; ++v) acc[v] += Batch::load_unaligned(x + v * W);
      }
    }
    const Batch div(divisor);
    for (int v = 0; v < V; ++v) (acc[v] / div).store_unaligned(y + c + v * W);
  }

  static void average(const PoolNhwcParams& p, const float* in, float* out, int32_t oh_begin, int32_t oh_end) {
    const int32_t C = p.channels;
    for (int32_t oh = oh_begin; oh < oh_end; ++oh) {
      const int32_t ih0 = oh * p.stride_h - p.pad_top;
      const TapRange rh = tap_range(ih0, p.kernel_h, p.dilation_h, p.in_h);
      // Taps inside the padded input [-pad_top, in_h + pad_bottom), for count_include_pad.
      const TapRange ph = tap_range(ih0 + p.pad_top, p.kernel_h, p.dilation_h, p.in_h + p.pad_top + p.pad_bottom);
      for (int32_t ow = 0; ow < p.out_w; ++ow) {
        const int32_t iw0 = ow * p.stride_w - p.pad_left;
        const TapRange rw = tap_range(iw0, p.kernel_w, p.dilation_w, p.in_w);
        const TapRange pw = tap_range(iw0 + p.pad_left, p.kernel_w, p.dilation_w, p.in_w + p.pad_left + p.pad_right);
        const int64_t taps = p.count_include_pad ? int64_t{ph.hi - ph.lo} * (pw.hi - pw.lo)
                                                 : int64_t{rh.hi - rh.lo} * (rw.hi - rw.lo);
        const float divisor = static_cast<float>(taps);   // 0 gives 0/0 = NaN, as the reference
        float* y = out + (static_cast<int64_t>(oh) * p.out_w + ow) * C;
        int32_t c = 0;
        for (; c + 4 * W <= C; c += 4 * W) average_block<4>(p, in, ih0, rh, iw0, rw, divisor, c, y);
        for (; c + W <= C; c += W) average_block<1>(p, in, ih0, rh, iw0, rw, divisor, c, y);
        for (; c < C; ++c) {
          float sum = 0.f;
          for (int32_t kh = rh.lo; kh < rh.hi; ++kh) {
            for (int32_t kw = rw.lo; kw < rw.hi; ++kw) {
              const int64_t pos = int64_t{ih0 + kh * p.dilation_h} * p.in_w + iw0 + kw * p.dilation_w;
              sum += in[pos * C + c];
            }
          }
          y[c] = sum / divisor;
        }
      }
    }
  }

  // The max pool runs on Arch's vectors, except on AVX-512 where the channels are a multiple
  // of 8 but not of 16 (ShuffleNetV2's 24): 64-byte loads at a 96-byte pixel stride split a
  // cache line every other pixel, 32-byte ones never do; AVX2's vectors took 22.8 us where
  // AVX-512's took 28.8 at 112x112x24 (bench/kernels/bench_f32_vector.cpp).
  static void max(const PoolNhwcParams& p, const float* in, float* out, int32_t oh_begin, int32_t oh_end) {
#if defined(__AVX2__)
    if constexpr (W == 16) {
      if (p.channels % 16 != 0 && p.channels % 8 == 0) return MaxPoolF32<xsimd::avx2>::max(p, in, out, oh_begin, oh_end);
    }
#endif
    MaxPoolF32<Arch>::max(p, in, out, oh_begin, oh_end);
  }

  // Channels [c, c + V * W) (Partial: the last vector only its first `last` lanes), each summed
  // in increasing pixel order as global_average_pool_f32_ref sums.
  template <int V, bool Partial>
  static void global_block(int32_t hw, int32_t channels, const float* in, float divisor, int32_t c, int32_t last,
                           float* out) {
    Batch acc[V];
    for (int v = 0; v < V; ++v) acc[v] = Batch(0.f);
    for (int32_t i = 0; i < hw; ++i) {
      const float* x = in + static_cast<int64_t>(i) * channels + c;
      for (int v = 0; v < V; ++v)
        acc[v] += Partial && v == V - 1 ? PartialVector<Arch>::load(x + v * W, last) : Batch::load_unaligned(x + v * W);
    }
    const Batch div(divisor);
    for (int v = 0; v < V; ++v) {
      if (Partial && v == V - 1) {
        PartialVector<Arch>::store(out + c + v * W, acc[v] / div, last);
      } else {
        (acc[v] / div).store_unaligned(out + c + v * W);
      }
    }
  }

  // The channels past the blocks of 4 vectors (fewer than 4 * W) in one pass over the image:
  // one pass per vector and one per channel left cost a pass of dependent adds each (MobileNetV3's
  // squeeze-excitation pools of 120 channels at 28x28: 4 + 3 + 8 passes).
  template <int V = 1>
  static void global_rest(int32_t hw, int32_t channels, const float* in, float divisor, int32_t c, float* out) {
    const int32_t rest = channels - c;
    if constexpr (V <= 4) {
      if (rest > V * W) return global_rest<V + 1>(hw, channels, in, divisor, c, out);
      if (rest == V * W) return global_block<V, false>(hw, channels, in, divisor, c, W, out);
      global_block<V, true>(hw, channels, in, divisor, c, rest - (V - 1) * W, out);
    }
  }

  // The maximum per channel, `x > max` from -infinity as global_max_pool_f32_ref compares.
  template <int V>
  static void global_max_block(int32_t hw, int32_t channels, const float* in, int32_t c, float* out) {
    Batch best[V];
    for (int v = 0; v < V; ++v) best[v] = Batch(-__builtin_inff());
    for (int32_t i = 0; i < hw; ++i) {
      const float* x = in + static_cast<int64_t>(i) * channels + c;
      for (int v = 0; v < V; ++v) {
        const Batch t = Batch::load_unaligned(x + v * W);
        best[v] = xsimd::select(t > best[v], t, best[v]);
      }
    }
    for (int v = 0; v < V; ++v) best[v].store_unaligned(out + c + v * W);
  }

  static void global_max(int32_t hw, int32_t channels, const float* in, float* out) {
    int32_t c = 0;
    for (; c + 4 * W <= channels; c += 4 * W) global_max_block<4>(hw, channels, in, c, out);
    for (; c + W <= channels; c += W) global_max_block<1>(hw, channels, in, c, out);
    for (; c < channels; ++c) {
      float best = -__builtin_inff();
      for (int32_t i = 0; i < hw; ++i) {
        const float x = in[static_cast<int64_t>(i) * channels + c];
        if (x > best) best = x;
      }
      out[c] = best;
    }
  }

  static void global_average(int32_t hw, int32_t channels, const float* in, float* out) {
    const float divisor = static_cast<float>(hw);
    int32_t c = 0;
    for (; c + 4 * W <= channels; c += 4 * W) global_block<4, false>(hw, channels, in, divisor, c, W, out);
    if (c < channels) global_rest(hw, channels, in, divisor, c, out);
  }
};

}  // namespace
}  // namespace octet::kernels
