// A human-readable summary of a Graph: what `octet-inspect` prints.
#pragma once
#include <cstdint>
#include <string>

#include "graph/ir.h"

namespace octet {

// Header (name, producer, opset, inputs and outputs with dtypes and shapes), one line per
// node (index, op with its fused epilogue such as "Conv+Add+Relu", output shapes,
// parameters, MACs, name) and totals.
std::string print_graph(const Graph& graph);

// Multiply-accumulates of one Conv, MatMul or Gemm for one image: a symbolic or unknown
// batch (first) dimension counts as 1. 0 for other ops; -1 when a needed shape is unknown
// (e.g. before shape inference).
int64_t node_macs(const Graph& graph, const Node& node);

// Elements of the node's constant inputs (weights, biases, scales), each distinct input
// counted once. int64 constants are shapes, axes or pads rather than parameters, and are
// not counted.
int64_t node_params(const Graph& graph, const Node& node);

}  // namespace octet
