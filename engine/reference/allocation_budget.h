// The bytes a node evaluated by the reference executor may still allocate, so that sizes that
// depend on input values (ConstantOfShape fed by Shape/Gather/Cast of an input, Expand, Tile,
// Range, Resize) are refused before allocation rather than after. The executor installs one
// around each node; arg::make charges every output it creates. It is a thread-local so that
// the operators' signatures need not carry it; constant folding installs none (the tensor
// element limit still applies there).
#pragma once
#include <cstdint>
#include <string>

#include "engine/runtime/resource_limits.h"
#include "graph/ir.h"

namespace octet::ref {

class AllocationBudget {
 public:
  // `available`: the limit minus what is already held (constants, live tensors).
  AllocationBudget(double available, uint64_t limit) : available_(available), limit_(limit), previous_(current()) {
    current() = this;
  }
  ~AllocationBudget() { current() = previous_; }
  AllocationBudget(const AllocationBudget&) = delete;
  AllocationBudget& operator=(const AllocationBudget&) = delete;

  // Throws ResourceLimitError naming the node, the size and the limit when `bytes` more do not
  // fit the budget installed on this thread; nothing when none is.
  static void charge(const Graph& graph, const Node& node, double bytes) {
    AllocationBudget* b = current();
    if (b == nullptr) return;
    if (bytes > b->available_)
      throw ResourceLimitError(graph.describe(node) + ": an output of " + format_bytes(bytes) + " does not fit the " +
                               format_bytes(b->available_) + " left of the memory limit of " +
                               format_bytes(static_cast<double>(b->limit_)) + " (--max-memory, max_memory_bytes)");
    b->available_ -= bytes;
  }

 private:
  static AllocationBudget*& current() {
    thread_local AllocationBudget* installed = nullptr;
    return installed;
  }
  double available_;
  uint64_t limit_;
  AllocationBudget* previous_;
};

}  // namespace octet::ref
