// Runs a Graph node by node in topological order on the reference kernels. The batch size
// comes from the inputs: a symbolic dim of an input takes whatever size the caller passes.
#pragma once
#include <functional>
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
  // Observes every value the run computes (graph inputs included, constants not), right after
  // it is produced: how calibration (quant/calibrate.h) sees intermediate tensors without a
  // second copy of the model.
  using Observer = std::function<void(int value_id, const Tensor&)>;
  std::vector<Tensor> run(std::span<const Tensor> inputs, const Observer& observe) const;

 private:
  const Graph& graph_;
  std::vector<int> last_use_;   // per value: index of the last node reading it (frees early)
};

}  // namespace octet
