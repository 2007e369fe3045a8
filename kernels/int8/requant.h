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
#include <algorithm>
#include <cmath>
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


// ---------------------------------------------------------------------------------------------
// ONNX Runtime-compatible float requantisation (issue 15: octet and ONNX Runtime running the
// same QDQ file must agree code for code). ONNX Runtime requantises in float, not in fixed
// point, and a random-weight network amplifies the 1e-5 of codes where the two differ layer by
// layer. These helpers are the float arithmetic of its kernels; every octet int8 kernel moving
// to them uses exactly these operations, in this order, so that a SIMD variant (vcvtdq2ps,
// vmulps / vfmadd, vcvtps2dq under the default round-to-nearest-even MXCSR) and the scalar
// reference give the same bytes. IEEE single multiply, add and fused multiply-add are
// correctly rounded, so the same operations give the same bits on every ISA.
//
// The callers must keep the compiler from contracting a * b + c into an FMA where these
// functions do not ask for one: they are written with one rounding per statement and the
// project builds with -ffp-contract=off.

// The scale of a conv's accumulator, float(float(x_s * w_s) / y_s), as QLinearConv computes it
// (per output channel with per-channel weights).
inline float conv_requant_scale(float input_scale, float weight_scale, float output_scale) {
  const float product = input_scale * weight_scale;
  return product / output_scale;
}

// MlasRequantizeOutput: v = float(acc) * scale (acc already holds the bias), clamped in float
// to [lo - zp, hi - zp], converted rounding half to even, plus zp. Rounding is monotonic and
// the bounds are integers, so clamping before or after the conversion gives the same code; the
// float clamp keeps the conversion in range. 0 <= lo <= hi <= 255.
inline uint8_t requantize_float(int32_t acc, float scale, int32_t zero_point, int32_t lo, int32_t hi) {
  float v = static_cast<float>(acc) * scale;
  v = std::min(std::max(v, static_cast<float>(lo - zero_point)), static_cast<float>(hi - zero_point));
  return static_cast<uint8_t>(static_cast<int32_t>(std::nearbyint(v)) + zero_point);
}

// QLinearAdd (MlasQLinearAddKernelAvx2Helper, same-shape operands): with ratio_a = s_a / s_c,
// ratio_b = s_b / s_c and fixed = float(z_c) - fma(ratio_a, z_a, ratio_b * z_b) (the source
// says float(z_c) - (ratio_a * z_a + ratio_b * z_b); ONNX Runtime's build contracts the first
// product into an FMA: measured over all 65536 operand pairs for 70 random scale sets, this
// form matched ONNX Runtime 1.30 on every code, three roundings missed on some sets, the FMA
// on the second product on many), each element is
//   t = fma(float(b), ratio_b, fixed);  t = fma(float(a), ratio_a, t);
//   c = clamp(round_half_even(t), lo, hi)
// The order of the operands matters (b is added first): A is the Add's first input.
struct QAddFloat {
  float ratio_a = 0, ratio_b = 0, fixed = 0;
};

inline QAddFloat make_qadd_float(float scale_a, int32_t zero_point_a, float scale_b, int32_t zero_point_b,
                                 float scale_c, int32_t zero_point_c) {
  QAddFloat q;
  q.ratio_a = scale_a / scale_c;
  q.ratio_b = scale_b / scale_c;
  const float part_b = q.ratio_b * static_cast<float>(zero_point_b);
  const float sum = std::fma(q.ratio_a, static_cast<float>(zero_point_a), part_b);
  q.fixed = static_cast<float>(zero_point_c) - sum;
  return q;
}

// The ranges a plan may hold (engine/runtime validates them, the compiler refuses others): a
// finite scale >= 0 for requantize_float, and Add ratios of magnitude <= 2^20 (so |fixed|
// < 2^29), which keep every intermediate of qadd_float finite: no NaN reaches a conversion.
inline bool requant_scale_ok(float scale) { return std::isfinite(scale) && scale >= 0; }
inline bool qadd_float_ok(const QAddFloat& q) {
  constexpr float kMaxRatio = 1048576.f, kMaxFixed = 536870912.f;
  return std::fabs(q.ratio_a) <= kMaxRatio && std::fabs(q.ratio_b) <= kMaxRatio && std::fabs(q.fixed) <= kMaxFixed;
}

inline uint8_t qadd_float(int32_t a, int32_t b, const QAddFloat& q, int32_t lo, int32_t hi) {
  float t = std::fma(static_cast<float>(b), q.ratio_b, q.fixed);
  t = std::fma(static_cast<float>(a), q.ratio_a, t);
  t = std::min(std::max(t, static_cast<float>(lo)), static_cast<float>(hi));
  return static_cast<uint8_t>(std::nearbyint(t));
}

}  // namespace octet::kernels
