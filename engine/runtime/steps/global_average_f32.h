// FP32 global average pooling step: NHWC [h,w,c] -> [c] on the plan's vector kernels.
#pragma once
#include "engine/runtime/step_type.h"
#include "engine/runtime/steps/field_lists.h"

namespace octet {

struct GlobalAverageF32Step final : StepParams {
  ImageDims image;   // of the input

  static const StepType kType;
  static void run(const GlobalAverageF32Step&, const StepContext&, int32_t row_begin, int32_t row_end);
  static std::string describe(const Step&, const GlobalAverageF32Step&);
  template <typename IO, typename S>
  static void fields(IO& io, S& p) { image_fields(io, p.image); }
  static void validate(PlanChecker&, const Step&, const GlobalAverageF32Step&);
};

}  // namespace octet
