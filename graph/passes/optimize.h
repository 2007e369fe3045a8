// FP32 optimisation passes: rewrites of a prepared graph (engine/prepare.h: folded, shapes
// inferred) into fewer, fused nodes that compute the same outputs up to float rounding.
// Each pass is a function over the Graph in its own file and returns true if it changed
// anything; optimize_graph() runs them to a fixed point.
//
// The fused Conv form (octet-internal, produced only by fuse_conv_epilogue): a Conv node's
// typed `Node::epilogue` (graph/ir.h) says what follows its bias,
//   y = activation(conv(x, W) + b + residual)
// with the residual as the node's 4th input (a tensor of the output's shape) and the
// activation Relu or Clip (bounds in Epilogue::min / max), or for FP32 one of the smooth
// activations of fuse_conv_activation. In a quantized graph
// (Value::quant set) a fused residual Conv also records, in Epilogue::conv_output, the
// parameters of the Conv's own output, which the QDQ layout rounds to before the Add.
#pragma once
#include <vector>

#include "graph/ir.h"

namespace octet {

// Conv → BatchNormalization, and Conv → Mul/Add by a per-output-channel constant ([1,C,1,1],
// [C,1,1] or a scalar), folded into the Conv's weight and bias. Only when the Conv has
// constant weights and its output feeds that one node and is not a graph output.
bool fold_conv_affine(Graph& graph);

// The same after a Gemm with constant B and C, per output column: BatchNormalization of its
// 2-D output, Mul / Add / Sub by an [N] or [1,N] constant (alpha and beta folded too). FP32
// only (optimize_graph with epilogue fusion): a quantized graph keeps its annotated values.
bool fold_gemm_affine(Graph& graph);

// A constant-mode zero Pad of spatial dims only, feeding only Convs (as their X), merged into
// each Conv's pads (an auto_pad Conv is first resolved to explicit pads; that needs the
// padded spatial shape to be known).
bool fold_pad_into_conv(Graph& graph);

// Conv → Add(same-shape other) → [Relu | Clip] and Conv → Relu / Clip(constant bounds)
// become the fused Conv form above. When both Add operands are Convs, the deeper one (the
// main path of a residual block) takes the other as its residual. In quantized graphs a Relu
// or Clip after a fused Relu / Clip, through a value on the second one's grid, composes into
// one clamp (a QDQ file's Conv → restored Relu → Clip).
bool fuse_conv_epilogue(Graph& graph);

// Conv → Sigmoid / HardSigmoid / HardSwish, and Conv x → Mul(x, Sigmoid(x)) (SiLU) or
// Mul(x, HardSigmoid(x) with alpha 1/6, beta 0.5) (HardSwish), into the Conv's epilogue;
// Gemm → Relu into the Gemm's.
// FP32 only: the int8 conv epilogue is a clamp (quantization runs fuse_conv_epilogue alone).
bool fuse_conv_activation(Graph& graph);

// AveragePool whose single window covers the whole (known) spatial map without padding
// → GlobalAveragePool. (octet has no GlobalMaxPool op, so MaxPool is left alone.)
bool pool_to_global(Graph& graph);

// Split with part sizes known now → one Slice per output (graph/passes/split_to_slices.cpp).
bool split_to_slices(Graph& graph);

// MatMul(2-D activation, 2-D constant [K,N]) → Add(constant of shape [N], [1,N], [1] or
// scalar) → Gemm(A, B, C).
bool matmul_add_to_gemm(Graph& graph);

// Runs the passes above, in an order where each exposes work for the next, until none
// changes the graph; then removes dead nodes and re-sorts topologically. Expects a graph
// that has been through prepare_graph(). Without `fuse_epilogues`, Conv, Add and Relu stay
// separate nodes: the layout of a QDQ model, which quantization annotates (quant/).
void optimize_graph(Graph& graph, bool fuse_epilogues = true);

// Helpers the passes share (optimize.cpp). Not meant for use outside graph/passes.
namespace opt {

// Per value id: how many node input slots read it, plus one if it is a graph output.
std::vector<int> use_counts(const Graph& graph);
bool is_graph_output(const Graph& graph, int value);
// The value's constant when it is a float32 constant, else nullptr.
const Tensor* float_constant(const Graph& graph, int value);
// Makes `node.inputs[slot]` hold `t`: overwrites the constant in place when nothing else uses
// the current value (so the old weights do not linger), else adds a new constant value.
void set_constant_input(Graph& graph, Node& node, size_t slot, Tensor t, const std::vector<int>& uses);
// Removes the nodes whose `drop` flag is set, keeping the order of the rest.
void erase_nodes(Graph& graph, const std::vector<bool>& drop);

}  // namespace opt

}  // namespace octet
