// The loop of the SIMD int8 max pool variants (kernels/int8/maxpool_<isa>.cpp): header-only,
// templated on a small ISA struct that each variant file defines in its anonymous namespace
// (the ISA rule, kernels/CMakeLists.txt).
//
// Per output pixel, the window's taps inside the input are found once (rows and columns
// clipped, so padding is never read and never wins), then the channels go in blocks of
// kBlock vectors: one unsigned byte maximum (vpmaxub) per tap and vector, kBlock independent
// chains so the maxima overlap. Accumulators start at 0, the identity of an unsigned maximum.
// The last channels (channels % width) go through the ISA's partial load and store, which
// touch no byte outside the row. The requantisation table, when there is one, is applied to
// the pixel's bytes after the maxima, in a plain loop: a 256-byte table has no AVX2 form that
// beats it (kernels/int8/vector_impl.h's lookup says why).
#pragma once
#include <cstdint>
#include <cstring>

#include "kernels/int8/maxpool.h"

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

  static void run(const PoolNhwcParams& p, const uint8_t* table, const uint8_t* in, uint8_t* out, int32_t oh_begin,
                  int32_t oh_end) {
    const int32_t channels = p.channels;
    for (int32_t oh = oh_begin; oh < oh_end; ++oh) {
      const int32_t ih0 = oh * p.stride_h - p.pad_top;
      const Taps ry = taps(oh, p.stride_h, p.pad_top, p.dilation_h, p.kernel_h, p.in_h);
      for (int32_t ow = 0; ow < p.out_w; ++ow) {
        uint8_t* y = out + (int64_t{oh} * p.out_w + ow) * channels;
        const int32_t iw0 = ow * p.stride_w - p.pad_left;
        const Taps rx = taps(ow, p.stride_w, p.pad_left, p.dilation_w, p.kernel_w, p.in_w);
        if (ry.begin == ry.end || rx.begin == rx.end) {
          std::memset(y, 0, size_t(channels));
          continue;
        }
        int32_t c = 0;
        for (; c + kBlock * W <= channels; c += kBlock * W) block<kBlock, false>(p, in, ih0, ry, iw0, rx, c, 0, y);
        for (; c + W <= channels; c += W) block<1, false>(p, in, ih0, ry, iw0, rx, c, 0, y);
        if (c < channels) block<1, true>(p, in, ih0, ry, iw0, rx, c, channels - c, y);
        if (table != nullptr)
          for (int32_t i = 0; i < channels; ++i) y[i] = table[y[i]];
      }
    }
  }
};

}  // namespace
}  // namespace octet::kernels
