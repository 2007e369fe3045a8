// int8 convolution step over uint8 buffers (docs/quantization.md): a kernels/int8/conv.h
// variant with its float requantising epilogue (+ residual Add, clamp); also a quantized Gemm
// as a 1x1 conv. Split across threads by output rows in the kernel's row tiles. A conv whose
// output only a Concat reads writes straight into its slice of the Concat's output
// (engine/qconv_into_concat.h): output_offset bytes into each image's output, pixels
// conv.output_pixel_stride apart, through the Concat's table for this input if it has one.
#pragma once
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "engine/runtime/step_type.h"
#include "engine/runtime/steps/field_lists.h"
#include "kernels/int8/conv.h"

namespace octet {

struct QConvStep : StepParams {   // not final: QConvChannelStep (qconv_channel.h) extends it
  const kernels::QConvU8Kernel* kernel = nullptr;
  kernels::QConvParams conv;
  size_t weights_offset = 0;   // bytes into Plan::weights
  size_t output_offset = 0;    // bytes into the output buffer's image: the slice's first channel
  size_t table_offset = 0;     // with conv.has_output_table: 256 bytes in Plan::weights

  static const StepType kType;
  static void run(const QConvStep&, const StepContext&, int32_t row_begin, int32_t row_end);
  static RowSplit rows(const QConvStep& p) { return {p.conv.shape.out_h, p.kernel->row_tile > 1 ? p.kernel->row_tile : 1}; }
  static const char* kernel_name(const QConvStep& p) { return p.kernel->name; }
  static std::string describe(const Step&, const QConvStep&);
  static std::string summary(const QConvStep&);
  template <typename IO, typename S>
  static void fields(IO& io, S& p);
  static void validate(PlanChecker&, const Step&, const QConvStep&);
  // Runs the kernel with `q` (p.conv, or a copy with its channel scales), its output table's
  // pointer set and the output offset to the slice.
  static void run_kernel(const QConvStep& p, const kernels::QConvParams& q, const StepContext& c, int32_t row_begin,
                         int32_t row_end);
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
  // The Concat slice (output_pixel_stride, has_output_table, output_offset, table_offset) as
  // one array, empty for a dense output: one byte in the file of a conv that writes its own
  // tensor (ResNet8's size budget, tests/test_model_file.cpp, had 16 bytes to spare).
  std::vector<int64_t> slice;
  if constexpr (std::is_const_v<S>) {
    if (q.output_pixel_stride != 0 || q.has_output_table || p.output_offset != 0)
      slice = {q.output_pixel_stride, q.has_output_table, static_cast<int64_t>(p.output_offset),
               static_cast<int64_t>(p.table_offset)};
    io(slice);
  } else {
    io(slice);
    if (slice.empty()) return;
    // Anything but four values in range leaves a stride that validate() refuses.
    const bool ok = slice.size() == 4 && slice[0] >= 0 && slice[0] <= INT32_MAX && (slice[1] == 0 || slice[1] == 1) &&
                    slice[2] >= 0 && slice[3] >= 0;
    q.output_pixel_stride = ok ? static_cast<int32_t>(slice[0]) : -1;
    if (!ok) return;
    q.has_output_table = slice[1] == 1;
    p.output_offset = static_cast<size_t>(slice[2]);
    p.table_offset = static_cast<size_t>(slice[3]);
  }
}

}  // namespace octet
