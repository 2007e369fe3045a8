#include "engine/int8_coverage.h"

#include <map>

#include "graph/ops.h"

namespace octet {

namespace {

bool activation(const Graph& g, const Node& n, size_t i) {
  return n.has_input(i) && !g.value(n.inputs[i]).constant && g.value(n.inputs[i]).dtype == DType::Float32;
}

// Same rank and the same known sizes after the batch: what the int8 Add's one loop takes.
bool same_image_shape(const Shape& a, const Shape& b) {
  if (!a.has_rank || !b.has_rank || a.dims.size() != b.dims.size()) return false;
  for (size_t d = 1; d < a.dims.size(); ++d)
    if (!a.dims[d].is_known() || a.dims[d] != b.dims[d]) return false;
  return true;
}

// Group 1, or depthwise: group == input channels == output channels (weight [C, 1, kH, kW]).
bool int8_conv(const Graph& g, const Node& n) {
  if (!n.has_input(1) || !g.value(n.inputs[1]).constant) return false;
  const int64_t group = n.attr_int("group", 1);
  if (group == 1) return true;
  const Tensor& w = *g.value(n.inputs[1]).constant;
  const Shape& x = g.value(n.inputs[0]).shape;
  return w.rank() == 4 && w.dims[0] == group && w.dims[1] == 1 && x.has_rank && x.dims.size() == 4 &&
         x.dims[1].is_known() && x.dims[1].value == group;
}

bool int8_gemm(const Graph& g, const Node& n) {
  const Shape& a = g.value(n.inputs[0]).shape;
  return n.has_input(1) && g.value(n.inputs[1]).constant && g.value(n.inputs[1]).constant->rank() == 2 &&
         a.has_rank && a.dims.size() == 2 && n.attr_int("transA", 0) == 0 && n.attr_float("alpha", 1.f) == 1.f &&
         n.attr_float("beta", 1.f) == 1.f;
}

// Equal shapes, or a [N,C,H,W] tensor and a [N,C,1,1] gate in either order: what qu8_mul takes.
bool int8_mul_shapes(const Shape& a, const Shape& b) {
  if (same_image_shape(a, b)) return true;
  auto gate_of = [](const Shape& x, const Shape& gate) {
    if (!x.has_rank || !gate.has_rank || x.dims.size() != 4 || gate.dims.size() != 4) return false;
    for (size_t d = 1; d < 4; ++d)
      if (!x.dims[d].is_known() || !gate.dims[d].is_known()) return false;
    return gate.dims[1] == x.dims[1] && gate.dims[2].value == 1 && gate.dims[3].value == 1;
  };
  return gate_of(a, b) || gate_of(b, a);
}

// How many nodes read value `id` (a graph output counts as one more).
size_t readers(const Graph& g, int id) {
  size_t count = 0;
  for (const Node& n : g.nodes)
    for (int in : n.inputs) count += in == id;
  for (int out : g.outputs) count += out == id;
  return count;
}

bool rank4(const Shape& s) { return s.has_rank && s.dims.size() == 4; }

// MaxPool over the H and W of a 4-D tensor, without the Indices output (kernels/int8/maxpool.h).
bool int8_max_pool(const Graph& g, const Node& n) {
  return n.outputs.size() == 1 && rank4(g.value(n.inputs[0]).shape);
}

// Concat of 4-D activations along the channels (ONNX axis 1): a copy or a table per input.
bool int8_concat(const Graph& g, const Node& n) {
  const int64_t axis = n.attr_int("axis", 0);
  if (axis != 1 && axis != -3) return false;
  for (size_t i = 0; i < n.inputs.size(); ++i)
    if (!activation(g, n, i) || !rank4(g.value(n.inputs[i]).shape)) return false;
  return true;
}

// Slice with constant starts, ends, axes and steps, every step positive, the batch untouched:
// a copy of codes (engine/compile_qcopy.cpp).
bool int8_slice(const Graph& g, const Node& n) {
  if (g.opset < 10 || n.inputs.size() < 3) return false;
  for (size_t i = 1; i < n.inputs.size(); ++i)
    if (n.has_input(i) && !g.value(n.inputs[i]).constant) return false;
  if (n.has_input(4))
    for (int64_t s : g.value(n.inputs[4]).constant->as_int64())
      if (s <= 0) return false;
  const Shape& x = g.value(n.inputs[0]).shape;
  if (!n.has_input(3) || !x.has_rank) return false;   // without axes the first one is the batch
  const int64_t rank = static_cast<int64_t>(x.dims.size());
  for (int64_t a : g.value(n.inputs[3]).constant->as_int64())
    if (a == 0 || a == -rank || a < -rank || a >= rank) return false;
  return true;
}

bool undilated(const Node& n) {
  for (int64_t d : n.attr_ints("dilations"))
    if (d != 1) return false;
  return true;
}

}  // namespace

bool has_int8_kernel(const Graph& g, const Node& n) {
  if (!activation(g, n, 0)) return false;
  switch (n.op) {
    case OpKind::Conv: return int8_conv(g, n);
    case OpKind::Gemm: return int8_gemm(g, n);
    case OpKind::Add:
      return activation(g, n, 1) && same_image_shape(g.value(n.inputs[0]).shape, g.value(n.inputs[1]).shape);
    case OpKind::AveragePool: return undilated(n);
    case OpKind::GlobalAveragePool: return true;
    case OpKind::MaxPool: return int8_max_pool(g, n);
    case OpKind::Concat: return int8_concat(g, n);
    case OpKind::Slice: return int8_slice(g, n);
    case OpKind::Mul:
      return activation(g, n, 1) && int8_mul_shapes(g.value(n.inputs[0]).shape, g.value(n.inputs[1]).shape);
    default: return int8_table_op(n.op);
  }
}

bool int8_table_op(OpKind op) {
  return op == OpKind::Sigmoid || op == OpKind::HardSigmoid || op == OpKind::HardSwish || op == OpKind::Tanh ||
         op == OpKind::LeakyRelu;
}

const Node* self_gate_of(const Graph& g, const Node& mul) {
  if (mul.op != OpKind::Mul || mul.inputs.size() != 2 || mul.inputs[0] == mul.inputs[1]) return nullptr;
  for (size_t i = 0; i < 2; ++i) {
    const int gate = mul.inputs[i], x = mul.inputs[1 - i];
    for (const Node& n : g.nodes)
      if (int8_table_op(n.op) && n.outputs.size() == 1 && n.outputs[0] == gate && n.has_input(0) && n.inputs[0] == x &&
          readers(g, gate) == 1)
        return &n;
  }
  return nullptr;
}

bool is_self_gate(const Graph& g, const Node& n) {
  if (!int8_table_op(n.op)) return false;
  for (const Node& m : g.nodes)
    if (m.op == OpKind::Mul && self_gate_of(g, m) == &n) return true;
  return false;
}

bool int8_pass_through_op(OpKind op) {
  return op == OpKind::Relu || op == OpKind::Clip || op == OpKind::Reshape || op == OpKind::Flatten ||
         op == OpKind::Transpose || op == OpKind::Identity;
}

// Ops that only view or copy their input (no arithmetic): not worth naming as float compute.
static bool view_op(OpKind op) {
  return int8_pass_through_op(op) || op == OpKind::Squeeze || op == OpKind::Unsqueeze || op == OpKind::Dropout;
}

std::vector<const Node*> float_compute_nodes(const Graph& g) {
  std::vector<const Node*> out;
  for (const Node& n : g.nodes)
    if (!view_op(n.op) && !has_int8_kernel(g, n)) out.push_back(&n);
  return out;
}

std::string float_compute_summary(const Graph& g) {
  const std::vector<const Node*> nodes = float_compute_nodes(g);
  if (nodes.empty()) return "none";
  std::map<std::string, std::vector<std::string>> by_op;
  std::vector<std::string> order;
  for (const Node* n : nodes) {
    const std::string op(op_name(n->op));
    if (!by_op.count(op)) order.push_back(op);
    by_op[op].push_back(n->name.empty() ? "(unnamed)" : n->name);
  }
  std::string s = std::to_string(nodes.size()) + (nodes.size() == 1 ? " node: " : " nodes: ");
  for (size_t i = 0; i < order.size(); ++i) {
    const std::vector<std::string>& names = by_op[order[i]];
    s += (i ? ", " : "") + order[i] + " x" + std::to_string(names.size()) + " (";
    // Three names show where they are; the rest only count.
    for (size_t k = 0; k < names.size() && k < 3; ++k) s += (k ? ", " : "") + names[k];
    s += names.size() > 3 ? ", ...)" : ")";
  }
  return s;
}

}  // namespace octet
