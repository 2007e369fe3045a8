// FP32 convolution step: a kernels/f32/conv.h variant (+ bias, residual, activation),
// NHWC -> NHWC, split across threads by output rows in the kernel's row tiles.
#pragma once
#include <cstddef>

#include "engine/runtime/step_type.h"
#include "kernels/f32/conv.h"

namespace octet {

// How a conv kernel's work on `shape` splits across threads and interrupt chunks: output rows
// in the kernel's row tiles, no call below its call_rows (kernels/f32/conv.h).
inline RowSplit conv_row_split(const kernels::ConvF32Kernel& kernel, const kernels::ConvNhwcParams& shape) {
  return {shape.out_h, kernel.row_tile > 1 ? kernel.row_tile : 1,
          kernel.call_rows != nullptr ? kernel.call_rows(shape) : 0};
}

struct ConvF32Step final : StepParams {
  const kernels::ConvF32Kernel* kernel = nullptr;
  kernels::ConvNhwcParams shape;
  size_t weights_offset = 0;   // bytes into Plan::weights

  static const StepType kType;
  static void run(const ConvF32Step&, const StepContext&, int32_t row_begin, int32_t row_end);
  static RowSplit rows(const ConvF32Step& p) { return conv_row_split(*p.kernel, p.shape); }
  static const char* kernel_name(const ConvF32Step& p) { return p.kernel->name; }
  static std::string describe(const Step&, const ConvF32Step&);
  template <typename IO, typename S>
  static void fields(IO& io, S& p);
  static void validate(PlanChecker&, const Step&, const ConvF32Step&);
};

}  // namespace octet
