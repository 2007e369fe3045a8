#include "engine/runtime/steps/qconcat.h"

#include "engine/runtime/step_type_impl.h"
#include "kernels/int8/vector.h"
#include "kernels/reference/strided_copy.h"

namespace octet {

void QConcatSliceStep::run(const QConcatSliceStep& p, const StepContext& c, int32_t row_begin, int32_t row_end) {
  if (row_end > p.row_count) row_end = p.row_count;
  if (row_end <= row_begin) return;
  const uint8_t* in = c.input + row_begin * p.in_row;
  uint8_t* out = c.output + row_begin * p.out_row + p.offset;
  if (!p.has_table) {
    const int64_t dims[2] = {row_end - row_begin, p.in_row}, src[2] = {p.in_row, 1}, dst[2] = {p.out_row, 1};
    kernels::strided_copy({dims, src, dst, 1}, in, out);
    return;
  }
  const uint8_t* table = c.weights + p.table_offset;
  for (int32_t r = row_begin; r < row_end; ++r, in += p.in_row, out += p.out_row)
    c.qvector->lookup(p.in_row, table, in, out);
}

std::string QConcatSliceStep::describe(const Step&, const QConcatSliceStep& p) {
  return std::string(p.has_table ? "qu8_concat_slice (table)  " : "qu8_concat_slice  ") + std::to_string(p.row_count) +
         " rows of " + std::to_string(p.in_row) + " -> [" + std::to_string(p.offset) + ", " +
         std::to_string(p.offset + p.in_row) + ") of " + std::to_string(p.out_row);
}

void QConcatSliceStep::validate(PlanChecker& c, const Step& s, const QConcatSliceStep& p) {
  const int64_t in = c.mul({p.row_count, p.in_row}, "concat input size");
  const int64_t out = c.mul({p.row_count, p.out_row}, "concat output size");
  c.require(p.in_row >= 0 && p.offset >= 0 && p.offset <= p.out_row - p.in_row, "concat slice outside the output row");
  c.require(s.input != s.output, "concat input and output share a buffer");
  if (p.has_table) c.weights(p.table_offset, 256);
  c.buffer(s.input, in, true, "input");
  c.buffer(s.output, out, true, "output");
}

const StepType QConcatSliceStep::kType = make_step_type<QConcatSliceStep>(71, "qu8_concat_slice", true);

}  // namespace octet
