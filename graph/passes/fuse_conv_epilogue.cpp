// Fuses what follows a Conv into it (the fused form is described in optimize.h):
//   Conv → Add(other of the same shape) → [Relu | Clip]   (a residual block's tail)
//   Conv → Relu,  Conv → Clip(constant bounds), and in quantized graphs a Relu or Clip after
//   a fused one (compose_clamps)
// so that the fast path adds the residual and applies the activation while the output tile
// is still in registers, instead of three more passes over the activation.
#include <algorithm>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include "graph/op_attrs.h"
#include "graph/passes/optimize.h"

namespace octet {

namespace {

// A plain Conv (nothing fused yet) whose only reader is one node and not the caller.
bool fusable_conv(const Graph& g, const Node& n, const std::vector<int>& uses) {
  if (n.op != OpKind::Conv || n.outputs.size() != 1 || n.input_count() > 3 || n.epilogue.fused()) return false;
  const int out = n.outputs[0];
  return uses[static_cast<size_t>(out)] == 1 && !opt::is_graph_output(g, out);
}

// Same static shape: every dim known and equal, except that the batch (dim 0) may be the
// same named symbol on both sides (it then takes the same run-time size).
bool same_shape(const Shape& a, const Shape& b) {
  if (!a.has_rank || !b.has_rank || a.dims.size() != b.dims.size() || a.dims.empty()) return false;
  for (size_t i = 0; i < a.dims.size(); ++i) {
    const Dim& x = a.dims[i];
    const Dim& y = b.dims[i];
    if (x.is_known() && y.is_known() && x.value == y.value) continue;
    if (i == 0 && !x.is_known() && !y.is_known() && !x.symbol.empty() && x.symbol == y.symbol) continue;
    return false;
  }
  return true;
}

// Longest path (in nodes) from the graph inputs to each value, over the current node order.
std::vector<int> depths(const Graph& g) {
  std::vector<int> d(g.values.size(), 0);
  for (const Node& n : g.nodes) {
    int deepest = 0;
    for (int in : n.inputs)
      if (in != kNoValue) deepest = std::max(deepest, d[static_cast<size_t>(in)]);
    for (int out : n.outputs)
      if (out != kNoValue) d[static_cast<size_t>(out)] = deepest + 1;
  }
  return d;
}

// Conv → Add(other) becomes Conv(x, W, b, residual=other).
bool fuse_residual_adds(Graph& g) {
  const std::vector<int> uses = opt::use_counts(g);
  const std::vector<int> producer = g.producers();
  const std::vector<int> depth = depths(g);
  std::vector<bool> drop(g.nodes.size(), false);
  bool changed = false;
  for (size_t a = 0; a < g.nodes.size(); ++a) {
    const Node& add = g.nodes[a];
    if (add.op != OpKind::Add || add.input_count() != 2 || add.outputs.size() != 1) continue;
    const int lhs = add.inputs[0], rhs = add.inputs[1];
    if (lhs == rhs) continue;
    const Shape& out_shape = g.value(add.outputs[0]).shape;
    // The operand that can absorb the Add: produced by a fusable Conv, the other operand a
    // float tensor of exactly the Conv's output shape. Of two such, the deeper one is the
    // main path of a residual block; the shallower (shortcut) is then its residual.
    int best_side = -1;
    for (int side = 0; side < 2; ++side) {
      const int mine = side == 0 ? lhs : rhs, other = side == 0 ? rhs : lhs;
      const int p = producer[static_cast<size_t>(mine)];
      if (p == kNoValue || drop[static_cast<size_t>(p)] || !fusable_conv(g, g.nodes[static_cast<size_t>(p)], uses))
        continue;
      const Value& o = g.value(other);
      const Shape& conv_shape = g.value(mine).shape;
      if (o.dtype != DType::Float32 || !same_shape(conv_shape, o.shape) || !same_shape(conv_shape, out_shape))
        continue;
      if (best_side < 0) {
        best_side = side;
        continue;
      }
      const int prev = best_side == 0 ? lhs : rhs;
      const int pp = producer[static_cast<size_t>(prev)];
      if (depth[static_cast<size_t>(mine)] > depth[static_cast<size_t>(prev)] ||
          (depth[static_cast<size_t>(mine)] == depth[static_cast<size_t>(prev)] && p > pp))
        best_side = side;
    }
    if (best_side < 0) continue;
    const int mine = best_side == 0 ? lhs : rhs, other = best_side == 0 ? rhs : lhs;
    Node& conv = g.nodes[static_cast<size_t>(producer[static_cast<size_t>(mine)])];
    // In a quantized graph the Conv's own output is rounded to its parameters before the Add
    // (as in a QDQ model); the fused node keeps them so the int8 engine can do the same.
    conv.epilogue.conv_output = g.value(mine).quant;
    conv.epilogue.residual = true;
    conv.epilogue.residual_first = best_side == 1;   // the conv was the Add's second input
    conv.inputs.resize(4, kNoValue);
    conv.inputs[3] = other;
    conv.outputs[0] = add.outputs[0];
    drop[a] = true;
    changed = true;
  }
  if (changed) {
    opt::erase_nodes(g, drop);
    // The residual may be computed after the Conv in the old order (the Add was its reader).
    g.sort_topologically();
  }
  return changed;
}

// A Relu or Clip (constant bounds) reading a quantized Conv whose epilogue already clamps
// (Relu or Clip), through a value with the Clip's own parameters: one clamp, the intersection
// of the two, when they overlap. What a QDQ file of Conv -> Relu -> Clip gives (the Relu fuses
// first): the conv requantises to those parameters in both forms, and clamps of one grid
// compose exactly. (A Conv -> Clip(0, 6) with zero point 0 gets no Relu restored in front of
// it at import, quant/qdq_import.cpp.) Float graphs keep the second node (clamps of floats
// differ on NaN).
bool compose_clamps(const Graph& g, Node& conv, const Node& act) {
  using Act = Epilogue::Activation;
  Epilogue& e = conv.epilogue;
  if (e.activation != Act::Relu && e.activation != Act::Clip) return false;
  const std::optional<QuantParams>& between = g.value(conv.outputs[0]).quant;
  if (!between || !(between == g.value(act.outputs[0]).quant)) return false;
  const float inf = std::numeric_limits<float>::infinity();
  float lo = e.activation == Act::Relu ? 0.f : e.min, hi = e.activation == Act::Relu ? inf : e.max;
  if (act.op == OpKind::Relu) {
    lo = std::max(lo, 0.f);
  } else if (act.op == OpKind::Clip) {
    const std::optional<std::pair<float, float>> bounds = constant_clip_bounds(g, act);
    if (!bounds || !(bounds->first <= bounds->second)) return false;
    lo = std::max(lo, bounds->first);
    hi = std::min(hi, bounds->second);
  } else {
    return false;
  }
  if (!(lo <= hi)) return false;
  e.activation = Act::Clip;
  e.min = lo;
  e.max = hi;
  return true;
}

// Conv → Relu / Clip becomes Conv with that activation in its epilogue.
bool fuse_activations(Graph& g) {
  const std::vector<int> uses = opt::use_counts(g);
  std::vector<int> consumer(g.values.size(), kNoValue);
  for (size_t n = 0; n < g.nodes.size(); ++n)
    for (int in : g.nodes[n].inputs)
      if (in != kNoValue) consumer[static_cast<size_t>(in)] = static_cast<int>(n);
  std::vector<bool> drop(g.nodes.size(), false);
  bool changed = false;
  for (Node& conv : g.nodes) {
    // A residual Conv is fine here: the activation applies after the residual add.
    if (conv.op != OpKind::Conv || conv.outputs.size() != 1) continue;
    const int out = conv.outputs[0];
    if (uses[static_cast<size_t>(out)] != 1 || opt::is_graph_output(g, out)) continue;
    const int next = consumer[static_cast<size_t>(out)];
    if (next == kNoValue) continue;
    const Node& act = g.nodes[static_cast<size_t>(next)];
    if (act.outputs.size() != 1) continue;
    if (conv.epilogue.activation != Epilogue::Activation::None) {
      if (compose_clamps(g, conv, act)) {
        conv.outputs[0] = act.outputs[0];
        drop[static_cast<size_t>(next)] = true;
        changed = true;
      }
      continue;
    }
    if (act.op == OpKind::Relu) {
      conv.epilogue.activation = Epilogue::Activation::Relu;
    } else if (act.op == OpKind::Clip) {
      const std::optional<std::pair<float, float>> bounds = constant_clip_bounds(g, act);
      if (!bounds) continue;
      const auto [lo, hi] = *bounds;
      // Unordered or NaN bounds stay a Clip node: a fused epilogue must have min <= max.
      if (!(lo <= hi)) continue;
      conv.epilogue.activation = Epilogue::Activation::Clip;
      conv.epilogue.min = lo;
      conv.epilogue.max = hi;
    } else {
      continue;
    }
    conv.outputs[0] = act.outputs[0];
    drop[static_cast<size_t>(next)] = true;
    changed = true;
  }
  if (changed) opt::erase_nodes(g, drop);
  return changed;
}

}  // namespace

bool fuse_conv_epilogue(Graph& graph) {
  const bool adds = fuse_residual_adds(graph);
  const bool acts = fuse_activations(graph);
  return adds || acts;
}

}  // namespace octet
