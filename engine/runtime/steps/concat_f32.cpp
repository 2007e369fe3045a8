#include "engine/runtime/steps/concat_f32.h"

#include "engine/runtime/step_type_impl.h"
#include "kernels/reference/strided_copy.h"

namespace octet {

void ConcatSliceF32Step::run(const ConcatSliceF32Step& p, const StepContext& c, int32_t row_begin, int32_t row_end) {
  if (row_end > p.row_count) row_end = p.row_count;
  if (row_end <= row_begin) return;
  const int64_t dims[2] = {row_end - row_begin, p.in_row}, src[2] = {p.in_row, 1}, dst[2] = {p.out_row, 1};
  kernels::strided_copy({dims, src, dst, sizeof(float)}, c.input + row_begin * p.in_row * sizeof(float),
                        c.output + (row_begin * p.out_row + p.offset) * sizeof(float));
}

std::string ConcatSliceF32Step::describe(const Step&, const ConcatSliceF32Step& p) {
  return "concat_slice  " + std::to_string(p.row_count) + " rows of " + std::to_string(p.in_row) + " -> [" +
         std::to_string(p.offset) + ", " + std::to_string(p.offset + p.in_row) + ") of " + std::to_string(p.out_row);
}

void ConcatSliceF32Step::validate(PlanChecker& c, const Step& s, const ConcatSliceF32Step& p) {
  const int64_t in = c.mul({p.row_count, p.in_row}, "concat input size");
  const int64_t out = c.mul({p.row_count, p.out_row}, "concat output size");
  c.require(p.offset >= 0 && p.offset <= p.out_row - p.in_row, "concat slice outside the output row");
  c.require(s.input != s.output, "concat input and output share a buffer");
  c.buffer(s.input, in, false, "input");
  c.buffer(s.output, out, false, "output");
}

const StepType ConcatSliceF32Step::kType = make_step_type<ConcatSliceF32Step>(19, "concat_slice", false);

}  // namespace octet
