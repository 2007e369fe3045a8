// Scalar oracles of the int8 element-wise kernels (kernels/int8/vector.h): the float<->uint8
// boundaries, the residual add, average and global average pooling over uint8 NHWC. Plain
// loops that spell out the comments of vector.h; every variant must match them bit for bit.
#pragma once
#include <cstdint>

#include "kernels/int8/requant.h"
#include "kernels/int8/vector.h"

namespace octet::kernels {

// q = clamp(round_half_even(x / scale) + zero_point, 0, 255) (ONNX QuantizeLinear; the
// division is float's, the rounding is the current mode's, nearest-even by default).
// NaN gives zero_point; +-inf and values beyond the range saturate.
void quantize_qu8_ref(int64_t n, const float* x, float scale, int32_t zero_point, uint8_t* q);

// x = float(q - zero_point) * scale (ONNX DequantizeLinear): one float rounding.
void dequantize_qu8_ref(int64_t n, const uint8_t* q, float scale, int32_t zero_point, float* x);

// y = clamp(zy + rounding_shift((a - za) * m_a + (b - zb) * m_b, shift), lo, hi), in int64.
void add_qu8_ref(int64_t n, const uint8_t* a, const uint8_t* b, uint8_t* y, const QAddParams& p);

// For row r < rows and column c < cols: with bv = b[r * b_row_stride + c],
//   y[r * cols + c] = clamp(zy + rounding_shift((a - za) * (bv - zb) * multiplier, shift), lo, hi)
// in int64 (kernels/int8/vector.h, QMulParams).
void mul_qu8_ref(int64_t rows, int32_t cols, const uint8_t* a, const uint8_t* b, int64_t b_row_stride, uint8_t* y,
                 const QMulParams& p);

// Output rows [oh_begin, oh_end) of one NHWC image. For each window: the taps inside the
// input give sum = sum of (x - input_zp); count is that number of taps, or with
// count_include_pad the taps inside the padded input [-pad_begin, in + pad_end) (as the FP32
// pool counts them); y = clamp(zy + rounding_shift(sum * multipliers[count], shift), lo, hi).
// A window with count 0 (only possible without count_include_pad, when a pad is at least the
// kernel) has sum 0 and gives clamp(zy, lo, hi), the code of 0.0; multipliers[0] is not read.
void average_pool_qu8_ref(const QPoolParams& p, const uint8_t* in, uint8_t* out, int32_t oh_begin, int32_t oh_end);

// out[c] = clamp(zy + rounding_shift((sum over the hw pixels of (in[.][c] - zx)) * m, s), lo, hi)
void global_average_pool_qu8_ref(int32_t hw, int32_t channels, const uint8_t* in, uint8_t* out,
                                 int32_t input_zero_point, int32_t output_zero_point, Requant requant,
                                 int32_t output_min, int32_t output_max);

}  // namespace octet::kernels
