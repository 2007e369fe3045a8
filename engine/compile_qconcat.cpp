// Concat along the channels of uint8 NHWC tensors (engine/int8_coverage.h): one
// QConcatSliceStep per input (engine/runtime/steps/qconcat.h), a copy of its channels into
// their slice of each output pixel, or a lookup through the input's requantisation table when
// its parameters differ from the output's (as ONNX Runtime's QLinearConcat;
// compile_qmax_pool.cpp, append_requant_table).
#include <limits>
#include <string>
#include <vector>

#include "engine/compiler.h"

namespace octet::detail {

void Compiler::compile_qconcat(const Node& n) {
  const std::vector<int64_t> out_dims = per_image_dims(g_.value(n.outputs.at(0)), "output");
  if (out_dims.size() != 3) fail(n, "the int8 Concat takes 4-D tensors");
  std::vector<Slot> inputs;   // every conversion step first, so the output's lifetime starts after them
  int64_t channels = 0;
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    Slot s = as_uint8(n, n.inputs[i], true);
    if (s.dims.size() != 3 || s.dims[1] != out_dims[1] || s.dims[2] != out_dims[2])
      fail(n, "input " + std::to_string(i) + " does not match the output's height and width");
    channels += s.dims[0];
    inputs.push_back(std::move(s));
  }
  if (inputs.empty()) fail(n, "needs at least one input");
  if (channels != out_dims[0]) fail(n, "the inputs' channels do not add up to the output's");
  const int64_t pixels = out_dims[1] * out_dims[2];
  if (pixels > std::numeric_limits<int32_t>::max()) fail(n, "too many pixels");
  const Slot out = u8_output_slot(n, Layout::Nhwc, out_dims);
  QConcatSliceStep p;
  p.row_count = static_cast<int32_t>(pixels);
  p.out_row = out_dims[0];
  for (const Slot& in : inputs) {
    p.in_row = in.dims[0];
    p.has_table = append_requant_table(in, out, &p.table_offset);
    add_step(Step::of(n.name, p, in.buffer, -1, out.buffer));
    p.offset += p.in_row;
  }
  set_output(n, out);
}

}  // namespace octet::detail
