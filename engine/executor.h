// Runs a Graph node by node in topological order on the reference kernels. The batch size
// comes from the inputs: a symbolic dim of an input takes whatever size the caller passes.
#pragma once
#include <atomic>
#include <functional>
#include <span>
#include <vector>

#include "engine/runtime/resource_limits.h"
#include "graph/ir.h"

namespace octet {

class ReferenceExecutor {
 public:
  explicit ReferenceExecutor(const Graph& graph, ResourceLimits limits = {});
  // inputs in Graph::inputs order; returns outputs in Graph::outputs order. Throws
  // octet::Error when an input's dtype or known dims differ from the graph's declaration.
  // Throws ResourceLimitError, before running anything, when the inferred shapes bound to the
  // inputs' dims plan more memory (constants and live tensors, engine/resource_estimate.h) or
  // cost than the limits allow (cost: batch x max_cost_per_image, the batch being the first
  // input's dim 0), and before each node when its actual inputs or an output sized by input
  // values would exceed them.
  std::vector<Tensor> run(std::span<const Tensor> inputs) const;
  // Observes every value the run computes (graph inputs included, constants not), right after
  // it is produced: how calibration (quant/calibrate.h) sees intermediate tensors without a
  // second copy of the model.
  using Observer = std::function<void(int value_id, const Tensor&)>;
  std::vector<Tensor> run(std::span<const Tensor> inputs, const Observer& observe) const;

  // From another thread: every run in progress on this executor throws InterruptedError
  // before its next node (a node is not stopped midway; the cost limit bounds one node's
  // work). Each run starts uninterrupted; with no run in progress it does nothing.
  void interrupt() const { interrupted_.store(true, std::memory_order_relaxed); }

 private:
  const Graph& graph_;
  ResourceLimits limits_;
  mutable std::atomic<bool> interrupted_{false};
  std::vector<int> last_use_;   // per value: index of the last node reading it (frees early)
};

}  // namespace octet
