// int8 convolution step with per-channel weights: a QConvStep (same kernels, packed weights
// and fields) whose requantisation scale differs per output channel
// (kernels::QConvParams::channel_scales). The out_c float scales are stored in Plan::weights
// after the packed weights, so per-tensor plans and their .octet files keep the plain
// QConvStep.
#pragma once
#include <cstddef>

#include "engine/runtime/steps/qconv.h"

namespace octet {

struct QConvChannelStep final : QConvStep {
  size_t scales_offset = 0;   // bytes into Plan::weights: float [out_c], each finite and >= 0

  static const StepType kType;
  static void run(const QConvChannelStep&, const StepContext&, int32_t row_begin, int32_t row_end);
  static std::string describe(const Step&, const QConvChannelStep&);
  template <typename IO, typename S>
  static void fields(IO& io, S& p);
  static void validate(PlanChecker&, const Step&, const QConvChannelStep&);
};

}  // namespace octet
