// FP32 average / max / global average / global max pooling over NHWC, vectorised over channels;
// header-only, templated on the xsimd architecture and included by vector_<isa>.cpp (in an
// anonymous namespace: see kernels/CMakeLists.txt for why ISA code must stay private).
//
// Each channel's taps are visited in the reference's row-major window order and summed in
// float from 0, then truly divided, so results match kernels/reference/pool.h bit for bit.
// Channels past the last full vector take the same scalar steps; the max pool takes them as one
// partial vector (masked moves, kernels/f32/partial_vector.h), the same comparisons per lane.
#pragma once
#include <xsimd/xsimd.hpp>

#include <cstdint>
#include <cfloat>

#include "kernels/f32/partial_vector.h"
#include "kernels/f32/vector.h"

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

  // With `lanes` < W (V == 1): the first `lanes` channels only, nothing past them read or written.
  template <int V>
  static void max_block(const PoolNhwcParams& p, const float* in, int32_t ih0, TapRange rh, int32_t iw0,
                        TapRange rw, int32_t c, float* y, int32_t lanes = W) {
    // -FLT_MAX is float's lowest value; std::numeric_limits would be an out-of-line std::
    // template in unoptimised builds, which ISA files must not emit.
    Batch best[V];
    for (int v = 0; v < V; ++v) best[v] = Batch(-FLT_MAX);
    for (int32_t kh = rh.lo; kh < rh.hi; ++kh) {
      const int32_t ih = ih0 + kh * p.dilation_h;
      for (int32_t kw = rw.lo; kw < rw.hi; ++kw) {
        const int32_t iw = iw0 + kw * p.dilation_w;
        const float* x = in + (static_cast<int64_t>(ih) * p.in_w + iw) * p.channels + c;
        for (int v = 0; v < V; ++v) {
          const Batch t = lanes < W ? PartialVector<Arch>::load(x, lanes) : Batch::load_unaligned(x + v * W);
          best[v] = xsimd::select(t > best[v], t, best[v]);   // `x > max`: NaN never wins, first max wins
        }
      }
    }
    if (lanes < W) return PartialVector<Arch>::store(y + c, best[0], lanes);
    for (int v = 0; v < V; ++v) best[v].store_unaligned(y + c + v * W);
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

  static void max(const PoolNhwcParams& p, const float* in, float* out, int32_t oh_begin, int32_t oh_end) {
    const int32_t C = p.channels;
    for (int32_t oh = oh_begin; oh < oh_end; ++oh) {
      const int32_t ih0 = oh * p.stride_h - p.pad_top;
      const TapRange rh = tap_range(ih0, p.kernel_h, p.dilation_h, p.in_h);
      for (int32_t ow = 0; ow < p.out_w; ++ow) {
        const int32_t iw0 = ow * p.stride_w - p.pad_left;
        const TapRange rw = tap_range(iw0, p.kernel_w, p.dilation_w, p.in_w);
        float* y = out + (static_cast<int64_t>(oh) * p.out_w + ow) * C;
        int32_t c = 0;
        for (; c + 4 * W <= C; c += 4 * W) max_block<4>(p, in, ih0, rh, iw0, rw, c, y);
        for (; c + W <= C; c += W) max_block<1>(p, in, ih0, rh, iw0, rw, c, y);
        if (c < C) max_block<1>(p, in, ih0, rh, iw0, rw, c, y, C - c);
      }
    }
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
