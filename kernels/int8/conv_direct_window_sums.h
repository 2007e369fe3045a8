// int8 NHWC direct convolution: the -zw * Σx term of weights with a zero point (VNNI multiplies
// by the int8 weight codes, so w - zw is not what it packs; conv_direct_impl.h's "Zero points").
// Per output pixel, the sum of the codes of its window: channel sums per source pixel (the ISA's
// channel_sums), then window sums along rows and columns. Part of conv_direct_impl.h; like it,
// everything sits in an anonymous namespace so that each ISA file gets private copies.
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernels/int8/conv.h"

namespace octet::kernels {
namespace {

template <class M>
struct QWindowSums {
  using T = typename M::T;

  // corr[(oh - oh0) * out_w + ow] = -zw * Σ_window x for output rows [oh0, oh1); src holds
  // padded rows from r0 = oh0 * stride_h with `pitch` elements per row.
  static void correction(const QConvParams& q, int32_t src_rows, int32_t src_w, const T* src, size_t pitch,
                         int32_t oh0, int32_t oh1, int32_t* __restrict s1, int32_t* __restrict h,
                         int32_t* __restrict corr) {
    const ConvNhwcParams& s = q.shape;
    // Locals: the compiler cannot keep fields of `s` in registers across stores to int32
    // arrays that might alias them.
    const int32_t rows = src_rows, ow_n = s.out_w, sw = s.stride_w, sh = s.stride_h;
    const int32_t kh_n = s.kernel_h, kw_n = s.kernel_w, dh = s.dilation_h, dw = s.dilation_w, C = s.in_c;
    const int32_t nzw = -q.weight_zero_point;
    if (kh_n == 1 && kw_n == 1 && ptrdiff_t{sh} * ptrdiff_t(pitch) == ptrdiff_t{ow_n} * sw * C) {
      // 1x1 over rows that are one run of pixels (a GEMM): one pass over all of them.
      const int32_t n = (oh1 - oh0) * ow_n;
      M::channel_sums(src, n, ptrdiff_t{sw} * C, C, corr);
      for (int32_t i = 0; i < n; ++i) corr[i] = int32_t(uint32_t(corr[i]) * uint32_t(nzw));
      return;
    }
    // Every row is read when the kernel's rows cover the stride (3x3 stride 1 or 2);
    // otherwise (1x1 stride 2) only rows some (oh, kh) reads.
    const bool all_rows = dh == 1 && kh_n >= sh;
    for (int32_t r = 0; r < rows; ++r) {
      bool used = all_rows;
      for (int32_t kh = 0; kh < kh_n && !used; ++kh) {
        const int32_t t = r - kh * dh;
        used = t >= 0 && t % sh == 0 && t / sh < oh1 - oh0;
      }
      if (!used) continue;
      int32_t* __restrict hr = h + size_t(r) * ow_n;
      const T* xr = src + size_t(r) * pitch;
      if (kw_n == 1) {   // one tap per row: sum only the pixels read
        M::channel_sums(xr, ow_n, ptrdiff_t{sw} * C, C, hr);
        continue;
      }
      int32_t* __restrict sr = s1 + size_t(r) * src_w;
      M::channel_sums(xr, src_w, C, C, sr);
      window_rows(hr, ow_n, sr, sw, dw, kw_n, 1);
    }
    for (int32_t oh = 0; oh < oh1 - oh0; ++oh)
      window_rows(corr + size_t(oh) * ow_n, ow_n, h + size_t(oh * sh) * ow_n, 1, dh * ow_n, kh_n, nzw);
  }

  // out[i] = scale * Σ_{k < n} in[i * step + k * gap] for i < count (modulo 2^32). The taps are
  // unrolled for n <= 3 so that the loop over i vectorises and each out[i] is stored once.
  static void window_rows(int32_t* __restrict out, int32_t count, const int32_t* __restrict in, int32_t step,
                          ptrdiff_t gap, int32_t n, int32_t scale) {
    const uint32_t f = uint32_t(scale);
    const int32_t* a = in;
    const int32_t* b = in + gap;
    const int32_t* c = in + 2 * gap;
    switch (n) {
      case 1:
        for (int32_t i = 0; i < count; ++i) out[i] = int32_t(uint32_t(a[i * step]) * f);
        return;
      case 2:
        for (int32_t i = 0; i < count; ++i) out[i] = int32_t((uint32_t(a[i * step]) + uint32_t(b[i * step])) * f);
        return;
      case 3:
        for (int32_t i = 0; i < count; ++i)
          out[i] = int32_t((uint32_t(a[i * step]) + uint32_t(b[i * step]) + uint32_t(c[i * step])) * f);
        return;
      default:
        for (int32_t i = 0; i < count; ++i) {
          uint32_t t = 0;
          for (int32_t k = 0; k < n; ++k) t += uint32_t(in[i * step + k * gap]);
          out[i] = int32_t(t * f);
        }
    }
  }
};

}  // namespace
}  // namespace octet::kernels
