// Graph passes. Each is a function over the Graph in its own file; the pipeline that runs
// them after import is prepare_graph() in engine/prepare.h.
#pragma once
#include <functional>
#include <span>
#include <vector>

#include "graph/ir.h"

namespace octet {

// How constant folding computes a node: the reference executor's evaluate_node, injected
// so that graph/ does not depend on engine/.
using NodeEvaluator =
    std::function<std::vector<Tensor>(const Graph&, const Node&, std::span<const Tensor* const>)>;

// Replaces every node whose inputs are all constant (and Shape nodes whose input shape is
// fully known) by constant values. Returns true if anything changed.
bool fold_constants(Graph& graph, const NodeEvaluator& evaluate);

// Removes nodes none of whose outputs reach a graph output. Returns true if anything changed.
bool remove_dead_nodes(Graph& graph);

// Fills Value::shape and Value::dtype for every node output from the graph inputs'
// (possibly symbolic) shapes. Throws octet::Error naming the node on inconsistent shapes.
void infer_shapes(Graph& graph);

}  // namespace octet
