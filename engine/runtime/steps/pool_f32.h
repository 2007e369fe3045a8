// FP32 average and max pooling steps, NHWC -> NHWC on the plan's vector kernels, split
// across threads by output rows. Two step types, one template: kMax picks the reduction.
#pragma once
#include "engine/runtime/step_type.h"
#include "kernels/f32/vector.h"

namespace octet {

template <bool kMax>
struct PoolF32Step final : StepParams {
  kernels::PoolNhwcParams pool;

  static const StepType kType;
  static void run(const PoolF32Step&, const StepContext&, int32_t row_begin, int32_t row_end);
  static RowSplit rows(const PoolF32Step& p) { return {p.pool.out_h, 1}; }
  static std::string describe(const Step&, const PoolF32Step&) { return kType.name; }
  template <typename IO, typename S>
  static void fields(IO& io, S& p);
  static void validate(PlanChecker&, const Step&, const PoolF32Step&);
};

using AveragePoolF32Step = PoolF32Step<false>;
using MaxPoolF32Step = PoolF32Step<true>;
template <>
const StepType AveragePoolF32Step::kType;   // pool_f32.cpp
template <>
const StepType MaxPoolF32Step::kType;

}  // namespace octet
