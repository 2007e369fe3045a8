// The loops of the int8 element-wise kernels (kernels/int8/vector.h), shared by every
// variant: header-only, templated on a small ISA struct that vector_<isa>.cpp defines in its
// anonymous namespace (see kernels/CMakeLists.txt for why ISA code must stay private).
//
// The ISA struct works on vectors of kLanes int32 lanes:
//   I32 zero(); I32 add(I32, I32);
//   I32 load_u8(const uint8_t* p);   I32 load_u8_tail(const uint8_t* p, int32_t n);
//       kLanes (or n < kLanes) bytes zero-extended to int32; lanes past n are 0
//   void store_u8(uint8_t* p, I32 v);   void store_u8_tail(uint8_t* p, I32 v, int32_t n);
//       lanes hold 0..255
//   Rq requant_consts(int32_t m_a, int32_t m_b, int64_t bias, int32_t shift, int32_t zp,
//                     int32_t lo, int32_t hi);
//   I32 requant1(I32 x, const Rq&)          = clamp(zp + ((x * m_a + bias) >> shift), lo, hi)
//   I32 requant2(I32 a, I32 b, const Rq&)   = clamp(zp + ((a * m_a + b * m_b + bias) >> shift), lo, hi)
//       exactly, in 64-bit arithmetic (>> is floor)
//       (the x86 variants get both from QEvenOddRequant below)
//   I32 splat(int32_t v); I32 sub(I32, I32); I32 mullo(I32, I32)   (low 32 bits of the product)
//   Qc quantize_consts(float scale, int32_t zp);
//   void quantize(const float* x, uint8_t* q, const Qc&); quantize_tail(x, q, n, Qc)
//   Dc dequantize_consts(float scale, int32_t zp);
//   void dequantize(const uint8_t* q, float* x, const Dc&); dequantize_tail(q, x, n, Dc)
//
// Zero points and the rounding term 2^(shift-1) are folded into one 64-bit `bias` per call
// (per window for pooling), so the inner loops sum raw bytes: for the add,
//   (a - za)*m_a + (b - zb)*m_b + 2^(s-1) = a*m_a + b*m_b + (2^(s-1) - za*m_a - zb*m_b),
// an identity in int64 (every term is below 2^62), so the floor of the shift and hence every
// output equal the reference's. Pool sums of bytes are int32, and the same bound holds, for
// windows and images of fewer than 2^23 pixels (a precondition).
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

// requant1 / requant2 for an ISA whose 32x32->64 multiply reads the even 32-bit lanes only
// (_mm256_mul_epi32, _mm512_mul_epi32): the even lanes are multiplied in place, the odd ones
// after a 64-bit shift down by 32, and the two halves of 64-bit sums go to Isa::finish, which
// shifts, clamps and interleaves them back into 32-bit lanes. An ISA struct derives from
// QEvenOddRequant<itself> and defines, besides finish(even, odd, Rq):
//   mul_even(I32 a, m) (exact products of the even lanes), add64(a, b), odd_down(I32 a).
template <class Isa>
struct QEvenOddRequant {
  template <class I32, class Rq>
  static I32 requant1(I32 x, const Rq& k) {
    const auto even = Isa::add64(Isa::mul_even(x, k.m_a), k.bias);
    const auto odd = Isa::add64(Isa::mul_even(Isa::odd_down(x), k.m_a), k.bias);
    return Isa::finish(even, odd, k);
  }

  template <class I32, class Rq>
  static I32 requant2(I32 a, I32 b, const Rq& k) {
    const auto even = Isa::add64(Isa::add64(Isa::mul_even(a, k.m_a), Isa::mul_even(b, k.m_b)), k.bias);
    const auto odd =
        Isa::add64(Isa::add64(Isa::mul_even(Isa::odd_down(a), k.m_a), Isa::mul_even(Isa::odd_down(b), k.m_b)), k.bias);
    return Isa::finish(even, odd, k);
  }
};

template <class Isa>
struct QVectorImpl {
  using I32 = typename Isa::I32;
  using Rq = typename Isa::Rq;
  static constexpr int32_t N = Isa::kLanes;

  static int64_t round_term(int32_t shift) { return int64_t{1} << (shift - 1); }

