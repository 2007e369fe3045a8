// int8 element-wise kernels over uint8 NHWC activations (see kernels/int8/conv.h for why all
// quantized activations are uint8 inside octet): the float<->uint8 boundaries, average
// pooling and the residual add that was not fused into a conv. Each ends in the fixed-point
// epilogue of kernels/int8/requant.h. Oracles: kernels/reference/qvector.h; bit for bit.
#pragma once
#include <cstdint>

#include "kernels/f32/vector.h"
#include "kernels/int8/requant.h"

namespace octet::kernels {

// y = clamp(output_zp + rounding_shift((a - a_zp) * a_multiplier + (b - b_zp) * b_multiplier,
//                                      shift), output_min, output_max)
struct QAddParams {
  int32_t a_zero_point = 0, b_zero_point = 0, output_zero_point = 0;
  int32_t a_multiplier = 0, b_multiplier = 0, shift = 1;   // make_requant_pair(s_a/s_y, s_b/s_y)
  int32_t output_min = 0, output_max = 255;
};

// Multiplication with the broadcasting of a squeeze-excitation gate or of equal shapes, over
// `rows` rows of `cols` elements: a and y are rows * cols contiguous bytes, b's row r starts at
// b + r * b_row_stride (0: one row of cols values for every row, the [N,C,1,1] gate against the
// NHWC [N,C,H,W] tensor; cols: same shape). For each element
//   y = clamp(output_zp + rounding_shift((a - a_zp) * (b - b_zp) * multiplier, shift),
//             output_min, output_max)
// with (multiplier, shift) = make_requant(s_a * s_b / s_y). The product of the centred codes
// is exact in int32 (|.| <= 255 * 255 < 2^16), its product with the multiplier (< 2^31) and the
// rounding term (<= 2^61) exact in int64 (< 2^47 + 2^61 < 2^62): the one rounding is the shift.
struct QMulParams {
  int32_t a_zero_point = 0, b_zero_point = 0, output_zero_point = 0;
  int32_t multiplier = 0, shift = 1;   // make_requant(s_a * s_b / s_y)
  int32_t output_min = 0, output_max = 255;
};

// Average pooling: for each window, sum = sum of (x - input_zp) over the counted taps, and
//   y = clamp(output_zp + rounding_shift(sum * multiplier[count], shift), output_min, output_max)
// where count is the window's divisor (taps inside the input, or the full kernel area with
// count_include_pad) and multiplier[count] = round(s_in / (count * s_out) * 2^shift); the
// caller fills multipliers for counts 1..kernel_h*kernel_w (index 0 unused).
struct QPoolParams {
  PoolNhwcParams shape;                  // dilation and count_include_pad as in FP32
  int32_t input_zero_point = 0, output_zero_point = 0;
  int32_t output_min = 0, output_max = 255;
  int32_t shift = 1;
  const int32_t* multipliers = nullptr;  // [kernel_h * kernel_w + 1]
};

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
  // out[c] = clamp(output_zp + rounding_shift((sum over hw of (in - input_zp)) * multiplier,
  //                shift), output_min, output_max), multiplier = round(s_in/(hw*s_out) * 2^shift)
  void (*global_average)(int32_t hw, int32_t channels, const uint8_t* in, uint8_t* out,
                         int32_t input_zero_point, int32_t output_zero_point, Requant requant,
                         int32_t output_min, int32_t output_max);
  // QMulParams above: rows x cols elements, b's rows b_row_stride bytes apart (0 or cols).
  void (*mul)(int64_t rows, int32_t cols, const uint8_t* a, const uint8_t* b, int64_t b_row_stride, uint8_t* y,
              const QMulParams&);
  // y[i] = table[x[i]] (the int8 activations' 256-entry tables): exact on every ISA.
  void (*lookup)(int64_t n, const uint8_t* table, const uint8_t* x, uint8_t* y);
};

// The variants (kernels/int8/vector_<isa>.cpp) are listed in the kernel table,
// kernels/kernels.inc, and declared in kernels/kernels.h.

}  // namespace octet::kernels
