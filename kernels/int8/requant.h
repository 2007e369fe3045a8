// The requantisation every int8 kernel ends in, shared with their scalar references and the
// compiler (which derives the constants from the QDQ scales): ONNX Runtime's float arithmetic
// (issue 15: octet and ONNX Runtime running the same QDQ file agree code for code). ONNX
// Runtime requantises in float, and a random-weight network amplifies, layer by layer, the
// 1e-5 of codes where an exact fixed-point requantisation (octet's until format 4) differs
// from it. docs/quantization.md gives the formulas per operator.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>

namespace octet::kernels {

// These helpers are the float arithmetic of ONNX Runtime's kernels; every octet int8 kernel
// uses exactly these operations, in this order, so that a SIMD variant (vcvtdq2ps,
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
//
// code_offset: ONNX Runtime adds the graph's own codes. octet's buffers hold uint8 codes; a
// graph quantized to int8 has them shifted by 128 (code_offset = 128), and the formula runs on
// the int8 codes (a - 128, b - 128, the zero points likewise, the clamp bounds too), then adds
// 128 back: on the uint8 codes themselves, a result within a rounding of a half would round
// the other way from ONNX Runtime's on some elements (0.08 % of one ResNet8 Add's codes).
struct QAddFloat {
  float ratio_a = 0, ratio_b = 0, fixed = 0;
  int32_t code_offset = 0;   // 0 (uint8 graph codes) or 128 (int8 graph codes)
};

// The zero points are the buffers' (uint8) ones; code_offset as in QAddFloat.
inline QAddFloat make_qadd_float(float scale_a, int32_t zero_point_a, float scale_b, int32_t zero_point_b,
                                 float scale_c, int32_t zero_point_c, int32_t code_offset = 0) {
  QAddFloat q;
  q.ratio_a = scale_a / scale_c;
  q.ratio_b = scale_b / scale_c;
  q.code_offset = code_offset;
  const float part_b = q.ratio_b * static_cast<float>(zero_point_b - code_offset);
  const float sum = std::fma(q.ratio_a, static_cast<float>(zero_point_a - code_offset), part_b);
  q.fixed = static_cast<float>(zero_point_c - code_offset) - sum;
  return q;
}

// The ranges a plan may hold (engine/runtime validates them, the compiler refuses others): a
// finite scale >= 0 for requantize_float, and Add ratios of magnitude <= 2^20 (so |fixed|
// < 2^29), which keep every intermediate of qadd_float finite: no NaN reaches a conversion.
inline bool requant_scale_ok(float scale) { return std::isfinite(scale) && scale >= 0; }
inline bool qadd_float_ok(const QAddFloat& q) {
  constexpr float kMaxRatio = 1048576.f, kMaxFixed = 536870912.f;
  return std::fabs(q.ratio_a) <= kMaxRatio && std::fabs(q.ratio_b) <= kMaxRatio && std::fabs(q.fixed) <= kMaxFixed &&
         (q.code_offset == 0 || q.code_offset == 128);
}

inline uint8_t qadd_float(int32_t a, int32_t b, const QAddFloat& q, int32_t lo, int32_t hi) {
  const int32_t o = q.code_offset;
  float t = std::fma(static_cast<float>(b - o), q.ratio_b, q.fixed);
  t = std::fma(static_cast<float>(a - o), q.ratio_a, t);
  t = std::min(std::max(t, static_cast<float>(lo - o)), static_cast<float>(hi - o));
  return static_cast<uint8_t>(static_cast<int32_t>(std::nearbyint(t)) + o);
}

}  // namespace octet::kernels
