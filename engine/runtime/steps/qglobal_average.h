// int8 global average pooling step: uint8 NHWC [h,w,c] -> [c], QLinearGlobalAveragePool's
// float requantisation and a clamp (kernels/int8/vector.h, QGlobalAverageParams).
#pragma once
#include "engine/runtime/step_type.h"
#include "engine/runtime/steps/field_lists.h"
#include "kernels/int8/vector.h"

namespace octet {

struct QGlobalAverageStep final : StepParams {
  ImageDims image;   // of the input
  kernels::QGlobalAverageParams average;

  static const StepType kType;
  static void run(const QGlobalAverageStep&, const StepContext&, int32_t row_begin, int32_t row_end);
  static std::string describe(const Step&, const QGlobalAverageStep&);
  static std::string summary(const QGlobalAverageStep&) { return "global average pool"; }
  template <typename IO, typename S>
  static void fields(IO& io, S& p) {
    image_fields(io, p.image);
    auto& a = p.average;
    io(a.scale), io(a.input_zero_point), io(a.output_zero_point), io(a.output_min), io(a.output_max);
  }
  static void validate(PlanChecker&, const Step&, const QGlobalAverageStep&);
};

}  // namespace octet
