// The pipeline every imported graph goes through before it runs: constant folding,
// dead-node removal and shape inference.
#pragma once
#include "graph/ir.h"

namespace octet {

void prepare_graph(Graph& graph);

}  // namespace octet
