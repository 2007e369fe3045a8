// Layout changes of FP32 images: NCHW -> NHWC (a graph input into the plan's channels-last
// layout) and NHWC -> NCHW (before a graph output or a flattening reshape). Two step types,
// one template: kToNhwc picks the direction.
#pragma once
#include "engine/runtime/step_type.h"
#include "engine/runtime/steps/field_lists.h"

namespace octet {

template <bool kToNhwc>
struct LayoutChangeStep final : StepParams {
  ImageDims image;

  static const StepType kType;
  // Into NHWC: the vector kernels' interleave reads whole planes, its tails element by element
  // (StepType::reads_input_exactly).
  static constexpr bool kReadsInputExactly = kToNhwc;
  static void run(const LayoutChangeStep& p, const StepContext& c, int32_t row_begin, int32_t row_end);
  static std::string describe(const Step&, const LayoutChangeStep&) { return kType.name; }
  template <typename IO, typename S>
  static void fields(IO& io, S& p) { image_fields(io, p.image); }
  static void validate(PlanChecker&, const Step&, const LayoutChangeStep&);
};

using NchwToNhwcStep = LayoutChangeStep<true>;
using NhwcToNchwStep = LayoutChangeStep<false>;
template <>
const StepType NchwToNhwcStep::kType;   // layout_change.cpp
template <>
const StepType NhwcToNchwStep::kType;

}  // namespace octet
