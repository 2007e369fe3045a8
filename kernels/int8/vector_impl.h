// The loops of the int8 element-wise kernels (kernels/int8/vector.h), shared by every
// variant: header-only, templated on a small ISA struct that vector_<isa>.cpp defines in its
// anonymous namespace (see kernels/CMakeLists.txt for why ISA code must stay private).
//
// The ISA struct works on vectors of kLanes int32 lanes (I32) and kLanes floats (F32):
//   I32 zero(); I32 add(I32, I32); I32 sub(I32, I32); I32 splat(int32_t v);
//   I32 mullo(I32, I32)   (low 32 bits of the product)
//   I32 load_u8(const uint8_t* p);   I32 load_u8_tail(const uint8_t* p, int32_t n);
//       kLanes (or n < kLanes) bytes zero-extended to int32; lanes past n are 0
//   void store_u8(uint8_t* p, I32 v);   void store_u8_tail(uint8_t* p, I32 v, int32_t n);
//       lanes hold 0..255
//   F32 splat_f(float); F32 to_f32(I32) (exact here: |v| < 2^24);
//   F32 add_f, mul_f, div_f (F32, F32)    one IEEE single rounding each
//   F32 fma_f(F32 a, F32 b, F32 c)        a * b + c with one rounding
//   I32 round_clamped(F32 t, F32 lo, F32 hi)
//       round_half_even(min(max(t, lo), hi)), lo and hi integers in [-255, 255]
//   Qc quantize_consts(float scale, int32_t zp);
//   void quantize(const float* x, uint8_t* q, const Qc&); quantize_tail(x, q, n, Qc)
//   Dc dequantize_consts(float scale, int32_t zp);
//   void dequantize(const uint8_t* q, float* x, const Dc&); dequantize_tail(q, x, n, Dc)
//
// Each lane runs the reference's float operations in the reference's order, and IEEE single
// operations are correctly rounded, so every variant gives the reference's bytes. The pools'
// byte sums (global average) are int32: exact for images of fewer than 2^23 pixels.
#pragma once
#include <cstdint>

#include "kernels/int8/requant.h"
#include "kernels/int8/vector.h"

namespace octet::kernels {
namespace {

// Taps [lo, hi) of a window starting at `start` (kernel k, dilation d) that land inside
// [0, n); lo == hi when none does.
struct QTapRange {
  int32_t lo, hi;
};

inline QTapRange q_tap_range(int32_t start, int32_t k, int32_t d, int32_t n) {
  int32_t lo = start >= 0 ? 0 : (-start + d - 1) / d;
  int32_t hi = n - start <= 0 ? 0 : (n - start + d - 1) / d;
  if (lo > k) lo = k;
  if (hi > k) hi = k;
  if (hi < lo) hi = lo;
  return {lo, hi};
}

template <class Isa>
struct QVectorImpl {
  using I32 = typename Isa::I32;
  using F32 = typename Isa::F32;
  static constexpr int32_t N = Isa::kLanes;

  static void quantize(int64_t n, const float* x, float scale, int32_t zero_point, uint8_t* q) {
    const auto k = Isa::quantize_consts(scale, zero_point);
    int64_t i = 0;
    for (; i + N <= n; i += N) Isa::quantize(x + i, q + i, k);
    if (i < n) Isa::quantize_tail(x + i, q + i, static_cast<int32_t>(n - i), k);
  }

  // vector.h's quantize_planes. An ISA with a quantize3 (AVX-512: 16 pixels of three planes
  // into their RGB triples) takes the whole vectors of three planes; everything else quantizes each
  // plane's vector into a small buffer and interleaves it byte by byte.
  static void quantize_planes(int32_t channels, int64_t n, const float* x, int64_t plane, float scale,
                              int32_t zero_point, uint8_t* q) {
    const auto k = Isa::quantize_consts(scale, zero_point);
    int64_t i = 0;
    if constexpr (requires { Isa::quantize3(x, plane, q, k); }) {
      if (channels == 3)
        for (; i + N <= n; i += N) Isa::quantize3(x + i, plane, q + 3 * i, k);
    }
    uint8_t t[4][N];
    for (; i < n; i += N) {
      const int32_t m = n - i < N ? static_cast<int32_t>(n - i) : N;
      for (int32_t c = 0; c < channels; ++c) Isa::quantize_tail(x + c * plane + i, t[c], m, k);
      for (int32_t j = 0; j < m; ++j)
        for (int32_t c = 0; c < channels; ++c) q[(i + j) * channels + c] = t[c][j];
    }
  }

