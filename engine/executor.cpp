#include "engine/executor.h"

#include <algorithm>

#include "engine/reference/allocation_budget.h"
#include "engine/reference/evaluate.h"
#include "engine/resource_estimate.h"

namespace octet {

ReferenceExecutor::ReferenceExecutor(const Graph& graph, ResourceLimits limits) : graph_(graph), limits_(limits) {
  last_use_.assign(graph.values.size(), -1);
  for (size_t n = 0; n < graph.nodes.size(); ++n)
    for (int in : graph.nodes[n].inputs)
      if (in != kNoValue) last_use_[static_cast<size_t>(in)] = static_cast<int>(n);
  for (int out : graph.outputs) last_use_[static_cast<size_t>(out)] = static_cast<int>(graph.nodes.size());
}

namespace {
void check_input(const Value& decl, const Tensor& t) {
  if (t.dtype != decl.dtype)
    throw Error("input '" + decl.name + "': expected " + dtype_name(decl.dtype) + ", got " + dtype_name(t.dtype));
  const Shape& s = decl.shape;
  if (!s.has_rank) return;
  bool ok = t.dims.size() == s.dims.size();
  for (size_t i = 0; ok && i < t.dims.size(); ++i)
    if (s.dims[i].is_known() && s.dims[i].value != t.dims[i]) ok = false;
  if (!ok)
    throw Error("input '" + decl.name + "': expected shape " + s.to_string() + ", got " + dims_to_string(t.dims));
}
}  // namespace

std::vector<Tensor> ReferenceExecutor::run(std::span<const Tensor> inputs) const { return run(inputs, nullptr); }

std::vector<Tensor> ReferenceExecutor::run(std::span<const Tensor> inputs, const Observer& observe) const {
  if (inputs.size() != graph_.inputs.size())
    throw Error("graph takes " + std::to_string(graph_.inputs.size()) + " inputs, given " +
                std::to_string(inputs.size()));
  // Slots hold run-time values; constants are read from the graph in place.
  std::vector<Tensor> slots(graph_.values.size());
  std::vector<bool> filled(graph_.values.size(), false);
  for (size_t i = 0; i < inputs.size(); ++i) {
    int id = graph_.inputs[i];
    check_input(graph_.value(id), inputs[i]);
    slots[static_cast<size_t>(id)] = inputs[i];
    filled[static_cast<size_t>(id)] = true;
    if (observe) observe(id, inputs[i]);
  }
  auto lookup = [&](int id) -> const Tensor* {
    if (id == kNoValue) return nullptr;
    const Value& v = graph_.value(id);
    if (v.constant) return &*v.constant;
    if (!filled[static_cast<size_t>(id)]) throw Error("value '" + v.name + "' is used before it is computed");
    return &slots[static_cast<size_t>(id)];
  };

  interrupted_.store(false, std::memory_order_relaxed);
  // The whole run's plan first, from the inferred shapes bound to the inputs' dims.
  std::vector<std::vector<int64_t>> input_dims;
  for (const Tensor& t : inputs) input_dims.push_back(t.dims);
  ValueDims dims = bind_value_dims(graph_, input_dims);
  const int64_t batch = !inputs.empty() && !inputs[0].dims.empty() ? std::max<int64_t>(1, inputs[0].dims[0]) : 1;
  check_graph_cost(graph_, dims, batch, limits_);
  check_graph_memory(graph_, dims, limits_);
  double constant_bytes = 0, live_bytes = 0, cost = 0;
  for (const Value& v : graph_.values)
    if (v.constant) constant_bytes += static_cast<double>(v.constant->bytes.size());
  for (const Tensor& t : inputs) live_bytes += static_cast<double>(t.bytes.size());

  std::vector<const Tensor*> args;
  for (size_t n = 0; n < graph_.nodes.size(); ++n) {
    const Node& node = graph_.nodes[n];
    if (interrupted_.load(std::memory_order_relaxed))
      throw InterruptedError("the run was interrupted before " + graph_.describe(node));
    args.clear();
    for (int in : node.inputs) args.push_back(lookup(in));
    // Then each node on its actual inputs, whose dims may depend on input values.
    for (size_t i = 0; i < node.inputs.size(); ++i)
      if (args[i] != nullptr) dims[static_cast<size_t>(node.inputs[i])] = args[i]->dims;
    if (std::optional<double> c = node_cost(graph_, node, dims)) cost += *c;
    if (cost > limits_.max_cost_per_image * static_cast<double>(batch))
      check_cost_budget({{graph_.describe(node) + " and the nodes before it", cost}}, limits_.max_cost_per_image, batch,
                        "the run");
    std::vector<Tensor> results;
    {
      const ref::AllocationBudget budget(
          static_cast<double>(limits_.max_memory_bytes) - constant_bytes - live_bytes, limits_.max_memory_bytes);
      results = evaluate_node(graph_, node, args);
    }
    if (results.size() < node.outputs.size())
      throw Error(graph_.describe(node) + ": produced " + std::to_string(results.size()) + " outputs, expected " +
                  std::to_string(node.outputs.size()));
    for (size_t o = 0; o < node.outputs.size(); ++o) {
      live_bytes += static_cast<double>(results[o].bytes.size());
      slots[static_cast<size_t>(node.outputs[o])] = std::move(results[o]);
      filled[static_cast<size_t>(node.outputs[o])] = true;
      if (observe) observe(node.outputs[o], slots[static_cast<size_t>(node.outputs[o])]);
    }
    // Free what no later node reads, so peak memory stays near one layer's worth.
    for (int in : node.inputs)
      if (in != kNoValue && last_use_[static_cast<size_t>(in)] == static_cast<int>(n) && filled[static_cast<size_t>(in)]) {
        live_bytes -= static_cast<double>(slots[static_cast<size_t>(in)].bytes.size());
        slots[static_cast<size_t>(in)] = Tensor();
      }
  }
  std::vector<Tensor> outputs;
  for (int id : graph_.outputs) outputs.push_back(*lookup(id));
  return outputs;
}

}  // namespace octet
