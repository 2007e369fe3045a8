// int8 global average pooling step: uint8 NHWC [h,w,c] -> [c], requantised and clamped.
#pragma once
#include "engine/runtime/step_type.h"
#include "engine/runtime/steps/field_lists.h"
#include "kernels/int8/requant.h"

namespace octet {

struct QGlobalAverageStep final : StepParams {
  ImageDims image;   // of the input
  kernels::Requant requant;
  int32_t input_zero_point = 0, output_zero_point = 0, output_min = 0, output_max = 255;

  static const StepType kType;
  static void run(const QGlobalAverageStep&, const StepContext&, int32_t row_begin, int32_t row_end);
  static std::string describe(const Step&, const QGlobalAverageStep&);
  static std::string summary(const QGlobalAverageStep&) { return "global average pool"; }
  template <typename IO, typename S>
  static void fields(IO& io, S& p) {
    image_fields(io, p.image);
    requant_fields(io, p.requant);
    io(p.input_zero_point), io(p.output_zero_point), io(p.output_min), io(p.output_max);
  }
  static void validate(PlanChecker&, const Step&, const QGlobalAverageStep&);
};

}  // namespace octet
