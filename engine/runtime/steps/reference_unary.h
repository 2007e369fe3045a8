// A float element-wise operator that no SIMD kernel serves yet, run inside the compiled plan
// on its scalar reference kernel (kernels/reference/elementwise.h, activation.h), the same
// function the reference executor calls. The plan runs the model instead of refusing it, and
// the fallback is visible: its kernel name says "reference_" in octet-inspect --plan, in
// profiles and in the C API's model description. A SIMD kernel for the operator replaces it
// by a step type of its own.
#pragma once
#include "engine/runtime/step_type.h"

namespace octet {

struct ReferenceUnaryF32Step final : StepParams {
  // The numbers are the .octet file's op codes: append, never reorder.
  enum class Op : uint8_t { Relu, Clip, Sigmoid, HardSigmoid, HardSwish, Tanh, LeakyRelu };
  Op op = Op::Relu;
  int64_t elements = 0;   // per image
  // The operator's two constants, named after HardSigmoid's attributes:
  //   Clip: alpha = lower bound, beta = upper bound (+-infinity where the model omits one);
  //   HardSigmoid: clamp(alpha * x + beta, 0, 1);  LeakyRelu: alpha (beta unused, 0);
  //   the others: both unused, 0.
  float alpha = 0.f, beta = 0.f;

  static const StepType kType;
  static void run(const ReferenceUnaryF32Step& p, const StepContext& c, int32_t row_begin, int32_t row_end);
  static const char* kernel_name(const ReferenceUnaryF32Step& p);
  static std::string describe(const Step&, const ReferenceUnaryF32Step& p);
  template <typename IO, typename S>
  static void fields(IO& io, S& p) {
    io(p.op), io(p.elements), io(p.alpha), io(p.beta);
  }
  static void validate(PlanChecker&, const Step&, const ReferenceUnaryF32Step&);
};

}  // namespace octet
