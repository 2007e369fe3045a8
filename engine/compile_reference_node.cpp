// The optimised runtime's fallback for any float node without a kernel of its own: a
// ReferenceNodeStep (engine/runtime/steps/reference_node.h) whose HostedNode holds a copy of
// the node (a one-node graph with its constant inputs) and runs it on the reference executor,
// one image at a time, in row-major order. At most two inputs may be activations (the step's
// two buffers); the others must be constants, and the output float32.
#include <algorithm>
#include <cctype>
#include <cstring>

#include "engine/compiler.h"
#include "engine/reference/evaluate.h"

namespace octet::detail {

namespace {

class ReferenceNode final : public HostedNode {
 public:
  // One entry per node input: -1 for an omitted input, 0 or 1 for the step's activation
  // inputs, else a constant already in graph_.
  ReferenceNode(Graph graph, std::vector<int> source, std::vector<std::vector<int64_t>> activation_dims,
                std::vector<int64_t> output_dims)
      : graph_(std::move(graph)), source_(std::move(source)), activation_dims_(std::move(activation_dims)),
        output_dims_(std::move(output_dims)) {}

  void run(const float* input, const float* input2, float* output) const override {
    const Node& n = graph_.nodes[0];
    std::vector<Tensor> activations;
    activations.reserve(activation_dims_.size());
    for (size_t a = 0; a < activation_dims_.size(); ++a) {
      Tensor t(DType::Float32, activation_dims_[a]);
      std::memcpy(t.bytes.data(), a == 0 ? input : input2, t.bytes.size());
      activations.push_back(std::move(t));
    }
    std::vector<const Tensor*> inputs;
    for (size_t i = 0; i < source_.size(); ++i) {
      if (source_[i] < 0) inputs.push_back(nullptr);
      else if (source_[i] < 2) inputs.push_back(&activations[static_cast<size_t>(source_[i])]);
      else inputs.push_back(&*graph_.value(n.inputs[i]).constant);
    }
    const std::vector<Tensor> out = evaluate_node(graph_, n, inputs);
    if (out.empty() || out[0].dtype != DType::Float32 || out[0].dims != output_dims_)
      throw Error(graph_.describe(n) + ": the reference executor's output " +
                  (out.empty() ? std::string("is missing") : dims_to_string(out[0].dims)) +
                  " is not the float32 " + dims_to_string(output_dims_) + " the plan expects");
    std::memcpy(output, out[0].bytes.data(), out[0].bytes.size());
  }
  int64_t input_elements(int i) const override {
    return static_cast<size_t>(i) < activation_dims_.size() ? checked_numel(activation_dims_[static_cast<size_t>(i)]) : 0;
  }
  int64_t output_elements() const override { return checked_numel(output_dims_); }
  std::string describe() const override {
    std::string s = std::string(op_name(graph_.nodes[0].op)) + " ";
    for (size_t a = 0; a < activation_dims_.size(); ++a) s += (a ? ", " : "") + dims_to_string(activation_dims_[a]);
    return s + " -> " + dims_to_string(output_dims_);
  }

 private:
  Graph graph_;
  std::vector<int> source_;
  std::vector<std::vector<int64_t>> activation_dims_;   // per image, batch 1
  std::vector<int64_t> output_dims_;
};

std::string lower_snake(std::string_view onnx) {
  std::string s;
  for (size_t i = 0; i < onnx.size(); ++i) {
    const char c = onnx[i];
    if (std::isupper(static_cast<unsigned char>(c)) && i > 0 && std::islower(static_cast<unsigned char>(onnx[i - 1])))
      s += '_';
    s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return s;
}

}  // namespace

void Compiler::compile_reference_node(const Node& n) {
  for (size_t o = 1; o < n.outputs.size(); ++o)
    if (n.outputs[o] != kNoValue) fail(n, "a second output is not supported by the reference fallback");
  const Value& out_value = g_.value(n.outputs.at(0));
  if (out_value.dtype != DType::Float32)
    fail(n, "output element type " + dtype_name(out_value.dtype) + " (the plan holds float32 activations)");
  // A one-node graph: the node's values (constants with their tensors), ids 0.. in input order.
  Graph one;
  one.name = g_.name;
  one.opset = g_.opset;
  Node copy = n;
  std::vector<int> source;
  std::vector<Slot> activations;
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    if (!n.has_input(i)) {
      source.push_back(-1);
      continue;
    }
    const Value& v = g_.value(n.inputs[i]);
    copy.inputs[i] = one.add_value(v);
    if (v.constant) {
      source.push_back(2);
      continue;
    }
    if (activations.size() == 2) fail(n, "more than two activation inputs are not supported by the reference fallback");
    if (v.dtype != DType::Float32) fail(n, "input '" + v.name + "' is not float32");
    source.push_back(static_cast<int>(activations.size()));
    activations.push_back(plain(n.inputs[i], v.name));
  }
  if (activations.empty())
    fail(n, "has no activation input (constant folding leaves a node of constants alone when its output is too big)");
  // The step runs image by image, so the node must keep the batch as its first dim.
  const Shape& first = g_.value(n.inputs[static_cast<size_t>(std::find(source.begin(), source.end(), 0) - source.begin())]).shape;
  if (!out_value.shape.has_rank || out_value.shape.dims.empty() || !first.has_rank || first.dims.empty() ||
      !(out_value.shape.dims[0] == first.dims[0]) || (!first.dims[0].is_known() && first.dims[0].symbol.empty()))
    fail(n, "the output " + out_value.shape.to_string() + " does not keep the batch of input " + first.to_string() +
                " (the reference fallback runs image by image)");
  Value out_copy = out_value;
  out_copy.constant.reset();
  copy.outputs = {one.add_value(std::move(out_copy))};
  one.nodes.push_back(std::move(copy));

  auto with_one = [](const std::vector<int64_t>& d) {
    std::vector<int64_t> r{1};
    r.insert(r.end(), d.begin(), d.end());
    return r;
  };
  std::vector<std::vector<int64_t>> dims;
  for (const Slot& s : activations) dims.push_back(with_one(s.dims));
  const std::vector<int64_t> out_dims = per_image_dims(out_value, "output");
  ReferenceNodeStep p;
  p.kernel = "reference_" + lower_snake(op_name(n.op));
  p.node = std::make_shared<ReferenceNode>(std::move(one), std::move(source), std::move(dims), with_one(out_dims));
  add_output_step(n, Step::of(n.name, std::move(p), activations[0].buffer, activations.size() > 1 ? activations[1].buffer : -1),
                  Layout::Plain, out_dims);
}

}  // namespace octet::detail
