// MatMul(A, constant B) → Add(constant bias) is a dense layer as tf2onnx exports it; as one
// Gemm(A, B, C) the fast path adds the bias in the GEMM's epilogue (torch.onnx already
// writes Gemm).
#include <vector>

#include "graph/passes/optimize.h"

namespace octet {

namespace {

// Whether constant `c` broadcasts into [M, N] along N only: [N], [1,N], [1], [1,1] or a scalar
// (so the Add's output is the MatMul's, and Gemm accepts it as C).
bool row_bias(const Tensor& c, int64_t n) {
  if (c.rank() > 2) return false;
  if (c.rank() == 2 && c.dims[0] != 1) return false;
  const int64_t last = c.rank() >= 1 ? c.dims[static_cast<size_t>(c.rank() - 1)] : 1;
  return last == n || last == 1;
}

}  // namespace

bool matmul_add_to_gemm(Graph& graph) {
  const std::vector<int> uses = opt::use_counts(graph);
  std::vector<int> consumer(graph.values.size(), kNoValue);
  for (size_t n = 0; n < graph.nodes.size(); ++n)
    for (int in : graph.nodes[n].inputs)
      if (in != kNoValue) consumer[static_cast<size_t>(in)] = static_cast<int>(n);

  std::vector<bool> drop(graph.nodes.size(), false);
  bool changed = false;
  for (Node& mm : graph.nodes) {
    if (mm.op != OpKind::MatMul || mm.input_count() != 2 || mm.outputs.size() != 1) continue;
    const Value& a = graph.value(mm.inputs[0]);
    const Tensor* b = opt::float_constant(graph, mm.inputs[1]);
    if (a.dtype != DType::Float32 || !a.shape.has_rank || a.shape.dims.size() != 2 || b == nullptr || b->rank() != 2)
      continue;
    const int out = mm.outputs[0];
    if (uses[static_cast<size_t>(out)] != 1 || opt::is_graph_output(graph, out)) continue;
    const int next = consumer[static_cast<size_t>(out)];
    if (next == kNoValue || drop[static_cast<size_t>(next)]) continue;
    const Node& add = graph.nodes[static_cast<size_t>(next)];
    if (add.op != OpKind::Add || add.input_count() != 2 || add.outputs.size() != 1) continue;
    const int other = add.inputs[0] == out ? add.inputs[1] : add.inputs[0];
    const Tensor* c = other == out ? nullptr : opt::float_constant(graph, other);
    if (c == nullptr || !row_bias(*c, b->dims[1])) continue;
    mm.op = OpKind::Gemm;   // alpha = beta = 1, no transposes: Gemm's defaults
    mm.inputs.push_back(other);
    mm.outputs[0] = add.outputs[0];
    drop[static_cast<size_t>(next)] = true;
    changed = true;
  }
  if (changed) opt::erase_nodes(graph, drop);
  return changed;
}

}  // namespace octet
