// Dead-node removal: after folding, the nodes that computed constants' inputs, and any branch
// the exporter left dangling, feed nothing the caller asked for. Values are left in place
// (unused values cost nothing and keep every value id stable).
#include "graph/passes/passes.h"

namespace octet {

bool remove_dead_nodes(Graph& graph) {
  const std::vector<int> producer = graph.producers();
  std::vector<bool> live(graph.nodes.size(), false);
  std::vector<bool> needed(graph.values.size(), false);
  // Walk back from the outputs through producers; independent of the node order.
  std::vector<int> pending(graph.outputs.begin(), graph.outputs.end());
  while (!pending.empty()) {
    const int v = pending.back();
    pending.pop_back();
    if (v == kNoValue || needed[static_cast<size_t>(v)]) continue;
    needed[static_cast<size_t>(v)] = true;
    const int p = producer[static_cast<size_t>(v)];
    if (p == kNoValue || live[static_cast<size_t>(p)]) continue;
    live[static_cast<size_t>(p)] = true;
    for (int in : graph.nodes[static_cast<size_t>(p)].inputs) pending.push_back(in);
  }
  std::vector<Node> kept;
  for (size_t n = 0; n < graph.nodes.size(); ++n)
    if (live[n]) kept.push_back(std::move(graph.nodes[n]));
  const bool changed = kept.size() != graph.nodes.size();
  graph.nodes = std::move(kept);
  return changed;
}

}  // namespace octet
