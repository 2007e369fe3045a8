// ShuffleNet's channel shuffle (Transpose of a split-channel value) and Slice on uint8 codes
// (runs_int8: the input is uint8 storage in a layout the copy takes and both sides are
// annotated): one QStridedCopyStep (engine/runtime/steps/qstrided_copy.h) with the geometry
// the FP32 copy takes (compile_copy.cpp). A copy commutes with DequantizeLinear and
// QuantizeLinear, so with equal parameters Q(DQ(c)) = c moves the codes unchanged, and with
// different ones (a Slice whose QDQ file gives its output its own scale) the 256-entry
// requantisation table maps each code as ONNX Runtime's DequantizeLinear → Slice →
// QuantizeLinear does (compile_qmax_pool.cpp, append_requant_table): exact, code for code.
#include "engine/compiler.h"

namespace octet::detail {

bool Compiler::int8_copy_runs(const Node& n) const {
  const Slot& in = slots_[static_cast<size_t>(n.inputs[0])];
  if (!in.uint8) return false;
  if (n.op == OpKind::Transpose) return channel_shuffle_copy(n, in).has_value();
  return n.op == OpKind::Slice && in.layout == Layout::Nhwc && in.dims.size() == 3 && slice_box(n, in.dims).has_value();
}

void Compiler::compile_qcopy(const Node& n) {
  const Slot in = as_uint8(n, n.inputs[0], n.op == OpKind::Slice);
  std::optional<CopyPlan> cp;
  if (n.op == OpKind::Transpose) cp = channel_shuffle_copy(n, in);
  else if (std::optional<SliceBox> box = slice_box(n, in.dims)) cp = nhwc_slice_copy(*box, in);
  if (!cp) fail(n, "the int8 copy takes a channel shuffle or a Slice of NHWC codes");
  QStridedCopyStep p;
  static_cast<StridedCopyGeometry&>(p) = cp->copy;
  p.in_elements = product(in.dims);
  p.out_elements = product(cp->out_dims);
  const Slot out = u8_output_slot(n, cp->layout, cp->out_dims);
  p.has_table = append_requant_table(in, out, &p.table_offset);
  add_step(Step::of(n.name, std::move(p), in.buffer, -1, out.buffer));
  set_output(n, out);
}

}  // namespace octet::detail
