// FP32 fully connected step: [rows, k] -> [rows, n] per image on a kernels/f32/gemm.h variant
// with packed weights, bias and an optional fused Relu. Runs whole (one row range per image).
#pragma once
#include <cstddef>

#include "engine/runtime/step_type.h"
#include "kernels/f32/gemm.h"

namespace octet {

struct GemmF32Step final : StepParams {
  const kernels::GemmF32Kernel* kernel = nullptr;
  int32_t rows = 1, n = 0, k = 0;   // rows per image
  kernels::Activation activation = kernels::Activation::None;
  size_t weights_offset = 0;        // bytes into Plan::weights

  static const StepType kType;
  // The kernels broadcast A one element at a time (StepType::reads_input_exactly).
  static constexpr bool kReadsInputExactly = true;
  static void run(const GemmF32Step&, const StepContext&, int32_t row_begin, int32_t row_end);
  static const char* kernel_name(const GemmF32Step& p) { return p.kernel->name; }
  static std::string describe(const Step&, const GemmF32Step&);
  template <typename IO, typename S>
  static void fields(IO& io, S& p) {
    io(p.kernel), io(p.rows), io(p.n), io(p.k), io(p.activation), io(p.weights_offset);
  }
  static void validate(PlanChecker&, const Step&, const GemmF32Step&);
};

}  // namespace octet
