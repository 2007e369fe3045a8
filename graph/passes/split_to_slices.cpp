// A Split whose part sizes are known becomes one Slice per output (starts, ends and axes as
// constants, or attributes below opset 10): the compiler runs a Slice as a view or a strided
// copy (engine/compile_copy.cpp), so a Split needs no multi-output step of its own. A Split
// whose sizes are computed at run time, or whose axis is symbolic with no explicit sizes,
// stays and is refused by the compiler with its name.
#include <string>
#include <vector>

#include "graph/op_attrs.h"
#include "graph/passes/optimize.h"

namespace octet {

namespace {

int add_int64_constant(Graph& g, const std::string& name, int64_t v) {
  Value c;
  c.name = name;
  c.dtype = DType::Int64;
  c.constant = Tensor::from<int64_t>({1}, {v});
  c.shape = Shape::of(c.constant->dims);
  return g.add_value(std::move(c));
}

Attribute ints_attr(int64_t v) {
  Attribute a;
  a.kind = Attribute::Kind::Ints;
  a.ints = {v};
  return a;
}

// The part sizes when known now; nullopt otherwise (the node is left as it is).
std::optional<std::vector<int64_t>> known_sizes(const Graph& g, const Node& n, int64_t* axis) {
  const Shape& x = g.value(n.inputs[0]).shape;
  if (!x.has_rank || x.dims.empty()) return std::nullopt;
  const int64_t rank = static_cast<int64_t>(x.dims.size());
  int64_t a = n.attr_int("axis", 0);
  if (a < 0) a += rank;
  if (a < 0 || a >= rank) return std::nullopt;   // invalid: shape inference reports it
  *axis = a;
  const Dim& d = x.dims[static_cast<size_t>(a)];
  if (d.is_known()) return split_sizes(g, n, d.value);
  return std::nullopt;
}

}  // namespace

bool split_to_slices(Graph& graph) {
  bool changed = false;
  std::vector<Node> out;
  out.reserve(graph.nodes.size());
  for (Node& n : graph.nodes) {
    int64_t axis = 0;
    std::optional<std::vector<int64_t>> sizes;
    if (n.op == OpKind::Split) sizes = known_sizes(graph, n, &axis);
    if (!sizes) {
      out.push_back(std::move(n));
      continue;
    }
    int64_t first = 0;
    for (size_t i = 0; i < n.outputs.size(); ++i) {
      Node s;
      s.op = OpKind::Slice;
      s.name = n.name + "/part" + std::to_string(i);
      const int64_t end = first + (*sizes)[i];
      if (graph.opset >= 10) {
        s.inputs = {n.inputs[0], add_int64_constant(graph, s.name + "/starts", first),
                    add_int64_constant(graph, s.name + "/ends", end), add_int64_constant(graph, s.name + "/axes", axis)};
      } else {
        s.inputs = {n.inputs[0]};
        s.attrs = {{"starts", ints_attr(first)}, {"ends", ints_attr(end)}, {"axes", ints_attr(axis)}};
      }
      s.outputs = {n.outputs[i]};
      out.push_back(std::move(s));
      first = end;
    }
    changed = true;
  }
  graph.nodes = std::move(out);
  return changed;
}

}  // namespace octet
