// FP32 global pooling steps over one NHWC image [h,w,c] -> [c] on the plan's vector kernels:
// the average (GlobalAveragePool, ReduceMean over H and W) and the maximum (GlobalMaxPool,
// ReduceMax over H and W). One template, two step types with their own ids.
#pragma once
#include "engine/runtime/step_type.h"
#include "engine/runtime/steps/field_lists.h"

namespace octet {

template <bool kMax>
struct GlobalPoolF32Step final : StepParams {
  ImageDims image;   // of the input

  static const StepType kType;
  static void run(const GlobalPoolF32Step&, const StepContext&, int32_t row_begin, int32_t row_end);
  static std::string describe(const Step&, const GlobalPoolF32Step&);
  template <typename IO, typename S>
  static void fields(IO& io, S& p) { image_fields(io, p.image); }
  static void validate(PlanChecker&, const Step&, const GlobalPoolF32Step&);
};

// Defined, with their .octet ids, in global_average_f32.cpp.
template <>
const StepType GlobalPoolF32Step<false>::kType;
template <>
const StepType GlobalPoolF32Step<true>::kType;

using GlobalAverageF32Step = GlobalPoolF32Step<false>;
using GlobalMaxF32Step = GlobalPoolF32Step<true>;

}  // namespace octet