  static void dequantize(int64_t n, const uint8_t* q, float scale, int32_t zero_point, float* x) {
    const auto k = Isa::dequantize_consts(scale, zero_point);
    int64_t i = 0;
    for (; i + N <= n; i += N) Isa::dequantize(q + i, x + i, k);
    if (i < n) Isa::dequantize_tail(q + i, x + i, static_cast<int32_t>(n - i), k);
  }

  // The output clamp as float bounds, for round_clamped.
  struct Bounds {
    F32 lo, hi;
  };
  static Bounds bounds(int32_t lo, int32_t hi) {
    return {Isa::splat_f(static_cast<float>(lo)), Isa::splat_f(static_cast<float>(hi))};
  }

  // QLinearAdd: fma(a, ratio_a, fma(b, ratio_b, fixed)), b first, on the graph's codes (the
  // buffers' minus code_offset; requant.h, qadd_float).
  struct AddConsts {
    F32 ratio_a, ratio_b, fixed;
    Bounds clamp;   // output_min / output_max minus the offset
    I32 offset;
  };
  static I32 add_vector(I32 a, I32 b, const AddConsts& k) {
    const F32 t = Isa::fma_f(Isa::to_f32(Isa::sub(b, k.offset)), k.ratio_b, k.fixed);
    const I32 y = Isa::round_clamped(Isa::fma_f(Isa::to_f32(Isa::sub(a, k.offset)), k.ratio_a, t), k.clamp.lo, k.clamp.hi);
    return Isa::add(y, k.offset);
  }

  static void add(int64_t n, const uint8_t* a, const uint8_t* b, uint8_t* y, const QAddParams& p) {
    const int32_t o = p.rescale.code_offset;
    const AddConsts k{Isa::splat_f(p.rescale.ratio_a), Isa::splat_f(p.rescale.ratio_b), Isa::splat_f(p.rescale.fixed),
                      bounds(p.output_min - o, p.output_max - o), Isa::splat(o)};
    int64_t i = 0;
    for (; i + 2 * N <= n; i += 2 * N) {   // two independent vectors per trip
      const I32 y0 = add_vector(Isa::load_u8(a + i), Isa::load_u8(b + i), k);
      const I32 y1 = add_vector(Isa::load_u8(a + i + N), Isa::load_u8(b + i + N), k);
      Isa::store_u8(y + i, y0);
      Isa::store_u8(y + i + N, y1);
    }
    for (; i + N <= n; i += N) Isa::store_u8(y + i, add_vector(Isa::load_u8(a + i), Isa::load_u8(b + i), k));
    if (i < n) {
      const int32_t r = static_cast<int32_t>(n - i);
      Isa::store_u8_tail(y + i, add_vector(Isa::load_u8_tail(a + i, r), Isa::load_u8_tail(b + i, r), k), r);
    }
  }

  // QLinearMul: the centred codes' product is exact in int32 (|.| < 2^16), so mullo keeps it
  // whole; then float(product) * ratio + float(zy), two roundings.
  struct MulConsts {
    I32 za, zb;
    F32 ratio, zy;
    Bounds clamp;
  };
  static I32 mul_vector(I32 a, I32 b, const MulConsts& k) {
    const I32 product = Isa::mullo(Isa::sub(a, k.za), Isa::sub(b, k.zb));
    const F32 t = Isa::add_f(Isa::mul_f(Isa::to_f32(product), k.ratio), k.zy);
    return Isa::round_clamped(t, k.clamp.lo, k.clamp.hi);
  }

