// The reference executor's per-node step: computes one node's outputs from its inputs with
// the scalar kernels in kernels/reference. Also used by constant folding, so that a folded
// value is exactly what running the node would produce.
#pragma once
#include <span>
#include <vector>

#include "graph/ir.h"

namespace octet {

// inputs[i] is nullptr for an omitted optional input. Throws octet::Error naming the node
// (graph.describe(node)) on any invalid input: wrong dtype, inconsistent shapes, bad attributes.
std::vector<Tensor> evaluate_node(const Graph& graph, const Node& node,
                                  std::span<const Tensor* const> inputs);

}  // namespace octet
