// Constant folding: nodes computable at import time become constant values. This removes the
// shape-computation subgraphs exporters emit (e.g. torch.onnx's Constant → ConstantOfShape →
// Concat → Reshape → Slice → Transpose → Reshape → Cast chain feeding each Pad's `pads`), so
// that the ops left behind see constant pads/shapes and the executor never runs them.
#include <algorithm>
#include <string>

#include "graph/passes/infer_shapes_rules.h"
#include "graph/passes/passes.h"
#include "graph/passes/shape_values.h"

namespace octet {

namespace {

// Folding stores its result in the graph for the model's lifetime, while running the node
// would only hold it transiently. So a fold must not blow the model up: an output above
// kFoldLimit elements is folded only when it is no bigger than the constants it replaces
// (e.g. a Transpose or Mul of a large weight), never when it is conjured from a few numbers
// (e.g. ConstantOfShape([4096,4096]) would add 64 MB of zeros).
constexpr int64_t kFoldLimit = int64_t{1} << 20;

// Elements of a shape, or -1 when not fully known (or absurd).
int64_t known_numel(const Shape& s) {
  if (!s.fully_known()) return -1;
  try {
    return checked_numel(s.known_dims());
  } catch (const Error&) {
    return -1;
  }
}

bool output_too_big(const Graph& graph, const Node& node, int64_t input_elements) {
  if (node.op == OpKind::Constant) return false;   // its tensor is in the graph already
  const int64_t allowed = std::max(kFoldLimit, input_elements);
  // ConstantOfShape's size is in its input's values, whatever shape inference has recorded.
  if (node.op == OpKind::ConstantOfShape && node.has_input(0)) {
    int64_t n = 1;
    for (int64_t d : graph.value(node.inputs[0]).constant->as_int64()) {
      if (d < 0) return false;   // invalid: let the evaluator report it
      if (d != 0 && n > allowed / d) return true;
      n *= d;
    }
    return n > allowed;
  }
  for (int out : node.outputs) {
    if (out == kNoValue) continue;
    if (known_numel(graph.value(out).shape) > allowed) return true;
  }
  return false;
}

void set_constant(Value& v, Tensor t) {
  v.dtype = t.dtype;
  v.shape = Shape::of(t.dims);
  v.constant = std::move(t);
}

// A Shape node over a statically known shape: the int64 dims, without evaluating anything.
bool fold_shape(Graph& graph, const Node& node) {
  if (!node.has_input(0) || node.outputs.empty() || node.outputs[0] == kNoValue) return false;
  const Value& in = graph.value(node.inputs[0]);
  const Shape shape = in.constant ? Shape::of(in.constant->dims) : in.shape;
  if (!shape.fully_known()) return false;
  const std::vector<int64_t> dims = shape.known_dims();
  const auto [start, end] = shape_rules::shape_op_range(node, static_cast<int64_t>(dims.size()));
  std::vector<int64_t> picked(dims.begin() + start, dims.begin() + end);
  const int64_t n = static_cast<int64_t>(picked.size());
  set_constant(graph.value(node.outputs[0]), Tensor::from<int64_t>({n}, picked));
  return true;
}

bool inputs_constant(const Graph& graph, const Node& node, int64_t* elements) {
  *elements = 0;
  for (int in : node.inputs) {
    if (in == kNoValue) continue;
    const Value& v = graph.value(in);
    if (!v.constant) return false;
    *elements += v.constant->numel();
  }
  return true;
}

}  // namespace

// A Reshape whose target is a tracked shape value with the batch's symbol gets a constant
// target (0 where the batch is: shape_values.h). Returns true if it changed.
bool make_reshape_target_constant(Graph& graph, Node& node, const ShapeValues& shapes) {
  if (node.op != OpKind::Reshape || !node.has_input(1) || graph.value(node.inputs[1]).constant) return false;
  const std::optional<std::vector<int64_t>> target = shapes.reshape_target(graph, node);
  if (!target) return false;
  Value v;
  v.name = graph.value(node.inputs[1]).name + ":batch_kept";
  set_constant(v, Tensor::from<int64_t>({static_cast<int64_t>(target->size())}, std::span<const int64_t>(*target)));
  node.inputs[1] = graph.add_value(std::move(v));
  return true;
}

bool fold_constants(Graph& graph, const NodeEvaluator& evaluate) {
  std::vector<bool> keep(graph.nodes.size(), true);
  ShapeValues shapes;
  bool rewired = false;
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    Node& node = graph.nodes[n];
    if (node.op == OpKind::Shape && fold_shape(graph, node)) {
      keep[n] = false;
      continue;
    }
    rewired |= make_reshape_target_constant(graph, node, shapes);
    int64_t elements = 0;
    if (!inputs_constant(graph, node, &elements)) {
      // Shape arithmetic around a symbolic batch: fold what is known element by element.
      const std::optional<ShapeValue> partial = shapes.derive(graph, node);
      if (partial && partial->fully_known()) {
        set_constant(graph.value(node.outputs[0]), partial->to_tensor());
        keep[n] = false;
      }
      continue;
    }
    if (output_too_big(graph, node, elements)) continue;
    std::vector<const Tensor*> inputs;
    for (int in : node.inputs) inputs.push_back(in == kNoValue ? nullptr : &*graph.value(in).constant);
    // An evaluation error is the same error running the node would raise: report it now.
    std::vector<Tensor> results = evaluate(graph, node, inputs);
    for (size_t i = 0; i < node.outputs.size(); ++i) {
      if (node.outputs[i] == kNoValue) continue;
      if (i >= results.size())
        throw Error(graph.describe(node) + ": evaluation gave " + std::to_string(results.size()) +
                    " outputs, the node has " + std::to_string(node.outputs.size()));
      set_constant(graph.value(node.outputs[i]), std::move(results[i]));
    }
    keep[n] = false;
  }
  std::vector<Node> kept;
  for (size_t n = 0; n < graph.nodes.size(); ++n)
    if (keep[n]) kept.push_back(std::move(graph.nodes[n]));
  const bool changed = rewired || kept.size() != graph.nodes.size();
  graph.nodes = std::move(kept);
  return changed;
}

}  // namespace octet