  static void mul(int64_t rows, int32_t cols, const uint8_t* a, const uint8_t* b, int64_t b_row_stride, uint8_t* y,
                  const QMulParams& p) {
    const MulConsts k{Isa::splat(p.a_zero_point), Isa::splat(p.b_zero_point), Isa::splat_f(p.ratio),
                      Isa::splat_f(static_cast<float>(p.output_zero_point)), bounds(p.output_min, p.output_max)};
    for (int64_t r = 0; r < rows; ++r, a += cols, y += cols, b += b_row_stride) {
      int32_t c = 0;
      for (; c + 2 * N <= cols; c += 2 * N) {   // two independent vectors per trip
        const I32 y0 = mul_vector(Isa::load_u8(a + c), Isa::load_u8(b + c), k);
        const I32 y1 = mul_vector(Isa::load_u8(a + c + N), Isa::load_u8(b + c + N), k);
        Isa::store_u8(y + c, y0);
        Isa::store_u8(y + c + N, y1);
      }
      for (; c + N <= cols; c += N) Isa::store_u8(y + c, mul_vector(Isa::load_u8(a + c), Isa::load_u8(b + c), k));
      if (c < cols) {
        const int32_t t = cols - c;
        Isa::store_u8_tail(y + c, mul_vector(Isa::load_u8_tail(a + c, t), Isa::load_u8_tail(b + c, t), k), t);
      }
    }
  }

  // The plain loop: what the scalar and AVX2 variants run (a 256-byte table has no AVX2 form
  // that beats it: vpshufb looks up 16 entries at a time).
  static void lookup(int64_t n, const uint8_t* table, const uint8_t* x, uint8_t* y) {
    for (int64_t i = 0; i < n; ++i) y[i] = table[x[i]];
  }

  // The float constants of one average pool: dequantisation, then per window the divisor.
  struct PoolConsts {
    I32 zx;
    F32 sx, sy, zy;
    Bounds clamp;
  };

  // One window's output for channels [c, c + V*N) (or the last `tail` channels): the taps
  // row by row, each added to the float sum as float(x - zx) * sx, as the reference.
  template <int V, bool Tail>
  static void pool_block(const QPoolParams& p, const uint8_t* in, int32_t ih0, QTapRange rh, int32_t iw0,
                         QTapRange rw, int32_t c, int32_t tail, const PoolConsts& k, F32 divisor, uint8_t* y) {
    const PoolNhwcParams& s = p.shape;
    F32 acc[V];
    for (int v = 0; v < V; ++v) acc[v] = Isa::splat_f(0.f);
    for (int32_t kh = rw.lo < rw.hi ? rh.lo : rh.hi; kh < rh.hi; ++kh) {   // no row when no column is inside
      const int64_t ih = ih0 + int64_t{kh} * s.dilation_h;
      const uint8_t* x = in + (ih * s.in_w + iw0 + int64_t{rw.lo} * s.dilation_w) * s.channels + c;
      for (int32_t kw = rw.lo; kw < rw.hi; ++kw, x += int64_t{s.dilation_w} * s.channels) {
        for (int v = 0; v < V; ++v) {
          const I32 q = Tail ? Isa::load_u8_tail(x + v * N, tail) : Isa::load_u8(x + v * N);
          acc[v] = Isa::add_f(acc[v], Isa::mul_f(Isa::to_f32(Isa::sub(q, k.zx)), k.sx));
        }
      }
    }
    for (int v = 0; v < V; ++v) {
      const F32 t = Isa::add_f(Isa::div_f(Isa::div_f(acc[v], divisor), k.sy), k.zy);
      const I32 code = Isa::round_clamped(t, k.clamp.lo, k.clamp.hi);
      if constexpr (Tail) {
        Isa::store_u8_tail(y + c, code, tail);
      } else {
        Isa::store_u8(y + c + v * N, code);
      }
    }
  }

