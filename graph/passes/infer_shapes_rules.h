// Internal to shape inference (graph/shape_inference.cpp and graph/passes/infer_shapes_*.cpp):
// the per-operator rules and the small helpers they share. Not part of octet's API.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "graph/ir.h"

namespace octet::shape_rules {

// What a rule infers for one node output.
struct Inferred {
  DType dtype = DType::Undefined;
  Shape shape;   // has_rank=false: nothing known
};
using Outputs = std::vector<Inferred>;

// A rule's view of the node it is inferring: its inputs' current dtype/shape/constant.
struct NodeView {
  const Graph& g;
  const Node& n;

  const Value* in(size_t i) const {
    return n.has_input(i) ? &g.value(n.inputs[i]) : nullptr;
  }
  // Unknown shape for an omitted input.
  const Shape& shape(size_t i) const;
  DType dtype(size_t i) const { return in(i) ? in(i)->dtype : DType::Undefined; }
  const Tensor* constant(size_t i) const {
    const Value* v = in(i);
    return v && v->constant ? &*v->constant : nullptr;
  }
  // The integer elements of a constant input; nullopt when the input is omitted or not constant.
  std::optional<std::vector<int64_t>> const_ints(size_t i) const;
  [[noreturn]] void fail(const std::string& msg) const;
};

inline Shape unknown_shape() { return Shape{}; }
inline Shape ranked(std::vector<Dim> dims) { return Shape{true, std::move(dims)}; }
// Rank known, every dim unknown.
inline Shape rank_only(size_t rank) { return ranked(std::vector<Dim>(rank)); }
inline Inferred same_as_input(const NodeView& v, size_t i) { return {v.dtype(i), v.shape(i)}; }

// Numpy broadcasting of two shapes; throws (naming both shapes) when two known dims differ
// and neither is 1.
Shape broadcast(const NodeView& v, const Shape& a, const Shape& b);
// Product of dims: known when all are known (saturating at INT64_MAX); a symbol when exactly
// one is symbolic and the known rest multiply to 1; unknown otherwise.
Dim product(const std::vector<Dim>& dims);
// Maps a possibly negative axis into [0, rank) (or [0, rank] with inclusive_end); throws.
int64_t normalize_axis(const NodeView& v, int64_t axis, int64_t rank, const char* what,
                       bool inclusive_end = false);

// Elementwise, activations and other shape-preserving ops (shape_inference.cpp).
Outputs infer_binary(const NodeView& v);
Outputs infer_unary(const NodeView& v);   // Relu, Clip, Identity
Outputs infer_Dropout(const NodeView& v);
Outputs infer_Softmax(const NodeView& v);
Outputs infer_Cast(const NodeView& v);

// Convolution, pooling, normalisation, linear algebra (infer_shapes_nn.cpp).
Outputs infer_Conv(const NodeView& v);
Outputs infer_Pool(const NodeView& v);    // AveragePool, MaxPool
Outputs infer_GlobalAveragePool(const NodeView& v);   // GlobalMaxPool too
Outputs infer_Reduce(const NodeView& v);              // ReduceMean, ReduceMax
Outputs infer_BatchNormalization(const NodeView& v);
Outputs infer_MatMul(const NodeView& v);
Outputs infer_Gemm(const NodeView& v);

// Quantization operators (infer_shapes_quant.cpp).
Outputs infer_QuantizeLinear(const NodeView& v);
Outputs infer_DequantizeLinear(const NodeView& v);
Outputs infer_QLinearConv(const NodeView& v);
Outputs infer_QLinearMatMul(const NodeView& v);

// Layout and shape-computation ops (infer_shapes_layout.cpp, infer_shapes_shape.cpp).
Outputs infer_Transpose(const NodeView& v);
Outputs infer_Reshape(const NodeView& v);
Outputs infer_Flatten(const NodeView& v);
Outputs infer_Squeeze(const NodeView& v);
Outputs infer_Unsqueeze(const NodeView& v);
Outputs infer_Concat(const NodeView& v);
Outputs infer_Slice(const NodeView& v);
Outputs infer_Split(const NodeView& v);
Outputs infer_Gather(const NodeView& v);
Outputs infer_Pad(const NodeView& v);
Outputs infer_Constant(const NodeView& v);
Outputs infer_ConstantOfShape(const NodeView& v);
Outputs infer_Shape(const NodeView& v);

// The [start, end) range of dims a Shape node reports (opset 15 start/end attributes),
// shared with constant folding so that both agree.
std::pair<int64_t, int64_t> shape_op_range(const Node& n, int64_t rank);

}  // namespace octet::shape_rules
