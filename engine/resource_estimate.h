// Estimates of what running a graph takes, before running it: the cost of each node
// (multiply-accumulates or comparisons) and the peak bytes of live tensors, from the dims each
// value will have. The reference executor checks them against ResourceLimits before it runs a
// graph and before each node; compile_plan checks them for one image before it compiles.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "engine/runtime/resource_limits.h"
#include "graph/ir.h"

namespace octet {

// Per value id: its dims when known, else nullopt.
using ValueDims = std::vector<std::optional<std::vector<int64_t>>>;

// Every value's dims from its inferred shape, each symbolic dim bound to its size in
// `input_dims` (the graph inputs' actual dims, in Graph::inputs order); a symbol no input
// binds takes `unbound` (1: per image). Constants take their own dims.
ValueDims bind_value_dims(const Graph& graph, std::span<const std::vector<int64_t>> input_dims, int64_t unbound = 1);

// Multiply-accumulates (Conv, MatMul, Gemm) or comparisons and additions (pools: output
// elements x window) of one run of `node`, from its inputs' dims alone; every other operator
// costs the elements of its inputs (work proportional to an output, as in ConstantOfShape or
// Expand, is bounded by the memory limit instead). nullopt when an input's dims are unknown.
std::optional<double> node_cost(const Graph& graph, const Node& node, const ValueDims& dims);

// Throws ResourceLimitError when the known costs of all nodes exceed batch x
// max_cost_per_image, naming the most expensive nodes (name and op) and the limit.
void check_graph_cost(const Graph& graph, const ValueDims& dims, int64_t batch, const ResourceLimits& limits);

// Throws ResourceLimitError when the constants plus the peak of the live tensors (graph
// inputs, then each node's outputs until their last reader, in node order) exceed
// max_memory_bytes, naming the biggest tensors and the limit. Unknown sizes count 0.
void check_graph_memory(const Graph& graph, const ValueDims& dims, const ResourceLimits& limits);

}  // namespace octet
