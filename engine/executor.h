// Runs a Graph node by node in topological order on the reference kernels. The batch size
// comes from the inputs: a symbolic dim of an input takes whatever size the caller passes.
#pragma once
#include <span>
#include <vector>

#include "graph/ir.h"

namespace octet {

class ReferenceExecutor {
 public:
  explicit ReferenceExecutor(const Graph& graph);
  // inputs in Graph::inputs order; returns outputs in Graph::outputs order. Throws
  // octet::Error when an input's dtype or known dims differ from the graph's declaration.
  std::vector<Tensor> run(std::span<const Tensor> inputs) const;

 private:
  const Graph& graph_;
  std::vector<int> last_use_;   // per value: index of the last node reading it (frees early)
};

}  // namespace octet
