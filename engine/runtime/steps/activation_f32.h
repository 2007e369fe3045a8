// FP32 element-wise activation step: a standalone Relu, Clip, LeakyRelu, Sigmoid, Tanh,
// HardSigmoid, HardSwish or SiLU (one the optimiser could not fuse into a conv or a Gemm) on
// the plan's vector kernel, VectorF32Kernels::activation. An image's elements are cut into
// chunks of kChunk that threads share.
#pragma once
#include "engine/runtime/step_type.h"
#include "kernels/f32/vector.h"

namespace octet {

struct ActivationF32Step final : StepParams {
  static constexpr int64_t kChunk = 16384;   // floats per row of the thread split (64 KiB)
  kernels::ActivationF32Params activation;   // act never None
  int64_t elements = 0;                      // per image

  static const StepType kType;
  static void run(const ActivationF32Step& p, const StepContext& c, int32_t row_begin, int32_t row_end);
  static RowSplit rows(const ActivationF32Step& p) {
    return {static_cast<int32_t>((p.elements + kChunk - 1) / kChunk), 1};
  }
  // "f32_relu", "f32_hard_swish", ...: the operator the plan's vector kernel runs.
  static const char* kernel_name(const ActivationF32Step& p);
  static std::string describe(const Step&, const ActivationF32Step& p);
  template <typename IO, typename S>
  static void fields(IO& io, S& p) {
    io(p.activation.act), io(p.activation.lo), io(p.activation.hi), io(p.activation.alpha), io(p.activation.beta);
    io(p.elements);
  }
  static void validate(PlanChecker&, const Step&, const ActivationF32Step&);
};

}  // namespace octet
