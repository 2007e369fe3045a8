// FP32 depthwise convolution step (Conv with group == in channels == out channels): a
// kernels/f32/dwconv.h variant (+ bias, residual, activation), NHWC -> NHWC, split across
// threads by output rows.
#pragma once
#include <cstddef>

#include "engine/runtime/step_type.h"
#include "kernels/f32/dwconv.h"

namespace octet {

struct DwConvF32Step final : StepParams {
  const kernels::DwConvF32Kernel* kernel = nullptr;
  kernels::ConvNhwcParams shape;   // in_c == out_c: the channels
  size_t weights_offset = 0;       // bytes into Plan::weights

  static const StepType kType;
  static void run(const DwConvF32Step&, const StepContext&, int32_t row_begin, int32_t row_end);
  static RowSplit rows(const DwConvF32Step& p) { return {p.shape.out_h, 1}; }
  static const char* kernel_name(const DwConvF32Step& p) { return p.kernel->name; }
  static std::string describe(const Step&, const DwConvF32Step&);
  template <typename IO, typename S>
  static void fields(IO& io, S& p);
  static void validate(PlanChecker&, const Step&, const DwConvF32Step&);
};

}  // namespace octet
