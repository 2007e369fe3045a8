// The loop of the SIMD int8 max pool variants (kernels/int8/maxpool_<isa>.cpp): header-only,
// templated on a small ISA struct that each variant file defines in its anonymous namespace
// (the ISA rule, kernels/CMakeLists.txt).
//
// Per output row, the window's rows inside the input are found once (clipped, so padding is
// never read and never wins). The columns split in three: the pixels whose window lies inside
// the input's columns (all of them but one or two at each edge) go kPixels at a time, one
// vector of channels at a time, so that the kPixels chains of unsigned byte maxima (vpmaxub)
// overlap and no pixel computes its taps; the edge pixels clip their columns each and take the
// channels in blocks of kBlock vectors (kBlock independent chains). Accumulators start at 0,
// the identity of an unsigned maximum. (Per pixel with a tap computation and one chain of
// nine dependent maxima, SqueezeNet's 111x111x64 stem pool took 33 cycles per output pixel.)
// The last channels (channels % width) go through the ISA's partial load and store, which
// touch no byte outside the row. The requantisation table, when there is one, is applied to
// the pixel's bytes after the maxima, in a plain loop: a 256-byte table has no AVX2 form that
// beats it (kernels/int8/vector_impl.h's lookup says why).
#pragma once
#include <cstdint>
#include <cstring>

#include "kernels/int8/maxpool.h"
#include "kernels/window_columns.h"

namespace octet::kernels {
namespace {

// The ISA struct provides, for vectors V of kWidth bytes:
//   V zero(), V max(V, V) (unsigned bytes), V load(const uint8_t*), void store(uint8_t*, V),
//   V load_part(const uint8_t*, int32_t n), void store_part(uint8_t*, V, int32_t n)
//     (n < kWidth bytes; nothing outside them read or written)
template <class Isa>
struct QMaxPoolImpl {
  using V = typename Isa::V;
  static constexpr int32_t W = Isa::kWidth;
  static constexpr int kBlock = 4;

  // The kernel offsets k in [begin, end) whose tap out * stride - pad + k * dilation lies in
  // [0, in).
  struct Taps {
    int32_t begin, end;
  };
  static Taps taps(int32_t out, int32_t stride, int32_t pad, int32_t dilation, int32_t kernel, int32_t in) {
    const int32_t start = out * stride - pad;
    const int32_t begin = start < 0 ? (-start + dilation - 1) / dilation : 0;
    int32_t end = in - start <= 0 ? 0 : (in - start + dilation - 1) / dilation;
    if (end > kernel) end = kernel;
    return {begin, end < begin ? begin : end};
  }

  // The maxima of N vectors of channels from `c` (or, Part, of the last `part` channels).
  template <int N, bool Part>
  static void block(const PoolNhwcParams& p, const uint8_t* in, int32_t ih0, Taps ry, int32_t iw0, Taps rx, int32_t c,
                    int32_t part, uint8_t* y) {
    const int64_t channels = p.channels, row_stride = int64_t{p.in_w} * channels;
    V acc[N];
    for (int v = 0; v < N; ++v) acc[v] = Isa::zero();
    for (int32_t ky = ry.begin; ky < ry.end; ++ky) {
      const uint8_t* row = in + int64_t{ih0 + ky * p.dilation_h} * row_stride + c;
      for (int32_t kx = rx.begin; kx < rx.end; ++kx) {
        const uint8_t* x = row + int64_t{iw0 + kx * p.dilation_w} * channels;
        for (int v = 0; v < N; ++v) {
          if constexpr (Part) {
            acc[v] = Isa::max(acc[v], Isa::load_part(x, part));
          } else {
            acc[v] = Isa::max(acc[v], Isa::load(x + v * W));
          }
        }
      }
    }
    for (int v = 0; v < N; ++v) {
      if constexpr (Part) {
        Isa::store_part(y + c, acc[v], part);
      } else {
        Isa::store(y + c + v * W, acc[v]);
      }
    }
  }

