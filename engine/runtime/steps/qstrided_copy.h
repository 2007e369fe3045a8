// int8 data movement: the strided copy of strided_copy_f32.h over uint8 codes (channel
// shuffle, channel split, other transposes and slices of quantized values), one byte per
// element. Where the output's quantization parameters differ from the input's (a Slice whose
// QDQ file gives its output its own scale), each code goes through the 256-entry
// requantisation table in Plan::weights (kernels/reference/qmaxpool.h builds it with ONNX
// Runtime's arithmetic: Q_out(DQ_in(c))) on the int8 vector kernels' lookup: over the copied
// output when each row fills its stretch of it, else over each contiguous run;
// with equal parameters Q(DQ(c)) = c and the codes are copied. Split across threads along
// dims[0].
#pragma once
#include <cstddef>
#include <cstdint>

#include "engine/runtime/step_type.h"
#include "engine/runtime/steps/strided_copy_geometry.h"

namespace octet {

struct QStridedCopyStep final : StepParams, StridedCopyGeometry {
  bool has_table = false;    // false: a plain copy (same parameters)
  size_t table_offset = 0;   // with has_table: 256 bytes in Plan::weights

  static const StepType kType;
  static void run(const QStridedCopyStep& p, const StepContext& c, int32_t row_begin, int32_t row_end);
  static RowSplit rows(const QStridedCopyStep& p) { return {static_cast<int32_t>(p.dims.empty() ? 1 : p.dims[0]), 1}; }
  static const char* kernel_name(const QStridedCopyStep& p);
  static std::string describe(const Step&, const QStridedCopyStep& p);
  template <typename IO, typename S>
  static void fields(IO& io, S& p) {
    io(p.purpose), io(p.dims), io(p.src_strides), io(p.dst_strides), io(p.src_offset), io(p.in_elements),
        io(p.out_elements), io(p.has_table), io(p.table_offset);
  }
  static void validate(PlanChecker&, const Step&, const QStridedCopyStep&);
};

}  // namespace octet
