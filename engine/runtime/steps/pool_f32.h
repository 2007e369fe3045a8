// FP32 average and max pooling steps, NHWC -> NHWC on the plan's vector kernels, split
// across threads by output rows.
#pragma once
#include "engine/runtime/step_type.h"
#include "kernels/f32/vector.h"

namespace octet {

struct AveragePoolF32Step final : StepParams {
  kernels::PoolNhwcParams pool;

  static const StepType kType;
  static void run(const AveragePoolF32Step&, const StepContext&, int32_t row_begin, int32_t row_end);
  static RowSplit rows(const AveragePoolF32Step& p) { return {p.pool.out_h, 1}; }
  static std::string describe(const Step&, const AveragePoolF32Step&) { return "average_pool"; }
  template <typename IO, typename S>
  static void fields(IO& io, S& p);
  static void validate(PlanChecker&, const Step&, const AveragePoolF32Step&);
};

struct MaxPoolF32Step final : StepParams {
  kernels::PoolNhwcParams pool;

  static const StepType kType;
  static void run(const MaxPoolF32Step&, const StepContext&, int32_t row_begin, int32_t row_end);
  static RowSplit rows(const MaxPoolF32Step& p) { return {p.pool.out_h, 1}; }
  static std::string describe(const Step&, const MaxPoolF32Step&) { return "max_pool"; }
  template <typename IO, typename S>
  static void fields(IO& io, S& p);
  static void validate(PlanChecker&, const Step&, const MaxPoolF32Step&);
};

}  // namespace octet
