// Layout changes of FP32 images: NCHW -> NHWC (a graph input into the plan's channels-last
// layout) and NHWC -> NCHW (before a graph output or a flattening reshape).
#pragma once
#include "engine/runtime/step_type.h"
#include "engine/runtime/steps/field_lists.h"

namespace octet {

struct NchwToNhwcStep final : StepParams {
  ImageDims image;

  static const StepType kType;
  static void run(const NchwToNhwcStep& p, const StepContext& c, int32_t row_begin, int32_t row_end);
  static std::string describe(const Step&, const NchwToNhwcStep&) { return "nchw_to_nhwc"; }
  template <typename IO, typename S>
  static void fields(IO& io, S& p) { image_fields(io, p.image); }
  static void validate(PlanChecker&, const Step&, const NchwToNhwcStep&);
};

struct NhwcToNchwStep final : StepParams {
  ImageDims image;

  static const StepType kType;
  static void run(const NhwcToNchwStep& p, const StepContext& c, int32_t row_begin, int32_t row_end);
  static std::string describe(const Step&, const NhwcToNchwStep&) { return "nhwc_to_nchw"; }
  template <typename IO, typename S>
  static void fields(IO& io, S& p) { image_fields(io, p.image); }
  static void validate(PlanChecker&, const Step&, const NhwcToNchwStep&);
};

}  // namespace octet