  static void average(const QPoolParams& p, const uint8_t* in, uint8_t* out, int32_t oh_begin, int32_t oh_end) {
    const PoolNhwcParams& s = p.shape;
    const int32_t C = s.channels;
    const PoolConsts k{Isa::splat(p.input_zero_point), Isa::splat_f(p.input_scale), Isa::splat_f(p.output_scale),
                       Isa::splat_f(static_cast<float>(p.output_zero_point)), bounds(p.output_min, p.output_max)};
    for (int32_t oh = oh_begin; oh < oh_end; ++oh) {
      const int32_t ih0 = oh * s.stride_h - s.pad_top;
      const QTapRange rh = q_tap_range(ih0, s.kernel_h, s.dilation_h, s.in_h);
      // Taps inside the padded input [-pad_top, in_h + pad_bottom), for count_include_pad.
      const QTapRange ph = q_tap_range(ih0 + s.pad_top, s.kernel_h, s.dilation_h, s.in_h + s.pad_top + s.pad_bottom);
      for (int32_t ow = 0; ow < s.out_w; ++ow) {
        const int32_t iw0 = ow * s.stride_w - s.pad_left;
        const QTapRange rw = q_tap_range(iw0, s.kernel_w, s.dilation_w, s.in_w);
        const QTapRange pw =
            q_tap_range(iw0 + s.pad_left, s.kernel_w, s.dilation_w, s.in_w + s.pad_left + s.pad_right);
        const int32_t inside = (rh.hi - rh.lo) * (rw.hi - rw.lo);
        const int32_t count = s.count_include_pad ? (ph.hi - ph.lo) * (pw.hi - pw.lo) : inside;
        // count 0: the sum is 0.0 and 0.0 / 1 keeps it, the reference's mean of 0.
        const F32 divisor = Isa::splat_f(static_cast<float>(count == 0 ? 1 : count));
        uint8_t* y = out + (int64_t{oh} * s.out_w + ow) * C;
        int32_t c = 0;
        for (; c + 4 * N <= C; c += 4 * N) pool_block<4, false>(p, in, ih0, rh, iw0, rw, c, 0, k, divisor, y);
        for (; c + N <= C; c += N) pool_block<1, false>(p, in, ih0, rh, iw0, rw, c, 0, k, divisor, y);
        if (c < C) pool_block<1, true>(p, in, ih0, rh, iw0, rw, c, C - c, k, divisor, y);
      }
    }
  }

  // Adds to acc the bytes of V vectors of channels at `count` pixels `stride` bytes apart.
  template <int V, bool Tail>
  static void accumulate(const uint8_t* x, int32_t count, int64_t stride, int32_t tail, I32* acc) {
    for (int32_t i = 0; i < count; ++i, x += stride) {
      for (int v = 0; v < V; ++v) {
        if constexpr (Tail) {
          acc[v] = Isa::add(acc[v], Isa::load_u8_tail(x + v * N, tail));
        } else {
          acc[v] = Isa::add(acc[v], Isa::load_u8(x + v * N));
        }
      }
    }
  }

  // MlasRequantizeOutput of a global average: clamp(round(float(acc) * scale), lo - zy, hi - zy) + zy.
  struct GlobalConsts {
    I32 bias, zy;
    F32 scale;
    Bounds clamp;
  };
  static I32 global_requant(I32 sum, const GlobalConsts& k) {
    const F32 t = Isa::mul_f(Isa::to_f32(Isa::add(sum, k.bias)), k.scale);
    return Isa::add(Isa::round_clamped(t, k.clamp.lo, k.clamp.hi), k.zy);
  }

  static void global_average(int32_t hw, int32_t channels, const uint8_t* in, uint8_t* out,
                             const QGlobalAverageParams& p) {
    const int32_t zy = p.output_zero_point;
    const GlobalConsts k{Isa::splat(-p.input_zero_point * hw), Isa::splat(zy), Isa::splat_f(p.scale),
                         bounds(p.output_min - zy, p.output_max - zy)};
    int32_t c = 0;
    I32 acc[4];
    for (; c + 4 * N <= channels; c += 4 * N) {
      for (int v = 0; v < 4; ++v) acc[v] = Isa::zero();
      accumulate<4, false>(in + c, hw, channels, 0, acc);
      for (int v = 0; v < 4; ++v) Isa::store_u8(out + c + v * N, global_requant(acc[v], k));
    }
    for (; c + N <= channels; c += N) {
      acc[0] = Isa::zero();
      accumulate<1, false>(in + c, hw, channels, 0, acc);
      Isa::store_u8(out + c, global_requant(acc[0], k));
    }
    if (c < channels) {
      acc[0] = Isa::zero();
      accumulate<1, true>(in + c, hw, channels, channels - c, acc);
      Isa::store_u8_tail(out + c, global_requant(acc[0], k), channels - c);
    }
  }
};

}  // namespace
}  // namespace octet::kernels
