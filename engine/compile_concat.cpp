// Concat on the FP32 runtime (engine/compiler.h): one ConcatSliceF32Step per input, each
// copying the input into its slice of one output buffer (engine/runtime/steps/concat_f32.h).
// A 4-D Concat works in NHWC (inputs in another layout are converted first), so along
// channels, ONNX axis 1, a row is a pixel and the copies are per-pixel channel slices; other
// ranks work on the row-major values. Any axis but the batch's.
#include <limits>
#include <utility>

#include "engine/compiler.h"

namespace octet::detail {

namespace {

int64_t product_of(const std::vector<int64_t>& d, size_t begin, size_t end) {
  int64_t p = 1;
  for (size_t i = begin; i < end; ++i) p *= d[i];
  return p;
}

// The per-image dims in storage order: [H, W, C] for an NHWC slot (whose dims are [C, H, W]).
std::vector<int64_t> storage_dims(const std::vector<int64_t>& dims, bool nhwc) {
  return nhwc ? std::vector<int64_t>{dims[1], dims[2], dims[0]} : dims;
}

}  // namespace

void Compiler::compile_concat(const Node& n) {
  if (!n.has_attr("axis")) fail(n, "attribute 'axis' is required");
  const std::vector<int64_t> out_dims = per_image_dims(g_.value(n.outputs.at(0)), "output");
  const int64_t rank = static_cast<int64_t>(out_dims.size()) + 1;
  int64_t axis = n.attr_int("axis", 0);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) fail(n, "axis " + std::to_string(n.attr_int("axis", 0)) + " is out of range");
  if (axis == 0) fail(n, "Concat along the batch axis is not supported (the batch is the caller's)");
  const bool nhwc = out_dims.size() == 3;
  const size_t logical_axis = static_cast<size_t>(axis - 1);   // in the per-image dims
  // The concatenation axis in storage order: NHWC's C is innermost, H and W come first.
  const size_t axis_in_storage = nhwc ? (logical_axis + 2) % 3 : logical_axis;

  std::vector<Slot> inputs;   // every conversion step first, so the output's lifetime starts after them
  int64_t along_axis = 0;
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    if (!n.has_input(i)) fail(n, "input " + std::to_string(i) + " is missing");
    const int id = n.inputs[i];
    Slot s = nhwc ? this->nhwc(n, id) : plain(id, g_.value(id).name);
    std::vector<int64_t> expect = out_dims;
    expect[logical_axis] = s.dims.size() == out_dims.size() ? s.dims[logical_axis] : -1;
    if (s.dims != expect) fail(n, "input " + std::to_string(i) + " does not match the output's shape off the axis");
    along_axis += s.dims[logical_axis];
    inputs.push_back(std::move(s));
  }
  if (inputs.empty()) fail(n, "needs at least one input");
  if (along_axis != out_dims[logical_axis]) fail(n, "the inputs do not add up to the output along the axis");

  const std::vector<int64_t> out_storage = storage_dims(out_dims, nhwc);
  const int64_t rows = product_of(out_storage, 0, axis_in_storage);
  if (rows > std::numeric_limits<int32_t>::max()) fail(n, "too many rows before the concatenation axis");
  ConcatSliceF32Step p;
  p.row_count = static_cast<int32_t>(rows);
  p.out_row = product_of(out_storage, axis_in_storage, out_storage.size());
  const Slot out = output_slot(n, nhwc ? Layout::Nhwc : Layout::Plain, out_dims);
  for (const Slot& in : inputs) {
    const std::vector<int64_t> in_storage = storage_dims(in.dims, nhwc);
    p.in_row = product_of(in_storage, axis_in_storage, in_storage.size());
    add_step(Step::of(n.name, p, in.buffer, -1, out.buffer));
    p.offset += p.in_row;
  }
  set_output(n, out);
}

}  // namespace octet::detail
