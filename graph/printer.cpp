#include "graph/printer.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <set>
#include <span>

namespace octet {

namespace {

// A constant's dims are known even where Value::shape was never filled in.
Shape shape_of(const Graph& g, int id) {
  const Value& v = g.value(id);
  return v.constant ? Shape::of(v.constant->dims) : v.shape;
}

// Known dims, with a symbolic or unknown leading (batch) dim taken as 1; nullopt when any
// other dim is unknown.
std::optional<std::vector<int64_t>> per_image_dims(const Shape& s) {
  if (!s.has_rank) return std::nullopt;
  std::vector<int64_t> out;
  for (size_t i = 0; i < s.dims.size(); ++i) {
    if (s.dims[i].is_known()) out.push_back(s.dims[i].value);
    else if (i == 0) out.push_back(1);
    else return std::nullopt;
  }
  return out;
}

// Product, or -1 on overflow (absurd shapes must not wrap into plausible numbers).
int64_t product(std::span<const int64_t> dims) {
  int64_t p = 1;
  for (int64_t d : dims)
    if (__builtin_mul_overflow(p, d, &p)) return -1;
  return p;
}

int64_t times(int64_t a, int64_t b) {
  int64_t r = 0;
  if (a < 0 || b < 0 || __builtin_mul_overflow(a, b, &r)) return -1;
  return r;
}

// Size of dim `index` (negative counts from the end) of input `input`, -1 when unknown.
int64_t input_dim(const Graph& g, const Node& n, size_t input, int index) {
  if (!n.has_input(input)) return -1;
  const Shape s = shape_of(g, n.inputs[input]);
  if (!s.has_rank) return -1;
  const int rank = static_cast<int>(s.dims.size());
  const int i = index < 0 ? rank + index : index;
  if (i < 0 || i >= rank) return -1;
  return s.dims[static_cast<size_t>(i)].is_known() ? s.dims[static_cast<size_t>(i)].value : -1;
}

std::optional<std::vector<int64_t>> output_dims(const Graph& g, const Node& n) {
  if (n.outputs.empty()) return std::nullopt;
  return per_image_dims(shape_of(g, n.outputs[0]));
}

int64_t conv_macs(const Graph& g, const Node& n) {
  // Output [N, Cout, spatial...] and weight [Cout, Cin/group, kernel...]: every output
  // element sums Cin/group * prod(kernel) products.
  auto y = output_dims(g, n);
  if (!y || !n.has_input(1)) return -1;
  const Shape ws = shape_of(g, n.inputs[1]);
  if (!ws.fully_known() || ws.dims.size() < 2) return -1;
  const std::vector<int64_t> w = ws.known_dims();
  return times(product(*y), product(std::span(w).subspan(1)));
}

int64_t matmul_macs(const Graph& g, const Node& n) {
  // numpy semantics: the reduced dim K is A's last and B's second-to-last (B's only if 1-D).
  auto y = output_dims(g, n);
  if (!y) return -1;
  int64_t k = input_dim(g, n, 1, -2);
  if (k < 0 && n.has_input(1) && shape_of(g, n.inputs[1]).dims.size() == 1) k = input_dim(g, n, 1, 0);
  if (k < 0) k = input_dim(g, n, 0, -1);
  return k < 0 ? -1 : times(product(*y), k);
}

int64_t gemm_macs(const Graph& g, const Node& n) {
  auto y = output_dims(g, n);   // [M, N]
  if (!y) return -1;
  int64_t k = input_dim(g, n, 1, n.attr_int("transB", 0) ? 1 : 0);
  if (k < 0) k = input_dim(g, n, 0, n.attr_int("transA", 0) ? 0 : 1);
  return k < 0 ? -1 : times(product(*y), k);
}

// Distinct constant inputs that hold parameters (see node_params).
void param_inputs(const Graph& g, const Node& n, std::set<int>& ids) {
  for (int in : n.inputs)
    if (in != kNoValue && g.value(in).constant && g.value(in).constant->dtype != DType::Int64) ids.insert(in);
}

int64_t params_of(const Graph& g, const std::set<int>& ids) {
  int64_t total = 0;
  for (int id : ids) total += g.value(id).constant->numel();
  return total;
}

// The op column: the op, then what its fused epilogue absorbed, e.g. "Conv+Add+Relu" or
// "Conv+Clip[0,6]" (octet-inspect --optimized shows the fusion this way).
std::string op_column(const Node& n) {
  std::string op(op_name(n.op));
  const Epilogue& e = n.epilogue;
  if (e.residual) op += "+Add";
  if (e.activation == Epilogue::Activation::None) return op;
  op += "+" + activation_name(e.activation);
  if (e.activation == Epilogue::Activation::Clip) {
    char bounds[64];
    std::snprintf(bounds, sizeof bounds, "[%g,%g]", double(e.min), double(e.max));
    op += bounds;
  }
  if (e.activation == Epilogue::Activation::HardSigmoid) {
    char params[64];
    std::snprintf(params, sizeof params, "(%g,%g)", double(e.alpha), double(e.beta));
    op += params;
  }
  return op;
}

// 12501632 → "12,501,632"
std::string grouped(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return v < 0 ? "-" + out : out;
}

std::string pad_right(std::string s, size_t width) { return s.size() < width ? s + std::string(width - s.size(), ' ') : s; }
std::string pad_left(std::string s, size_t width) { return s.size() < width ? std::string(width - s.size(), ' ') + s : s; }

std::string describe_value(const Graph& g, int id) {
  const Value& v = g.value(id);
  const std::string dtype = v.dtype == DType::Undefined ? "?" : dtype_name(v.dtype);
  return "  " + v.name + ": " + dtype + " " + shape_of(g, id).to_string() + "\n";
}

}  // namespace

int64_t node_macs(const Graph& graph, const Node& node) {
  switch (node.op) {
    case OpKind::Conv: return conv_macs(graph, node);
    case OpKind::MatMul: return matmul_macs(graph, node);
    case OpKind::Gemm: return gemm_macs(graph, node);
    default: return 0;
  }
}

int64_t node_params(const Graph& graph, const Node& node) {
  std::set<int> ids;
  param_inputs(graph, node, ids);
  return params_of(graph, ids);
}

std::string print_graph(const Graph& g) {
  std::string out = "graph '" + g.name + "'";
  if (!g.producer.empty()) out += " from " + g.producer;
  out += ", opset " + std::to_string(g.opset) + ", " + std::to_string(g.nodes.size()) + " nodes\n";
  out += "inputs:\n";
  for (int id : g.inputs) out += describe_value(g, id);
  out += "outputs:\n";
  for (int id : g.outputs) out += describe_value(g, id);
  out += "MACs are per image: a symbolic batch dimension counts as 1.\n\n";

  struct Row { std::string index, op, shapes, params, macs, name; };
  std::vector<Row> rows{{"#", "op", "output shape", "params", "MACs", "name"}};
  std::set<int> all_params;
  int64_t total_macs = 0;
  int unknown_macs = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    Row r;
    r.index = std::to_string(i);
    r.op = op_column(n);
    for (int o : n.outputs) r.shapes += (r.shapes.empty() ? "" : " ") + shape_of(g, o).to_string();
    const int64_t p = node_params(g, n);
    r.params = p ? grouped(p) : "-";
    const int64_t m = node_macs(g, n);
    r.macs = m < 0 ? "?" : m == 0 ? "-" : grouped(m);
    r.name = n.name;
    if (m < 0) ++unknown_macs;
    else total_macs += m;
    param_inputs(g, n, all_params);
    rows.push_back(std::move(r));
  }
  size_t w_index = 0, w_op = 0, w_shapes = 0, w_params = 0, w_macs = 0;
  for (const Row& r : rows) {
    w_index = std::max(w_index, r.index.size());
    w_op = std::max(w_op, r.op.size());
    w_shapes = std::max(w_shapes, r.shapes.size());
    w_params = std::max(w_params, r.params.size());
    w_macs = std::max(w_macs, r.macs.size());
  }
  for (const Row& r : rows)
    out += pad_left(r.index, w_index) + "  " + pad_right(r.op, w_op) + "  " + pad_right(r.shapes, w_shapes) + "  " +
           pad_left(r.params, w_params) + "  " + pad_left(r.macs, w_macs) + "  " + r.name + "\n";

  out += "\ntotal: " + grouped(params_of(g, all_params)) + " parameters, " + grouped(total_macs) +
         " MACs per image";
  if (unknown_macs)
    out += " (+ " + std::to_string(unknown_macs) + " Conv/MatMul/Gemm nodes whose shapes are unknown)";
  return out + "\n";
}

}  // namespace octet
