// The axes of ReduceMean and ReduceMax, decoded once for shape inference, the reference
// executor and the compiler, so that all three agree on ONNX's rules: the axes are an
// attribute up to opset 17 and an optional input from opset 18; no axes means all of them,
// unless noop_with_empty_axes (opset 18) makes the op an identity; keepdims (default 1) keeps
// each reduced axis as a 1.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "graph/ir.h"

namespace octet {

struct ReduceAxes {
  std::vector<bool> reduced;   // per input axis
  bool keepdims = true;
  bool identity = false;       // noop_with_empty_axes with no axes: output = input

  // The output dims of an input of `dims` (any element type that copies, Dim or int64_t).
  template <typename D>
  std::vector<D> output_dims(const std::vector<D>& dims, const D& one) const {
    if (identity) return dims;
    std::vector<D> out;
    for (size_t i = 0; i < dims.size(); ++i) {
      if (!reduced[i]) out.push_back(dims[i]);
      else if (keepdims) out.push_back(one);
    }
    return out;
  }
};

// The node's axes for an input of `rank`. `axes_input` is the value of input 1 at opset 18
// (nullptr when the input is omitted); `axes_input_known` is false when that input is given
// but not constant, and then the result is nullopt. Throws octet::Error naming the node on an
// axis out of range or listed twice.
std::optional<ReduceAxes> reduce_axes(const Graph& g, const Node& n, int64_t rank, const Tensor* axes_input,
                                      bool axes_input_known = true);

}  // namespace octet