  // The maxima of N neighbouring pixels whose windows lie inside the input's columns: the
  // first starts at column iw0; one vector of channels from `c` (or, Part, the last `part`).
  template <int N, bool Part>
  static void pixels(const PoolNhwcParams& p, const uint8_t* in, int32_t ih0, Taps ry, int32_t iw0, int32_t c,
                     int32_t part, uint8_t* y) {
    const int64_t channels = p.channels, row_stride = int64_t{p.in_w} * channels;
    const int64_t tap_step = int64_t{p.dilation_w} * channels, pixel_step = int64_t{p.stride_w} * channels;
    V acc[N];
    for (int j = 0; j < N; ++j) acc[j] = Isa::zero();
    for (int32_t ky = ry.begin; ky < ry.end; ++ky) {
      const uint8_t* x = in + int64_t{ih0 + ky * p.dilation_h} * row_stride + int64_t{iw0} * channels + c;
      for (int32_t kx = 0; kx < p.kernel_w; ++kx, x += tap_step)
        for (int j = 0; j < N; ++j) {
          if constexpr (Part) {
            acc[j] = Isa::max(acc[j], Isa::load_part(x + j * pixel_step, part));
          } else {
            acc[j] = Isa::max(acc[j], Isa::load(x + j * pixel_step));
          }
        }
    }
    for (int j = 0; j < N; ++j) {
      if constexpr (Part) {
        Isa::store_part(y + j * channels + c, acc[j], part);
      } else {
        Isa::store(y + j * channels + c, acc[j]);
      }
    }
  }

  template <int N>
  static void interior(const PoolNhwcParams& p, const uint8_t* in, int32_t ih0, Taps ry, int32_t iw0, uint8_t* y) {
    const int32_t channels = p.channels;
    int32_t c = 0;
    for (; c + W <= channels; c += W) pixels<N, false>(p, in, ih0, ry, iw0, c, 0, y);
    if (c < channels) pixels<N, true>(p, in, ih0, ry, iw0, c, channels - c, y);
  }

  // One pixel whose window may cross the left or right edge.
  static void edge(const PoolNhwcParams& p, const uint8_t* in, int32_t ih0, Taps ry, int32_t ow, uint8_t* y) {
    const int32_t channels = p.channels;
    const int32_t iw0 = ow * p.stride_w - p.pad_left;
    const Taps rx = taps(ow, p.stride_w, p.pad_left, p.dilation_w, p.kernel_w, p.in_w);
    if (ry.begin == ry.end || rx.begin == rx.end) {
      std::memset(y, 0, size_t(channels));
      return;
    }
    int32_t c = 0;
    for (; c + kBlock * W <= channels; c += kBlock * W) block<kBlock, false>(p, in, ih0, ry, iw0, rx, c, 0, y);
    for (; c + W <= channels; c += W) block<1, false>(p, in, ih0, ry, iw0, rx, c, 0, y);
    if (c < channels) block<1, true>(p, in, ih0, ry, iw0, rx, c, channels - c, y);
  }

  static void run(const PoolNhwcParams& p, const uint8_t* table, const uint8_t* in, uint8_t* out, int32_t oh_begin,
                  int32_t oh_end) {
    constexpr int kPixels = 4;
    const int32_t channels = p.channels;
    // Columns [full_lo, full_hi): every kernel column inside the input.
    const ColumnRange full = inner_columns(p.out_w, p.in_w, p.kernel_w, p.stride_w, p.dilation_w, p.pad_left);
    const int64_t full_lo = full.lo, full_hi = full.hi;
    for (int32_t oh = oh_begin; oh < oh_end; ++oh) {
      const int32_t ih0 = oh * p.stride_h - p.pad_top;
      const Taps ry = taps(oh, p.stride_h, p.pad_top, p.dilation_h, p.kernel_h, p.in_h);
      uint8_t* const y_row = out + int64_t{oh} * p.out_w * channels;
      auto y_at = [&](int64_t ow) { return y_row + ow * channels; };
      auto iw_at = [&](int64_t ow) { return int32_t(ow * p.stride_w - p.pad_left); };
      for (int32_t ow = 0; ow < full_lo; ++ow) edge(p, in, ih0, ry, ow, y_at(ow));
      if (ry.begin == ry.end) {
        std::memset(y_at(full_lo), 0, size_t((full_hi - full_lo) * channels));
      } else {
        int64_t ow = full_lo;
        for (; ow + kPixels <= full_hi; ow += kPixels) interior<kPixels>(p, in, ih0, ry, iw_at(ow), y_at(ow));
        switch (full_hi - ow) {
          case 3: interior<3>(p, in, ih0, ry, iw_at(ow), y_at(ow)); break;
          case 2: interior<2>(p, in, ih0, ry, iw_at(ow), y_at(ow)); break;
          case 1: interior<1>(p, in, ih0, ry, iw_at(ow), y_at(ow)); break;
          default: break;
        }
      }
      for (int32_t ow = int32_t(full_hi); ow < p.out_w; ++ow) edge(p, in, ih0, ry, ow, y_at(ow));
      if (table != nullptr)
        for (int64_t i = 0; i < int64_t{p.out_w} * channels; ++i) y_row[i] = table[y_row[i]];
    }
  }
};

}  // namespace
}  // namespace octet::kernels
