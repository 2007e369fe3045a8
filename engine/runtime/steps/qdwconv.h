// int8 depthwise convolution step (Conv with group == in channels == out channels) over uint8
// NHWC buffers: a kernels/int8/dwconv.h variant with its float requantisation and clamp, with
// conv.scale, or with `per_channel` one float scale per channel stored in Plan::weights after
// the packed weights. Split across threads by output rows.
#pragma once
#include <cstddef>

#include "engine/runtime/step_type.h"
#include "kernels/int8/dwconv.h"

namespace octet {

struct QDwConvStep final : StepParams {
  const kernels::QDwConvU8Kernel* kernel = nullptr;
  kernels::QConvParams conv;   // shape.in_c == shape.out_c; scale, no residual fields
  size_t weights_offset = 0;   // bytes into Plan::weights
  bool per_channel = false;
  size_t scales_offset = 0;   // with per_channel: float [channels], each finite

  static const StepType kType;
  static void run(const QDwConvStep&, const StepContext&, int32_t row_begin, int32_t row_end);
  static RowSplit rows(const QDwConvStep& p) { return {p.conv.shape.out_h, 1}; }
  static const char* kernel_name(const QDwConvStep& p) { return p.kernel->name; }
  static std::string describe(const Step&, const QDwConvStep&);
  static std::string summary(const QDwConvStep&);
  template <typename IO, typename S>
  static void fields(IO& io, S& p);
  static void validate(PlanChecker&, const Step&, const QDwConvStep&);
};

}  // namespace octet
