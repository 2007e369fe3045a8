// MaxPool and Concat along channels on uint8 NHWC codes (engine/int8_coverage.h): ops that
// select or move codes without arithmetic. Max commutes with the monotone DequantizeLinear and
// QuantizeLinear, and a copy is a copy, so each is exact as the QDQ file means it, code for
// code, once a 256-entry requantisation table maps an input's parameters to the output's
// (kernels/reference/qmaxpool.h, requantize_table_qu8: ONNX Runtime's arithmetic). Parameters
// that agree give the identity table, which the steps skip. This file: MaxPool; Concat is
// compile_qconcat.cpp; runs_int8 (compile_int8.cpp) chooses both.
#include <cstring>

#include "engine/compiler.h"
#include "engine/int8_coverage.h"
#include "kernels/reference/qmaxpool.h"
#include "kernels/registry.h"

namespace octet::detail {

bool Compiler::append_requant_table(const Slot& in, const Slot& out, size_t* offset) {
  uint8_t table[256];
  if (kernels::requantize_table_qu8(in.scale, in.zero_point, out.scale, out.zero_point, table)) return false;
  *offset = append_weights(sizeof table);
  std::memcpy(weights_at<uint8_t>(*offset), table, sizeof table);
  return true;
}

void Compiler::compile_qmax_pool(const Node& n) {
  if (n.outputs.size() > 1) fail(n, "MaxPool indices are not supported");
  const Slot in = as_uint8(n, n.inputs[0], true);
  QMaxPoolStep st;
  st.pool = pool_shape(n, in);
  const kernels::KernelIsa cap = opts_.int8_isa.value_or(kernels::kWidestIsa);
  const kernels::KernelVariant* v = kernels::widest_variant(kernels::KernelFamily::MaxPoolQU8, cap);
  if (v == nullptr) fail(n, std::string("no int8 max pool kernel at ISA ") + kernels::isa_name(cap) + " or narrower");
  st.kernel = v->qmaxpool;
  const Slot out = u8_output_slot(n, Layout::Nhwc, {st.pool.channels, st.pool.out_h, st.pool.out_w});
  st.has_table = append_requant_table(in, out, &st.table_offset);
  add_step(Step::of(n.name, std::move(st), in.buffer, -1, out.buffer));
  set_output(n, out);
}

}  // namespace octet::detail
