#include "engine/prepare.h"

#include "engine/reference/evaluate.h"
#include "graph/passes/passes.h"

namespace octet {

void prepare_graph(Graph& graph) {
  graph.sort_topologically();
  infer_shapes(graph);   // before folding: Shape nodes fold from inferred static shapes
  fold_constants(graph, evaluate_node);
  remove_dead_nodes(graph);
  infer_shapes(graph);   // again: folded Reshape/Pad inputs are now constants
}

}  // namespace octet
