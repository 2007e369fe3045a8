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

// The float arithmetic of kernels/int8/vector.h, element by element, in plain scalar code
// (std::fma where ONNX Runtime fuses, std::nearbyint for the rounding).

// QAddParams: y = clamp(round_half_even(fma(a, ratio_a, fma(b, ratio_b, fixed))), lo, hi).
void add_qu8_ref(int64_t n, const uint8_t* a, const uint8_t* b, uint8_t* y, const QAddParams& p);

// For row r < rows and column c < cols, with bv = b[r * b_row_stride + c] (QMulParams):
//   y[r * cols + c] = clamp(round_half_even(float((a - za) * (bv - zb)) * ratio + float(zy)), lo, hi)
void mul_qu8_ref(int64_t rows, int32_t cols, const uint8_t* a, const uint8_t* b, int64_t b_row_stride, uint8_t* y,
                 const QMulParams& p);

// Output rows [oh_begin, oh_end) of one NHWC image (QPoolParams): the taps inside the input,
// row by row, summed in float as float(x - zx) * sx; count is that number of taps, or with
// count_include_pad the taps inside the padded input [-pad_begin, in + pad_end) (as the FP32
// pool counts them); y = clamp(round_half_even((sum / count) / sy + zy), lo, hi). A window with
// count 0 (only possible without count_include_pad, when a pad is at least the kernel) gives
// clamp(zy, lo, hi), the code of 0.0.
void average_pool_qu8_ref(const QPoolParams& p, const uint8_t* in, uint8_t* out, int32_t oh_begin, int32_t oh_end);

// out[c] = requantize_float(sum over the hw pixels of in[.][c] - zx * hw, scale, zy, lo, hi)
void global_average_pool_qu8_ref(int32_t hw, int32_t channels, const uint8_t* in, uint8_t* out,
                                 const QGlobalAverageParams& p);

}  // namespace octet::kernels
