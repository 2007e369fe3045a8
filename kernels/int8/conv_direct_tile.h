// int8 NHWC direct convolution: what a micro-kernel tile receives (QTileArgs) and the
// constants of its requantising epilogue (QStage, QAdd16), shared by the AVX2 and AVX-512
// VNNI micro-kernels. Part of conv_direct_impl.h; like it, everything sits in an anonymous
// namespace so that each ISA file gets private copies.
#pragma once
#include <cstddef>
#include <cstdint>

namespace octet::kernels {
namespace {

inline int32_t qc_min(int32_t a, int32_t b) { return a < b ? a : b; }
inline int32_t qc_max(int32_t a, int32_t b) { return a > b ? a : b; }

// What a tile needs besides its pointers. Element offsets are in units of M::T.
struct QTileArgs {
  ptrdiff_t x_pixel = 0;   // between consecutive pixels of the tile
  // Offset of each reduction step from the pixel's window origin, in (kh, run, step) order:
  // one flat loop over steps, which GCC register-allocates far better than the loop nest.
  const int32_t* step_offset = nullptr;
  int32_t nsteps = 0;
  ptrdiff_t y_pixel = 0;   // out_c
  int32_t multiplier = 0, shift = 1, zero_point = 0, lo = 0, hi = 255;
  int32_t res_multiplier = 0, res_zero_point = 0;
  // round_before_residual (conv.h): c - zc = clamp(rounding_shift(acc * multiplier, shift),
  // -zc, 255 - zc), then y from (c - zc) * conv_multiplier + (r - zr) * res_multiplier and
  // add_shift.
  bool round_first = false;
  int32_t conv_zero_point = 0, conv_multiplier = 0, add_shift = 1;
  int32_t kind = 0;        // the micro-kernel's epilogue specialisation (M::epilogue_kind)
  // Per-channel weights (QConvParams::channel_multipliers): the multipliers of the tile's
  // V * L lanes, zero past out_c, each <= multiplier (the largest, which the range checks
  // below use); nullptr: `multiplier` for every lane.
  const int32_t* multipliers = nullptr;
};

// One requantisation stage of a tile's epilogue, on int32 lanes t (and the residual r when the
// stage takes it): y = clamp(zy + rounding_shift(t * m + (r - zr) * mr, shift), lo, hi).
// `fast`: y - zy fits an int32 lane before the clamp and zy * 2^shift + 2^(shift-1) - zr * mr
// fits int64 with the products, so the ISA files may take their short path. With `mv` (the
// tile's per-channel multipliers, QTileArgs::multipliers) lane j multiplies by mv[j] <= m
// instead of m: every bound below, proved for m, holds for each of them.
struct QStage {
  int32_t m, shift, zy, lo, hi, mr, zr;
  bool fast;
  const int32_t* mv;
};

// The conv's own epilogue (with the residual term when the tile has one). With M = m / 2^s
// <= 1/2 and s <= 52, |t * m / 2^s| < 2^30; a residual adds < 2^29 if m_r < 2^(s+21).
inline QStage q_conv_stage(const QTileArgs& a, bool res) {
  const bool fast = a.shift <= 52 && int64_t{a.multiplier} <= (int64_t{1} << (a.shift - 1)) &&
                    (!res || a.shift >= 10 || a.res_multiplier < (1 << (a.shift + 21)));
  return {a.multiplier, a.shift, a.zero_point, a.lo, a.hi, a.res_multiplier, a.res_zero_point, fast, a.multipliers};
}
// round_before_residual, first stage: c - zc, with zc moved into the clamp bounds.
inline QStage q_round_stage(const QTileArgs& a) {
  const bool fast = a.shift <= 52 && int64_t{a.multiplier} <= (int64_t{1} << (a.shift - 1));
  return {a.multiplier, a.shift, 0, -a.conv_zero_point, 255 - a.conv_zero_point, 0, 0, fast, a.multipliers};
}
// Second stage, on t = c - zc: |t|, |r - zr| <= 255 and m, m_r < 2^31 give |v| < 2^40, so
// any shift >= 10 keeps y - zy within 2^30 + 1.
inline QStage q_add_stage(const QTileArgs& a) {
  const bool fast = a.add_shift >= 10 && a.add_shift <= 52;
  return {a.conv_multiplier, a.add_shift, a.zero_point, a.lo, a.hi, a.res_multiplier, a.res_zero_point, fast, nullptr};
}

// round_before_residual's Add in 32-bit lanes. Its operands d = c - zc and r fit int16, so
// with each multiplier split as m = m_hi * 2^16 + m_lo (m_lo the signed low half, m_hi < 2^15)
// and the constant K = 2^(s-1) - zr * m_r + zy * 2^s likewise,
//   v + K = H * 2^16 + Lo,  H = d * m_hi + r * m_r_hi + K_hi,  Lo = d * m_lo + r * m_r_lo + K_lo
// (multiply-adds of int16 pairs (d, r): vpdpwssd / vpmaddwd), both exact in int32, and
//   y = floor((v + K) / 2^s) = (H + (Lo >> 16)) >> (s - 16)            (16 <= s <= 36)
// exactly, since floor(x / 2^s) = floor(floor(x / 2^16) / 2^(s-16)); there |Lo| < 2^25 and
// |K_hi| < 2^29, so |H| < 2^30. y includes zy and fits an int32 lane; the clamp comes with
// the narrowing.
struct QAdd16 {
  bool ok;
  int32_t mlo, mhi, klo, khi, shift;   // word pairs (m_lo, m_r_lo), (m_hi, m_r_hi); shift s - 16
};
inline QAdd16 q_add16_consts(const QTileArgs& a) {
  QAdd16 k{};
  const int32_t s = a.add_shift;
  const int32_t alo = int16_t(a.conv_multiplier & 0xFFFF), blo = int16_t(a.res_multiplier & 0xFFFF);
  const int64_t ahi = (int64_t{a.conv_multiplier} - alo) >> 16, bhi = (int64_t{a.res_multiplier} - blo) >> 16;
  k.ok = s >= 16 && s <= 36 && ahi < 32768 && bhi < 32768;
  if (!k.ok) return k;
  const int64_t K = (int64_t{1} << (s - 1)) - int64_t{a.res_zero_point} * a.res_multiplier + (int64_t{a.zero_point} << s);
  k.mlo = int32_t(uint32_t(uint16_t(alo)) | uint32_t(uint16_t(blo)) << 16);
  k.mhi = int32_t(uint32_t(ahi) | uint32_t(bhi) << 16);
  k.klo = int32_t(K & 0xFFFF);
  k.khi = int32_t(K >> 16);
  k.shift = s - 16;
  return k;
}

}  // namespace
}  // namespace octet::kernels
