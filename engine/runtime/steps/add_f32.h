// FP32 element-wise addition step (same shapes), with an optional fused Relu.
#pragma once
#include "engine/runtime/step_type.h"

namespace octet {

struct AddF32Step final : StepParams {
  int64_t elements = 0;   // per image
  bool relu = false;

  static const StepType kType;
  static void run(const AddF32Step& p, const StepContext& c, int32_t row_begin, int32_t row_end);
  static std::string describe(const Step&, const AddF32Step& p) { return p.relu ? "add relu" : "add"; }
  template <typename IO, typename S>
  static void fields(IO& io, S& p) {
    io(p.elements), io(p.relu);
  }
  static void validate(PlanChecker&, const Step&, const AddF32Step&);
};

}  // namespace octet