  static void quantize(int64_t n, const float* x, float scale, int32_t zero_point, uint8_t* q) {
    const auto k = Isa::quantize_consts(scale, zero_point);
    int64_t i = 0;
    for (; i + N <= n; i += N) Isa::quantize(x + i, q + i, k);
    if (i < n) Isa::quantize_tail(x + i, q + i, static_cast<int32_t>(n - i), k);
  }

  static void dequantize(int64_t n, const uint8_t* q, float scale, int32_t zero_point, float* x) {
    const auto k = Isa::dequantize_consts(scale, zero_point);
    int64_t i = 0;
    for (; i + N <= n; i += N) Isa::dequantize(q + i, x + i, k);
    if (i < n) Isa::dequantize_tail(q + i, x + i, static_cast<int32_t>(n - i), k);
  }

  static void add(int64_t n, const uint8_t* a, const uint8_t* b, uint8_t* y, const QAddParams& p) {
    const int64_t bias = round_term(p.shift) - int64_t{p.a_zero_point} * p.a_multiplier -
                         int64_t{p.b_zero_point} * p.b_multiplier;
    const Rq k = Isa::requant_consts(p.a_multiplier, p.b_multiplier, bias, p.shift, p.output_zero_point,
                                     p.output_min, p.output_max);
    int64_t i = 0;
    for (; i + 2 * N <= n; i += 2 * N) {   // two independent vectors per trip
      const I32 y0 = Isa::requant2(Isa::load_u8(a + i), Isa::load_u8(b + i), k);
      const I32 y1 = Isa::requant2(Isa::load_u8(a + i + N), Isa::load_u8(b + i + N), k);
      Isa::store_u8(y + i, y0);
      Isa::store_u8(y + i + N, y1);
    }
    for (; i + N <= n; i += N) Isa::store_u8(y + i, Isa::requant2(Isa::load_u8(a + i), Isa::load_u8(b + i), k));
    if (i < n) {
      const int32_t r = static_cast<int32_t>(n - i);
      Isa::store_u8_tail(y + i, Isa::requant2(Isa::load_u8_tail(a + i, r), Isa::load_u8_tail(b + i, r), k), r);
    }
  }

  // The centred codes' product (a - za) * (b - zb) is exact in int32 (|.| < 2^16), so mullo
  // keeps it whole; requant1 multiplies it by the multiplier in 64 bits and adds the rounding
  // term, the reference's arithmetic (kernels/reference/qvector.h, mul_qu8_ref) lane by lane.
  static I32 mul_vector(I32 a, I32 b, I32 za, I32 zb, const Rq& k) {
    return Isa::requant1(Isa::mullo(Isa::sub(a, za), Isa::sub(b, zb)), k);
  }

  static void mul(int64_t rows, int32_t cols, const uint8_t* a, const uint8_t* b, int64_t b_row_stride, uint8_t* y,
                  const QMulParams& p) {
    const Rq k = Isa::requant_consts(p.multiplier, 0, round_term(p.shift), p.shift, p.output_zero_point, p.output_min,
                                     p.output_max);
    const I32 za = Isa::splat(p.a_zero_point), zb = Isa::splat(p.b_zero_point);
    for (int64_t r = 0; r < rows; ++r, a += cols, y += cols, b += b_row_stride) {
      int32_t c = 0;
      for (; c + 2 * N <= cols; c += 2 * N) {   // two independent vectors per trip
        const I32 y0 = mul_vector(Isa::load_u8(a + c), Isa::load_u8(b + c), za, zb, k);
        const I32 y1 = mul_vector(Isa::load_u8(a + c + N), Isa::load_u8(b + c + N), za, zb, k);
        Isa::store_u8(y + c, y0);
        Isa::store_u8(y + c + N, y1);
      }
      for (; c + N <= cols; c += N) Isa::store_u8(y + c, mul_vector(Isa::load_u8(a + c), Isa::load_u8(b + c), za, zb, k));
      if (c < cols) {
        const int32_t t = cols - c;
        Isa::store_u8_tail(y + c, mul_vector(Isa::load_u8_tail(a + c, t), Isa::load_u8_tail(b + c, t), za, zb, k), t);
      }
    }
  }

  // The plain loop: what the scalar and AVX2 variants run (a 256-byte table has no AVX2 form
  // that beats it: vpshufb looks up 16 entries at a time).
  static void lookup(int64_t n, const uint8_t* table, const uint8_t* x, uint8_t* y) {
    for (int64_t i = 0; i < n; ++i) y[i] = table[x[i]];
  }

