// FP32 element-wise Add, Sub, Mul, Div under numpy broadcasting (and a * b + c, the
// per-channel affine of a standalone BatchNormalization), on the plan's vector kernels
// (kernels/f32/binary.h). The compiler resolves the broadcast into the kernel's strided
// form (engine/binary_broadcast.h); a constant operand lives in the plan's weights, packed
// in the output's storage order. Split across threads along the outermost dim.
#pragma once
#include <cstddef>

#include "engine/runtime/step_type.h"
#include "kernels/f32/binary.h"

namespace octet {

struct BinaryF32Step final : StepParams {
  kernels::BinaryF32Params shape;
  // Where each operand comes from: a constant in the weights (at its byte offset), else the
  // step's input buffer (a), or the next one (b: input2 when a is an activation too).
  bool a_constant = false, b_constant = false;
  size_t a_offset = 0, b_offset = 0;
  size_t c_offset = 0;   // MulAdd's addend, a constant indexed like b

  static const StepType kType;
  static void run(const BinaryF32Step& p, const StepContext& c, int32_t row_begin, int32_t row_end);
  static RowSplit rows(const BinaryF32Step& p) { return {static_cast<int32_t>(p.shape.rows()), 1}; }
  static std::string describe(const Step&, const BinaryF32Step& p);
  static std::string summary(const BinaryF32Step& p);
  template <typename IO, typename S>
  static void fields(IO& io, S& p) {
    io(p.shape.op), io(p.shape.outer_dims);
    for (int d = 0; d < kernels::kBinaryMaxOuterDims; ++d) io(p.shape.outer[d]), io(p.shape.a_stride[d]), io(p.shape.b_stride[d]);
    io(p.shape.inner), io(p.shape.a_scalar), io(p.shape.b_scalar);
    io(p.a_constant), io(p.b_constant), io(p.a_offset), io(p.b_offset), io(p.c_offset);
  }
  static void validate(PlanChecker&, const Step&, const BinaryF32Step&);
};

}  // namespace octet
