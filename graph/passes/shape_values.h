// Shape arithmetic with a dynamic batch, for constant folding (fold_constants.cpp). Exporters
// compute Reshape targets from Shape(x): torch.onnx writes Shape → Gather → (Div, Cast) →
// Unsqueeze → Concat for view(batch, groups, -1, h, w). When x's batch is a symbol ("N") the
// Shape cannot fold to a constant, but every element but the batch's is known. ShapeValues
// follows such 1-D int64 tensors element by element (each a Dim: known, or the symbol of the
// dim it came from) through the operators that only move elements, so that
//  - an element list that becomes fully known (Gather(Shape(x), 1): the channels) folds to a
//    constant, and the arithmetic after it (Div, Mul, Add) folds as usual;
//  - a Reshape whose target holds the batch's symbol where its input has it gets a constant
//    target with 0 there (ONNX: copy that dim from the input), so the batch stays symbolic
//    and the shape subgraph becomes dead.
#pragma once
#include <map>
#include <optional>
#include <vector>

#include "graph/ir.h"

namespace octet {

// A scalar or 1-D integer tensor known element by element.
struct ShapeValue {
  std::vector<Dim> elements;
  bool scalar = false;
  bool fully_known() const;
  Tensor to_tensor() const;   // int64; only when fully_known()
};

class ShapeValues {
 public:
  // The element list of n's first output when n is Shape, Gather (constant indices), Unsqueeze
  // (of a scalar, axes {0}), Squeeze (of one element), Concat (axis 0), Cast (to int64) or
  // Identity over tracked or constant integer inputs; remembered for n's readers.
  std::optional<ShapeValue> derive(const Graph& g, const Node& n);
  // A constant Reshape target for a tracked `shape` input of a Reshape of `input`: each
  // symbolic element that is the input's dim at the same position becomes 0 (allowzero must
  // be 0), one other unknown element becomes -1. nullopt when that does not make it constant.
  std::optional<std::vector<int64_t>> reshape_target(const Graph& g, const Node& reshape) const;

 private:
  std::optional<ShapeValue> tracked(const Graph& g, int value_id) const;
  std::map<int, ShapeValue> values_;
};

}  // namespace octet
