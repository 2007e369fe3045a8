#include "engine/prepare.h"

#include "engine/reference/evaluate.h"
#include "graph/passes/passes.h"

namespace octet {

void prepare_graph(Graph& graph) {
  graph.sort_topologically();
  infer_shapes(graph);   // before folding: Shape nodes fold from inferred static shapes
  // Until nothing folds: a Reshape target made constant (graph/passes/shape_values.h) gives
  // its output a shape, from which the next shape subgraph folds (ShuffleNet chains 16).
  bool folded = false;
  do {
    folded = fold_constants(graph, evaluate_node);
    remove_dead_nodes(graph);
    infer_shapes(graph);   // again: folded Reshape/Pad inputs are now constants
  } while (folded);
}

}  // namespace octet
