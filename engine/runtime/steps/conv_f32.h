// FP32 convolution step: a kernels/f32/conv.h variant (+ bias, residual, activation),
// NHWC -> NHWC, split across threads by output rows in the kernel's row tiles.
#pragma once
#include <cstddef>

#include "engine/runtime/step_type.h"
#include "kernels/f32/conv.h"

namespace octet {

struct ConvF32Step final : StepParams {
  const kernels::ConvF32Kernel* kernel = nullptr;
  kernels::ConvNhwcParams shape;
  size_t weights_offset = 0;   // bytes into Plan::weights

  static const StepType kType;
  static void run(const ConvF32Step&, const StepContext&, int32_t row_begin, int32_t row_end);
  static RowSplit rows(const ConvF32Step& p) {
    return {p.shape.out_h, p.kernel->row_tile > 1 ? p.kernel->row_tile : 1,
            p.kernel->call_rows != nullptr ? p.kernel->call_rows(p.shape) : 0};
  }
  static const char* kernel_name(const ConvF32Step& p) { return p.kernel->name; }
  static std::string describe(const Step&, const ConvF32Step&);
  template <typename IO, typename S>
  static void fields(IO& io, S& p);
  static void validate(PlanChecker&, const Step&, const ConvF32Step&);
};

}  // namespace octet
