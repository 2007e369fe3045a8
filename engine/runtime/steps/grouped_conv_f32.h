// FP32 grouped convolution step (Conv with 1 < group, other than depthwise with multiplier 1:
// engine/runtime/steps/dwconv_f32.h): one kernels/f32/conv.h variant run once per group on
// that group's channels. The group's input channels are gathered into a dense NHWC image in
// the scratch, the kernel writes the group's output rows there, and they are scattered into
// the output's channel slice (the conv kernels take dense NHWC only). NHWC -> NHWC, split
// across threads by output rows in the kernel's row tiles.
#pragma once
#include <cstddef>

#include "engine/runtime/step_type.h"
#include "engine/runtime/steps/conv_f32.h"
#include "kernels/f32/conv.h"

namespace octet {

struct GroupedConvF32Step final : StepParams {
  const kernels::ConvF32Kernel* kernel = nullptr;
  int32_t groups = 1;
  kernels::ConvNhwcParams group_shape;   // one group: in_c = C / groups, out_c = M / groups
  size_t weights_offset = 0;             // bytes into Plan::weights: group g at + g * group_weight_bytes

  // Packed weights of one group, rounded up to kPlanAlignment so that every group's start is aligned.
  size_t group_weight_bytes() const;
  // Scratch for one call: the gathered input, the group's output and residual, the kernel's.
  size_t workspace_bytes(bool residual) const;

  static const StepType kType;
  static void run(const GroupedConvF32Step&, const StepContext&, int32_t row_begin, int32_t row_end);
  static RowSplit rows(const GroupedConvF32Step& p) { return conv_row_split(*p.kernel, p.group_shape); }
  static const char* kernel_name(const GroupedConvF32Step& p) { return p.kernel->name; }
  static std::string describe(const Step&, const GroupedConvF32Step&);
  template <typename IO, typename S>
  static void fields(IO& io, S& p);
  static void validate(PlanChecker&, const Step&, const GroupedConvF32Step&);
};

}  // namespace octet
