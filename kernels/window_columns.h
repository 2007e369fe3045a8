// The output columns of a conv or pool row whose windows lie wholly inside the input, so that a
// kernel runs them with fixed taps and only the few edge columns clip theirs. One formula for
// every kernel that splits its rows so (the FP32 pools and depthwise conv, the int8 max pool
// and depthwise conv). In an anonymous namespace: each ISA file gets its own copy (the ISA
// rule, kernels/CMakeLists.txt).
#pragma once
#include <cstdint>

namespace octet::kernels {
namespace {

struct ColumnRange {
  int32_t lo = 0, hi = 0;   // columns [lo, hi): 0 <= lo <= hi <= out_w
};

// Column ow reads input columns ow * stride - pad_left + k * dilation for k < kernel: inside
// [0, in_w) for every k exactly when ow >= ceil(pad_left / stride) and ow * stride <=
// in_w - 1 - (kernel - 1) * dilation + pad_left. In int64: the plan checker bounds a window's
// extent, but stride * out_w may pass 2^31.
inline ColumnRange inner_columns(int32_t out_w, int32_t in_w, int32_t kernel, int32_t stride, int32_t dilation,
                                 int32_t pad_left) {
  const int64_t last = int64_t{in_w} - 1 - int64_t{kernel - 1} * dilation + pad_left;
  const int64_t past_last = last < 0 ? 0 : last / stride + 1;
  ColumnRange r;
  r.hi = past_last < out_w ? static_cast<int32_t>(past_last) : out_w;
  const int64_t lo = (int64_t{pad_left} + stride - 1) / stride;
  r.lo = lo < r.hi ? static_cast<int32_t>(lo) : r.hi;
  return r;
}

}  // namespace
}  // namespace octet::kernels
