// FP32 softmax step over rows of `cols` (the last axis), on the plan's vector kernels.
#pragma once
#include "engine/runtime/step_type.h"

namespace octet {

struct SoftmaxStep final : StepParams {
  int32_t rows = 1, cols = 0;   // per image

  static const StepType kType;
  static void run(const SoftmaxStep& p, const StepContext& c, int32_t row_begin, int32_t row_end);
  static std::string describe(const Step&, const SoftmaxStep& p) {
    return "softmax " + std::to_string(p.rows) + "x" + std::to_string(p.cols);
  }
  template <typename IO, typename S>
  static void fields(IO& io, S& p) {
    io(p.rows), io(p.cols);
  }
  static void validate(PlanChecker&, const Step&, const SoftmaxStep&);
};

}  // namespace octet
