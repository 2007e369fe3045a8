// int8 average pooling step: uint8 NHWC -> NHWC, QLinearAveragePool's float arithmetic
// (kernels/int8/vector.h, QPoolParams), split across threads by output rows.
#pragma once

#include "engine/runtime/step_type.h"
#include "kernels/int8/vector.h"

namespace octet {

struct QAveragePoolStep final : StepParams {
  kernels::QPoolParams pool;

  static const StepType kType;
  static void run(const QAveragePoolStep&, const StepContext&, int32_t row_begin, int32_t row_end);
  static RowSplit rows(const QAveragePoolStep& p) { return {p.pool.shape.out_h, 1}; }
  static std::string describe(const Step&, const QAveragePoolStep&) { return "qu8_average_pool"; }
  static std::string summary(const QAveragePoolStep& p) {
    return "average pool " + std::to_string(p.pool.shape.kernel_h) + "x" + std::to_string(p.pool.shape.kernel_w);
  }
  template <typename IO, typename S>
  static void fields(IO& io, S& p);
  static void validate(PlanChecker&, const Step&, const QAveragePoolStep&);
};

}  // namespace octet
