// Which operators octet's int8 kernels take: the one answer the quantization pass (which
// annotates only what an int8 kernel will run, quant/quantize_graph.h) and the compiler (which
// runs a node on the int8 kernels only when it is annotated and taken here) both ask. Every
// other operator stays float: the compiler dequantizes its quantized inputs and quantizes its
// output for an int8 reader (Dequantize / Quantize steps), and the QDQ export writes the same
// DequantizeLinear / QuantizeLinear around it.
#pragma once
#include <string>
#include <vector>

#include "graph/ir.h"

namespace octet {

// The node's form has an int8 kernel (its structure only: operand kinds, attributes, shapes),
// whatever its annotations. Conv: group 1, or depthwise (group == input == output channels,
// kernels/int8/dwconv.h); Gemm: constant B, no transA, alpha = beta = 1;
// Add: two activations of one shape; AveragePool: undilated; GlobalAveragePool;
// MaxPool: 4-D, without Indices (kernels/int8/maxpool.h); Concat: 4-D activations along
// channels (a copy or a 256-entry table per input, engine/compile_qconcat.cpp);
// Sigmoid, HardSigmoid, HardSwish, Tanh, LeakyRelu: a 256-entry table (qu8_lookup);
// Mul: two activations of one shape, or [N,C,H,W] times a [N,C,1,1] gate (qu8_mul);
// Slice: constant parameters, positive steps, the batch untouched (a copy of codes or a
// 256-entry table, engine/compile_qcopy.cpp).
bool has_int8_kernel(const Graph& g, const Node& n);

// Whether op is one of the activations an int8 table runs (Sigmoid, HardSigmoid, HardSwish,
// Tanh, LeakyRelu).
bool int8_table_op(OpKind op);

// A self-gated activation as exporters write it, Mul(x, f(x)) with f a table op whose output
// only that Mul reads: SiLU is Mul(x, Sigmoid(x)), HardSwish often Mul(x, HardSigmoid(x)).
// Returns f's node for `mul` (nullptr when `mul` is no such Mul). Quantized, x and the Mul's
// output carry parameters and f's output none: the compiler runs both nodes as one table
// x -> x * f(x) (engine/compile_qlookup.cpp), and the QDQ file keeps f and the Mul in float.
const Node* self_gate_of(const Graph& g, const Node& mul);
// Whether `n` is the f of such a pattern.
bool is_self_gate(const Graph& g, const Node& n);

// Ops that move or clamp numbers without changing their scale (a Relu or Clip merged into its
// producer's range, views): quantized on both sides whenever one side is, never "kept in float".
bool int8_pass_through_op(OpKind op);

// The nodes of a quantized graph that compute in float (no int8 kernel takes them), in graph
// order: what the quantization report lists.
std::vector<const Node*> float_compute_nodes(const Graph& g);

// One line for the reports: "none" or "N nodes: Concat x3 (name, name, ...), Sigmoid x2 (...)".
std::string float_compute_summary(const Graph& g);

}  // namespace octet
