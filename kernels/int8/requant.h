// Fixed-point requantisation shared by the int8 kernels, their scalar references and quant/
// (which derives the multipliers from scales). Every int8 kernel ends in this arithmetic, and
// a SIMD variant must reproduce it bit for bit.
//
// A real multiplier M > 0 (for a conv: s_in * s_w / s_out) is held as an integer multiplier m
// (0 <= m < 2^31) and a right shift s (1 <= s <= 62), with M ~= m / 2^s. Applied to a 64-bit
// value v (an int32 accumulator times m, plus any residual term):
//   rounding_shift(v, s) = (v + 2^(s-1)) >> s      (arithmetic shift: floor)
// which is round-half-up: ties go towards +infinity (-2.5 -> -2, 2.5 -> 3). One rule for
// every kernel and every ISA, cheap in SIMD (an add and a shift), and documented in
// docs/quantization.md.
#pragma once
#include <cstdint>

namespace octet::kernels {

struct Requant {
  int32_t multiplier = 0;   // m, < 2^31
  int32_t shift = 1;        // s, in [1, 62]
};

// Nearest fixed-point form of M (0 <= M < 2^30; M == 0 gives multiplier 0). Returns false
// when M is out of range or not finite, and also for M in [2^30 - 1/4, 2^30), where even
// shift 1 would need m = round(2M) = 2^31. For M >= 2^-32, m >= 2^30 and m / 2^s is within
// 2^-31 of M relative; below, s stays 62 and m = round(M * 2^62) has fewer bits.
bool make_requant(double real_multiplier, Requant* out);

// Two multipliers sharing one shift (a conv with a fused residual: M1 = s_in*s_w/s_out for the
// accumulator, M2 = s_res/s_out for the residual), with the shift chosen for max(M1, M2) so
// that both fit in 31 bits. Returns false when either is out of range.
bool make_requant_pair(double m1, double m2, Requant* first, int32_t* second_multiplier);

// Per-channel multipliers M_c (a conv with per-channel weights: s_in * s_w[c] / s_out)
// sharing one shift, chosen for the largest as make_requant does: largest->multiplier is
// round(max M_c * 2^s) and multipliers[c] = round(M_c * 2^s) <= it. A channel whose M_c is
// 2^-k of the largest keeps about 31 - k bits. Returns false when any is out of range.
bool make_requant_channels(const double* reals, int32_t n, Requant* largest, int32_t* multipliers);

inline int64_t rounding_shift(int64_t v, int32_t shift) {
  return (v + (int64_t{1} << (shift - 1))) >> shift;
}

// The common epilogue: clamp(zero_point + rounding_shift(v, shift), lo, hi), computed
// exactly (no intermediate saturation), where 0 <= lo <= hi <= 255.
inline uint8_t requantize_u8(int64_t v, int32_t shift, int32_t zero_point, int32_t lo, int32_t hi) {
  int64_t y = rounding_shift(v, shift) + zero_point;
  if (y < lo) y = lo;
  if (y > hi) y = hi;
  return static_cast<uint8_t>(y);
}

}  // namespace octet::kernels
