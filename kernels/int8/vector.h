// int8 element-wise kernels over uint8 NHWC activations (see kernels/int8/conv.h for why all
// quantized activations are uint8 inside octet): the float<->uint8 boundaries, the Add that was
// not fused into a conv, the Mul, average and global average pooling. Add, Mul and the pools
// requantise in float exactly as ONNX Runtime's int8 kernels do for the same QDQ groups
// (QLinearAdd, QLinearMul, QLinearAveragePool, QLinearGlobalAveragePool, MLAS on x86-64), so
// that octet and ONNX Runtime running one QDQ file give the same codes (docs/quantization.md).
// Every float operation below is one IEEE single rounding (fma: one rounding of a * b + c);
// round_half_even is the conversion in the default rounding mode. Oracles:
// kernels/reference/qvector.h; every variant matches them bit for bit.
#pragma once
#include <cstdint>

#include "kernels/f32/vector.h"
#include "kernels/int8/requant.h"

namespace octet::kernels {

// y = clamp(round_half_even(t), output_min, output_max) with (QLinearAdd, A its first input)
//   t = fma(float(a), ratio_a, fma(float(b), ratio_b, fixed))
// (requant.h, qadd_float; the zero points are folded into fixed). The clamp is applied to t in
// float (rounding is monotonic and the bounds are integers, so it equals clamping the code).
// ONNX Runtime saturates the rounded value to [0, 255]; octet's bounds are inside that range.
struct QAddParams {
  QAddFloat rescale;   // make_qadd_float(s_a, z_a, s_b, z_b, s_y, z_y) (requant.h)
  int32_t output_min = 0, output_max = 255;
};

// Multiplication with the broadcasting of a squeeze-excitation gate or of equal shapes, over
// `rows` rows of `cols` elements: a and y are rows * cols contiguous bytes, b's row r starts at
// b + r * b_row_stride (0: one row of cols values for every row, the [N,C,1,1] gate against the
// NHWC [N,C,H,W] tensor; cols: same shape). For each element (QLinearMul)
//   t = float((a - a_zp) * (b - b_zp)) * ratio + float(output_zp)     (two roundings)
//   y = clamp(round_half_even(t), output_min, output_max)
// with ratio = float(s_a * s_b) / s_y. The product of the centred codes is exact in int32. ONNX
// Runtime's broadcast path (one operand a scalar per span) computes the same: float
// multiplication commutes, so which operand is the gate does not matter.
struct QMulParams {
  float ratio = 0;   // (s_a * s_b) / s_y, in float
  int32_t a_zero_point = 0, b_zero_point = 0, output_zero_point = 0;
  int32_t output_min = 0, output_max = 255;
};

// Average pooling (QLinearAveragePool): per window, with count the window's divisor (taps inside
// the input, or with count_include_pad the taps inside the padded input, the kernel area),
//   sum = 0; for each tap inside the input, row by row: sum += float(x - input_zp) * input_scale
//   t = (sum / float(count)) / output_scale + float(output_zp)          (each step rounded)
//   y = clamp(round_half_even(t), output_min, output_max)
// A window with no tap (count 0) gives clamp(output_zp, ...), the code of 0.0. A window that
// covers the whole unpadded image is a global average in ONNX Runtime (its arithmetic differs):
// the compiler emits the global average kernel for it.
struct QPoolParams {
  PoolNhwcParams shape;   // count_include_pad as in FP32; no dilation
  float input_scale = 1, output_scale = 1;
  int32_t input_zero_point = 0, output_zero_point = 0;
  int32_t output_min = 0, output_max = 255;
};

// Global average (QLinearGlobalAveragePool, MlasQLinearGlobalAveragePool): over the hw pixels,
//   acc = (sum of in[.][c]) - input_zp * hw                          (int32, exact)
//   y = clamp(round_half_even(float(acc) * scale), output_min - zp, output_max - zp) + zp
// with scale = s_in / (s_out * float(hw)), zp = output_zero_point: requantize_float of requant.h.
// hw < 2^23 (ONNX Runtime refuses 2^24 and beyond).
struct QGlobalAverageParams {
  float scale = 0;   // s_in / (s_out * float(hw)), in float
  int32_t input_zero_point = 0, output_zero_point = 0;
  int32_t output_min = 0, output_max = 255;
};

// The plan checker's test for the float constants above (a hostile .octet file could hold
// anything): within [lo, hi], which NaN never is. Scales and ratios within [0, 2^64] keep every
// intermediate of these kernels finite or a clamped infinity, never NaN.
inline bool qfloat_ok(float v, float lo = 0, float hi = 0x1p64f) { return v >= lo && v <= hi; }

struct VectorQU8Kernels {
  const char* name;   // its name in the kernel table, e.g. "qu8_vector_avx512"
  // q = clamp(round_half_even(x / scale) + zero_point, 0, 255), as ONNX QuantizeLinear.
  // NaN becomes zero_point.
  void (*quantize)(int64_t n, const float* x, float scale, int32_t zero_point, uint8_t* q);
  // x = (q - zero_point) * scale, as ONNX DequantizeLinear.
  void (*dequantize)(int64_t n, const uint8_t* q, float scale, int32_t zero_point, float* x);
  void (*add)(int64_t n, const uint8_t* a, const uint8_t* b, uint8_t* y, const QAddParams&);
  // Output rows [oh_begin, oh_end) of one image.
  void (*average)(const QPoolParams&, const uint8_t* in, uint8_t* out, int32_t oh_begin, int32_t oh_end);
  // out[c] for the channels of one [hw, channels] image, QGlobalAverageParams above.
  void (*global_average)(int32_t hw, int32_t channels, const uint8_t* in, uint8_t* out, const QGlobalAverageParams&);
  // QMulParams above: rows x cols elements, b's rows b_row_stride bytes apart (0 or cols).
  void (*mul)(int64_t rows, int32_t cols, const uint8_t* a, const uint8_t* b, int64_t b_row_stride, uint8_t* y,
              const QMulParams&);
  // y[i] = table[x[i]] (the int8 activations' 256-entry tables): exact on every ISA; x may be y.
  void (*lookup)(int64_t n, const uint8_t* table, const uint8_t* x, uint8_t* y);
  // q[i * channels + c] = quantize(x[c * plane + i]) for i < n and 1 <= channels <= 4, each
  // code as `quantize` gives it: planar (NCHW) floats straight into channels-last (NHWC)
  // codes, an int8 model's RGB input in one pass instead of a float transpose and a quantize.
  void (*quantize_planes)(int32_t channels, int64_t n, const float* x, int64_t plane, float scale,
                          int32_t zero_point, uint8_t* q);
};

// The variants (kernels/int8/vector_<isa>.cpp) are listed in the kernel table,
// kernels/kernels.inc, and declared in kernels/kernels.h.

}  // namespace octet::kernels
