// int8 convolution step over uint8 buffers (docs/quantization.md): a kernels/int8/conv.h
// variant with its float requantising epilogue (+ residual Add, clamp); also a quantized Gemm
// as a 1x1 conv. Split across threads by output rows in the kernel's row tiles.
#pragma once
#include <cstddef>

#include "engine/runtime/step_type.h"
#include "engine/runtime/steps/field_lists.h"
#include "kernels/int8/conv.h"

namespace octet {

struct QConvStep : StepParams {   // not final: QConvChannelStep (qconv_channel.h) extends it
  const kernels::QConvU8Kernel* kernel = nullptr;
  kernels::QConvParams conv;
  size_t weights_offset = 0;   // bytes into Plan::weights

  static const StepType kType;
  static void run(const QConvStep&, const StepContext&, int32_t row_begin, int32_t row_end);
  static RowSplit rows(const QConvStep& p) { return {p.conv.shape.out_h, p.kernel->row_tile > 1 ? p.kernel->row_tile : 1}; }
  static const char* kernel_name(const QConvStep& p) { return p.kernel->name; }
  static std::string describe(const Step&, const QConvStep&);
  static std::string summary(const QConvStep&);
  template <typename IO, typename S>
  static void fields(IO& io, S& p);
  static void validate(PlanChecker&, const Step&, const QConvStep&);
};

// In the header: QConvChannelStep's field list starts with this one.
template <typename IO, typename S>
void QConvStep::fields(IO& io, S& p) {
  auto& q = p.conv;
  io(p.kernel);
  qconv_core_fields(io, q);   // the residual's zero point is inside residual_add.fixed
  io(q.round_before_residual), io(q.conv_zero_point), io(q.residual_is_first);
  io(q.residual_add.ratio_a), io(q.residual_add.ratio_b), io(q.residual_add.fixed), io(q.residual_add.code_offset);
  io(p.weights_offset);
}

}  // namespace octet
