// int8 depthwise convolution over NHWC uint8 activations (kernels/int8/dwconv.h), scalar: the
// oracle that every qu8_dwconv variant must match bit for bit. One image per call.
#pragma once
#include <cstdint>

#include "kernels/int8/conv.h"

namespace octet::kernels {

// Output rows [oh_begin, oh_end) per the formula in kernels/int8/dwconv.h: plain loops over
// (c, kh, kw), taps in the padding skipped, the int32 accumulator wrapping (two's complement).
// input: [in_h][in_w][C]; weight: int8 [C][kernel_h][kernel_w]; bias: int32 [C] or nullptr.
void qdwconv_nhwc(const QConvParams& p, const uint8_t* input_nhwc, const int8_t* weight, const int32_t* bias,
                  uint8_t* output, int32_t oh_begin, int32_t oh_end);

}  // namespace octet::kernels
