// int8 element-wise addition step (same shapes), QLinearAdd's float requantisation and a clamp
// (kernels/int8/vector.h, QAddParams).
#pragma once
#include "engine/runtime/step_type.h"
#include "kernels/int8/vector.h"

namespace octet {

struct QAddStep final : StepParams {
  int64_t elements = 0;   // per image
  kernels::QAddParams add;

  static const StepType kType;
  static void run(const QAddStep&, const StepContext&, int32_t row_begin, int32_t row_end);
  static std::string describe(const Step&, const QAddStep&) { return "qu8_add"; }
  static std::string summary(const QAddStep&) { return "add"; }
  template <typename IO, typename S>
  static void fields(IO& io, S& p) {
    auto& a = p.add;
    io(p.elements);
    io(a.rescale.ratio_a), io(a.rescale.ratio_b), io(a.rescale.fixed), io(a.rescale.code_offset);
    io(a.output_min), io(a.output_max);
  }
  static void validate(PlanChecker&, const Step&, const QAddStep&);
};

}  // namespace octet
