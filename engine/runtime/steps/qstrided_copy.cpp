#include "engine/runtime/steps/qstrided_copy.h"

#include "engine/runtime/plan_checker.h"
#include "engine/runtime/step_type_impl.h"
#include "kernels/int8/vector.h"
#include "kernels/reference/strided_copy.h"

namespace octet {

void QStridedCopyStep::run(const QStridedCopyStep& p, const StepContext& c, int32_t row_begin, int32_t row_end) {
  if (!p.has_table) return p.copy_rows(1, c.input, c.output, row_begin, row_end);
  if (row_end > p.dims[0]) row_end = static_cast<int32_t>(p.dims[0]);
  if (row_end <= row_begin) return;
  int64_t row = 1;
  for (size_t i = 1; i < p.dims.size(); ++i) row *= p.dims[i];
  if (row == p.dst_strides[0]) {
    // Each row fills its stretch of the output: copy the codes (the copy loop's vector
    // moves), then map the whole stretch in place in one vector lookup, rather than a lookup
    // call per innermost run (a channel split's runs are a few bytes).
    p.copy_rows(1, c.input, c.output, row_begin, row_end);
    uint8_t* out = c.output + row_begin * row;
    return c.qvector->lookup((row_end - row_begin) * row, c.weights + p.table_offset, out, out);
  }
  int64_t d[kMaxRank];
  for (size_t i = 0; i < p.dims.size(); ++i) d[i] = p.dims[i];
  d[0] = row_end - row_begin;
  kernels::strided_lookup({std::span<const int64_t>(d, p.dims.size()), p.src_strides, p.dst_strides, 1},
                          c.weights + p.table_offset, c.input + p.src_offset + row_begin * p.src_strides[0],
                          c.output + row_begin * p.dst_strides[0], c.qvector->lookup);
}

const char* QStridedCopyStep::kernel_name(const QStridedCopyStep& p) { return p.purpose_name(true); }

std::string QStridedCopyStep::describe(const Step&, const QStridedCopyStep& p) {
  return std::string(kernel_name(p)) + (p.has_table ? " (table)  " : "  ") + p.StridedCopyGeometry::describe();
}

void QStridedCopyStep::validate(PlanChecker& c, const Step& s, const QStridedCopyStep& p) {
  p.StridedCopyGeometry::validate(c, s, true);
  if (p.has_table) c.weights(p.table_offset, 256);
}

const StepType QStridedCopyStep::kType = make_step_type<QStridedCopyStep>(72, "qu8_strided_copy", true);

}  // namespace octet
