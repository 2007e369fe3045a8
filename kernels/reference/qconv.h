// int8 convolution over NHWC uint8 activations (kernels/int8/conv.h), scalar: the oracle
// that every qu8_conv variant must match bit for bit. One image per call.
#pragma once
#include <cstdint>

#include "kernels/int8/conv.h"

namespace octet::kernels {

// output[oh][ow][co] per the formula in kernels/int8/conv.h, for every output row. Plain loops
// over (co, kh, kw, ci); taps in the padding are skipped. The accumulator is int32 with
// two's-complement wrap-around (summed in int64 and truncated), which is what the SIMD
// variants' int32 adds do, so the two agree even where a pathological K overflows it.
// input: [in_h][in_w][in_c]; weight: int8 [out_c][in_c][kernel_h][kernel_w]; bias: int32
// [out_c] or nullptr; residual: uint8 with the output's shape, read only with (and required
// by) round_before_residual, which spells out the conv into c and then the Add per element.
// output: pixel i at output + i * p.y_pixel(), each code through p.output_table if it has one;
// the bytes between pixels are not written.
void qconv_nhwc(const QConvParams& p, const uint8_t* input_nhwc, const int8_t* weight_oihw,
                const int32_t* bias, const uint8_t* residual, uint8_t* output);

}  // namespace octet::kernels
