// int8 multiplication step: a [rows x cols] uint8 tensor times b, either of the same shape or
// one row of cols values broadcast over the rows (a squeeze-excitation gate [C] against an NHWC
// [H, W, C] image), with QLinearMul's float requantisation (kernels/int8/vector.h, QMulParams).
#pragma once
#include "engine/runtime/step_type.h"
#include "kernels/int8/vector.h"

namespace octet {

struct QMulStep final : StepParams {
  int64_t rows = 0;          // per image
  int32_t cols = 0;
  bool broadcast_b = false;  // b is one row of cols values (else rows x cols, as a)
  kernels::QMulParams mul;

  static const StepType kType;
  static void run(const QMulStep&, const StepContext&, int32_t row_begin, int32_t row_end);
  static std::string describe(const Step&, const QMulStep& p) {
    return std::string("qu8_mul") + (p.broadcast_b ? " broadcast " : " ") + std::to_string(p.rows) + "x" +
           std::to_string(p.cols);
  }
  static std::string summary(const QMulStep& p) { return p.broadcast_b ? "mul (broadcast)" : "mul"; }
  template <typename IO, typename S>
  static void fields(IO& io, S& p) {
    auto& m = p.mul;
    io(p.rows), io(p.cols), io(p.broadcast_b);
    io(m.ratio), io(m.a_zero_point), io(m.b_zero_point), io(m.output_zero_point);
    io(m.output_min), io(m.output_max);
  }
  static void validate(PlanChecker&, const Step&, const QMulStep&);
};

}  // namespace octet
