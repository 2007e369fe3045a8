// The int8 activations (engine/int8_coverage.h): Sigmoid, HardSigmoid, HardSwish, Tanh,
// LeakyRelu, and the self-gated Mul(x, f(x)) of one of them (SiLU: f = Sigmoid), each one
// QLookupStep over a 256-entry table. The table is what the QDQ file means, code by code: every input code dequantized
// (DequantizeLinear, kernels/reference/qvector.h), the float function as the reference
// executor computes it (kernels/reference/activation.h; a self-gated Mul as one float product),
// quantized with round-half-even and saturation (QuantizeLinear). So the step is bit-exact with
// the reference executor running the QDQ file, on every ISA.
#include <array>
#include <vector>

#include "engine/compile_int8_helpers.h"
#include "engine/compiler.h"
#include "engine/int8_coverage.h"
#include "kernels/reference/activation.h"
#include "kernels/reference/qvector.h"

namespace octet::detail {

namespace {

// The float function of a table op over the 256 dequantized codes.
void apply_function(const Node& n, const float* x, float* y) {
  switch (n.op) {
    case OpKind::Sigmoid: return kernels::sigmoid<float>(x, y, 256);
    case OpKind::HardSigmoid:
      return kernels::hard_sigmoid<float>(x, y, 256, n.attr_float("alpha", 0.2f), n.attr_float("beta", 0.5f));
    case OpKind::HardSwish: return kernels::hard_swish<float>(x, y, 256);
    case OpKind::Tanh: return kernels::tanh<float>(x, y, 256);
    case OpKind::LeakyRelu: return kernels::leaky_relu<float>(x, y, 256, n.attr_float("alpha", 0.01f));
    default: throw Error("no lookup table for " + std::string(op_name(n.op)));
  }
}

const char* function_name(OpKind op) {
  switch (op) {
    case OpKind::Sigmoid: return "sigmoid";
    case OpKind::HardSigmoid: return "hard_sigmoid";
    case OpKind::HardSwish: return "hard_swish";
    case OpKind::Tanh: return "tanh";
    case OpKind::LeakyRelu: return "leaky_relu";
    default: return "?";
  }
}

// x = the 256 codes dequantized with `in`'s parameters (DequantizeLinear).
std::array<float, 256> dequantized_codes(const Slot& in) {
  std::array<uint8_t, 256> codes;
  for (int i = 0; i < 256; ++i) codes[size_t(i)] = static_cast<uint8_t>(i);
  std::array<float, 256> x;
  kernels::dequantize_qu8_ref(256, codes.data(), in.scale, in.zero_point, x.data());
  return x;
}

// f over the dequantized codes x, as the reference executor evaluates it.
std::array<float, 256> table_function(const Node& f, const std::array<float, 256>& x) {
  std::array<float, 256> y;
  apply_function(f, x.data(), y.data());
  return y;
}

}  // namespace

// A self-gated Mul runs as a table when x and its output are quantized and f's output is not
// (the quantization pass's layout; a QDQ file that rounds f's output too runs as f's table and
// an int8 Mul instead, as it says).
bool Compiler::gated_mul_runs_as_table(const Node& mul) const {
  const Node* gate = self_gate_of(g_, mul);
  return gate != nullptr && is_activation_params(g_.value(gate->inputs[0]).quant) &&
         !g_.value(gate->outputs[0]).quant && is_activation_params(g_.value(mul.outputs[0]).quant);
}

bool Compiler::fused_into_gated_table(const Node& gate) const {
  if (!is_self_gate(g_, gate)) return false;
  for (const Node& m : g_.nodes)
    if (self_gate_of(g_, m) == &gate) return gated_mul_runs_as_table(m);
  return false;
}

void Compiler::add_lookup_step(const Node& n, const Slot& in, const std::array<float, 256>& y, std::string function) {
  Slot out = u8_output_slot(n, in.layout, in.dims);
  QLookupStep st;
  st.elements = product(in.dims);
  st.function = std::move(function);
  st.table_offset = append_weights(256);
  kernels::quantize_qu8_ref(256, y.data(), out.scale, out.zero_point, weights_at<uint8_t>(st.table_offset));
  add_step(Step::of(n.name, std::move(st), in.buffer, -1, out.buffer));
  set_output(n, out);
}

void Compiler::compile_qlookup(const Node& n) {
  if (fused_into_gated_table(n)) return;   // the Mul reading it computes both
  const Slot in = as_uint8(n, n.inputs[0], slot(n, n.inputs[0]).layout == Layout::Nhwc);
  add_lookup_step(n, in, table_function(n, dequantized_codes(in)), function_name(n.op));
}

void Compiler::compile_qgated_mul(const Node& mul) {
  const Node& gate = *self_gate_of(g_, mul);
  const Slot in = as_uint8(mul, gate.inputs[0], slot(mul, gate.inputs[0]).layout == Layout::Nhwc);
  const std::array<float, 256> x = dequantized_codes(in);
  std::array<float, 256> y = table_function(gate, x);
  for (size_t i = 0; i < 256; ++i) y[i] = x[i] * y[i];   // the float Mul of the QDQ file
  add_lookup_step(mul, in, y, gate.op == OpKind::Sigmoid ? "silu" : std::string("x*") + function_name(gate.op));
}

}  // namespace octet::detail
