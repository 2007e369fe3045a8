// int8 Concat along the channels of uint8 NHWC tensors, one step per input as the FP32
// Concat (concat_f32.h, whose row model this shares: a row is a pixel): the step copies its
// input's `in_row` channels of each pixel into [offset, offset + in_row) of the output's
// `out_row`, or, when the input's quantization parameters differ from the output's, maps them
// through the input's 256-entry requantisation table (Plan::weights; ONNX Runtime's
// QLinearConcat does the same, kernels/reference/qmaxpool.h builds the table) on the int8
// vector kernels' lookup. A Concat of N inputs is N consecutive steps writing one output
// buffer. Split across threads by rows.
#pragma once
#include <cstddef>
#include <cstdint>

#include "engine/runtime/step_type.h"

namespace octet {

struct QConcatSliceStep final : StepParams {
  int32_t row_count = 0;   // per image
  int64_t in_row = 0;      // bytes of one input row
  int64_t out_row = 0;     // bytes of one output row
  int64_t offset = 0;      // where the input's row starts in the output row (bytes)
  bool has_table = false;  // false: a plain copy (same parameters)
  size_t table_offset = 0; // with has_table: 256 bytes in Plan::weights

  static const StepType kType;
  static void run(const QConcatSliceStep& p, const StepContext& c, int32_t row_begin, int32_t row_end);
  static RowSplit rows(const QConcatSliceStep& p) { return {p.row_count, 1}; }
  static std::string describe(const Step&, const QConcatSliceStep& p);
  static std::string summary(const QConcatSliceStep& p) { return p.has_table ? "concat (table)" : "concat"; }
  template <typename IO, typename S>
  static void fields(IO& io, S& p) {
    io(p.row_count), io(p.in_row), io(p.out_row), io(p.offset), io(p.has_table), io(p.table_offset);
  }
  static void validate(PlanChecker&, const Step&, const QConcatSliceStep&);
};

}  // namespace octet
