// int8 max pooling over uint8 NHWC activations (MaxPool of a quantized graph). Max commutes
// with the monotone non-decreasing DequantizeLinear and QuantizeLinear, so the QDQ meaning
// DQ -> float MaxPool -> Q is, code for code, the maximum of the input codes followed by the
// 256-entry requantisation table Q(DQ(code)) (kernels/reference/qmaxpool.h builds it as ONNX
// Runtime computes DQ and Q). When input and output share scale and zero point the table is
// the identity and the kernel skips it. Oracle: kernels/reference/qmaxpool.h; bit for bit.
#pragma once
#include <cstdint>

#include "kernels/f32/vector.h"   // PoolNhwcParams

namespace octet::kernels {

struct QMaxPoolU8Kernel {
  const char* name;   // its name in the kernel table, e.g. "qu8_maxpool_nhwc_avx2"
  // Output rows [oh_begin, oh_end) of one image, shape as the FP32 max pool's (dilation,
  // asymmetric pads, ceil_mode's extra row and column; count_include_pad ignored):
  //   y = max of the codes of the window's taps inside the input (padding never wins), then
  //   y = table[y] when `table` (256 bytes) is not nullptr.
  // A window with no tap inside the input writes 0 (float MaxPool's lowest value, quantized).
  void (*run)(const PoolNhwcParams&, const uint8_t* table, const uint8_t* in, uint8_t* out, int32_t oh_begin,
              int32_t oh_end);
};

// The variants (kernels/int8/maxpool_<isa>.cpp) are listed in the kernel table,
// kernels/kernels.inc, and declared in kernels/kernels.h.

}  // namespace octet::kernels
