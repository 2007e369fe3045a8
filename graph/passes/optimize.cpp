// The FP32 optimisation pipeline, and the small helpers its passes share.
#include "graph/passes/optimize.h"

#include <string>

#include "graph/passes/passes.h"

namespace octet {

namespace opt {

std::vector<int> use_counts(const Graph& graph) {
  std::vector<int> uses(graph.values.size(), 0);
  for (const Node& n : graph.nodes)
    for (int in : n.inputs)
      if (in != kNoValue) ++uses[static_cast<size_t>(in)];
  for (int out : graph.outputs) ++uses[static_cast<size_t>(out)];
  return uses;
}

bool is_graph_output(const Graph& graph, int value) {
  for (int out : graph.outputs)
    if (out == value) return true;
  return false;
}

const Tensor* float_constant(const Graph& graph, int value) {
  if (value == kNoValue) return nullptr;
  const Value& v = graph.value(value);
  return v.constant && v.constant->dtype == DType::Float32 ? &*v.constant : nullptr;
}

void set_constant_input(Graph& graph, Node& node, size_t slot, Tensor t, const std::vector<int>& uses) {
  if (node.inputs.size() <= slot) node.inputs.resize(slot + 1, kNoValue);
  const int current = node.inputs[slot];
  if (current != kNoValue && graph.value(current).constant && uses[static_cast<size_t>(current)] == 1 &&
      !is_graph_output(graph, current)) {
    Value& v = graph.value(current);
    v.shape = Shape::of(t.dims);
    v.dtype = t.dtype;
    v.constant = std::move(t);
    return;
  }
  // A fresh name: the node's name and the slot, made unique (names are only for messages
  // and printing, but duplicates would make the printed graph ambiguous).
  const std::string base = node.name + (slot == 1 ? "/folded_W" : slot == 2 ? "/folded_B" : "/folded");
  std::string name = base;
  for (int i = 1; graph.find_value(name) != kNoValue; ++i) name = base + "_" + std::to_string(i);
  Value v;
  v.name = name;
  v.dtype = t.dtype;
  v.shape = Shape::of(t.dims);
  v.constant = std::move(t);
  node.inputs[slot] = graph.add_value(std::move(v));
}

void erase_nodes(Graph& graph, const std::vector<bool>& drop) {
  std::vector<Node> kept;
  kept.reserve(graph.nodes.size());
  for (size_t n = 0; n < graph.nodes.size(); ++n)
    if (!drop[n]) kept.push_back(std::move(graph.nodes[n]));
  graph.nodes = std::move(kept);
}

}  // namespace opt

void optimize_graph(Graph& graph, bool fuse_epilogues) {
  // Order within a round: pads and affine ops fold into the Conv first, so that the epilogue
  // fusion then sees Conv → Add(residual) → Relu directly; the pool and Gemm rewrites are
  // independent. A round that changes nothing ends the loop; each pass removes nodes or
  // sets a one-way flag, so the loop terminates (the bound only guards against a bug).
  for (int round = 0; round < 16; ++round) {
    bool changed = false;
    changed |= fold_pad_into_conv(graph);
    changed |= fold_conv_affine(graph);
    if (fuse_epilogues) changed |= fold_gemm_affine(graph);
    if (fuse_epilogues) changed |= fuse_conv_epilogue(graph);
    if (fuse_epilogues) changed |= fuse_conv_activation(graph);
    changed |= pool_to_global(graph);
    changed |= split_to_slices(graph);
    changed |= matmul_add_to_gemm(graph);
    if (!changed) break;
  }
  remove_dead_nodes(graph);
  graph.sort_topologically();
}

}  // namespace octet
