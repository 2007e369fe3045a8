// One function per ONNX operator, each in the file of its family (ops_conv.cpp, ops_pool.cpp,
// ops_elementwise.cpp, ops_linear.cpp, ops_shape.cpp, ...). Each validates its inputs and
// attributes, throwing octet::Error prefixed with graph.describe(node), computes output
// shapes, and calls the scalar kernels in kernels/reference for the arithmetic.
// `in[i]` is nullptr for an omitted optional input; evaluate_node() has already checked
// that the number of inputs is within the operator's range.
#pragma once
#include <span>
#include <vector>

#include "graph/ir.h"

namespace octet::ref {

using Inputs = std::span<const Tensor* const>;
using Outputs = std::vector<Tensor>;

#define OCTET_DECLARE_REF_OP(e, name, lo, hi) Outputs eval_##e(const Graph& g, const Node& n, Inputs in);
OCTET_OPS(OCTET_DECLARE_REF_OP)
#undef OCTET_DECLARE_REF_OP

}  // namespace octet::ref