  // Adds to acc the bytes of V vectors of channels at `count` pixels `stride` bytes apart,
  // starting at x (one window row, or a whole image for the global average).
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

  // One window's output for channels [c, c + V*N) (or the last `tail` channels).
  template <int V, bool Tail>
  static void pool_block(const QPoolParams& p, const uint8_t* in, int32_t ih0, QTapRange rh, int32_t iw0,
                         QTapRange rw, int32_t c, int32_t tail, const Rq& k, uint8_t* y) {
    const PoolNhwcParams& s = p.shape;
    I32 acc[V];
    for (int v = 0; v < V; ++v) acc[v] = Isa::zero();
    const int64_t tap_stride = int64_t{s.dilation_w} * s.channels;
    for (int32_t kh = rw.lo < rw.hi ? rh.lo : rh.hi; kh < rh.hi; ++kh) {   // no row when no column is inside
      const int64_t ih = ih0 + int64_t{kh} * s.dilation_h;
      const int64_t iw = iw0 + int64_t{rw.lo} * s.dilation_w;
      accumulate<V, Tail>(in + (ih * s.in_w + iw) * s.channels + c, rw.hi - rw.lo, tap_stride, tail, acc);
    }
    for (int v = 0; v < V; ++v) {
      if constexpr (Tail) {
        Isa::store_u8_tail(y + c, Isa::requant1(acc[v], k), tail);
      } else {
        Isa::store_u8(y + c + v * N, Isa::requant1(acc[v], k));
      }
    }
  }

  static void average(const QPoolParams& p, const uint8_t* in, uint8_t* out, int32_t oh_begin, int32_t oh_end) {
    const PoolNhwcParams& s = p.shape;
    const int32_t C = s.channels;
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
        const int32_t m = count == 0 ? 0 : p.multipliers[count];   // count 0: the sum is 0 too
        // sum of (x - zx) over the inside taps = (sum of x) - inside * zx, folded into the bias.
        const int64_t bias = round_term(p.shift) - int64_t{inside} * p.input_zero_point * m;
        const Rq k = Isa::requant_consts(m, 0, bias, p.shift, p.output_zero_point, p.output_min, p.output_max);
        uint8_t* y = out + (int64_t{oh} * s.out_w + ow) * C;
        int32_t c = 0;
        for (; c + 4 * N <= C; c += 4 * N) pool_block<4, false>(p, in, ih0, rh, iw0, rw, c, 0, k, y);
        for (; c + N <= C; c += N) pool_block<1, false>(p, in, ih0, rh, iw0, rw, c, 0, k, y);
        if (c < C) pool_block<1, true>(p, in, ih0, rh, iw0, rw, c, C - c, k, y);
      }
    }
  }

  static void global_average(int32_t hw, int32_t channels, const uint8_t* in, uint8_t* out, int32_t input_zero_point,
                             int32_t output_zero_point, Requant requant, int32_t output_min, int32_t output_max) {
    const int64_t bias = round_term(requant.shift) - int64_t{hw} * input_zero_point * requant.multiplier;
    const Rq k =
        Isa::requant_consts(requant.multiplier, 0, bias, requant.shift, output_zero_point, output_min, output_max);
    int32_t c = 0;
    I32 acc[4];
    for (; c + 4 * N <= channels; c += 4 * N) {
      for (int v = 0; v < 4; ++v) acc[v] = Isa::zero();
      accumulate<4, false>(in + c, hw, channels, 0, acc);
      for (int v = 0; v < 4; ++v) Isa::store_u8(out + c + v * N, Isa::requant1(acc[v], k));
    }
    for (; c + N <= channels; c += N) {
      acc[0] = Isa::zero();
      accumulate<1, false>(in + c, hw, channels, 0, acc);
      Isa::store_u8(out + c, Isa::requant1(acc[0], k));
    }
    if (c < channels) {
      acc[0] = Isa::zero();
      accumulate<1, true>(in + c, hw, channels, channels - c, acc);
      Isa::store_u8_tail(out + c, Isa::requant1(acc[0], k), channels - c);
    }
  }
};

}  // namespace
}  // namespace octet::kernels
