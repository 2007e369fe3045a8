#include "graph/ir.h"

#include <cmath>
#include <queue>

namespace octet {

Shape Shape::of(const std::vector<int64_t>& known_dims) {
  Shape s;
  s.has_rank = true;
  for (int64_t d : known_dims) s.dims.push_back(Dim::known(d));
  return s;
}

bool Shape::fully_known() const {
  if (!has_rank) return false;
  for (const Dim& d : dims)
    if (!d.is_known()) return false;
  return true;
}

std::vector<int64_t> Shape::known_dims() const {
  if (!fully_known()) throw Error("shape " + to_string() + " is not fully known");
  std::vector<int64_t> out;
  for (const Dim& d : dims) out.push_back(d.value);
  return out;
}

std::string Shape::to_string() const {
  if (!has_rank) return "?";
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) s += ",";
    const Dim& d = dims[i];
    s += d.is_known() ? std::to_string(d.value) : (d.symbol.empty() ? "?" : d.symbol);
  }
  return s + "]";
}

namespace {
const Attribute* find_attr(const Node& n, const std::string& key, Attribute::Kind kind) {
  auto it = n.attrs.find(key);
  if (it == n.attrs.end()) return nullptr;
  if (it->second.kind != kind)
    throw Error("node '" + n.name + "' (" + std::string(op_name(n.op)) + "): attribute '" + key +
                "' has the wrong type");
  return &it->second;
}
}  // namespace

std::string activation_name(Epilogue::Activation a) {
  switch (a) {
    case Epilogue::Activation::None: return "None";
    case Epilogue::Activation::Relu: return "Relu";
    case Epilogue::Activation::Clip: return "Clip";
    case Epilogue::Activation::Sigmoid: return "Sigmoid";
    case Epilogue::Activation::HardSigmoid: return "HardSigmoid";
    case Epilogue::Activation::HardSwish: return "HardSwish";
    case Epilogue::Activation::SiLU: return "SiLU";
  }
  return "unknown activation " + std::to_string(static_cast<int>(a));
}

std::string epilogue_problem(const Node& n) {
  const Epilogue& e = n.epilogue;
  using A = Epilogue::Activation;
  if (n.op == OpKind::Gemm && e != Epilogue{}) {
    // The Gemm kernels apply Relu to the output tile; nothing else is fused into a Gemm.
    Epilogue relu;
    relu.activation = A::Relu;
    return e == relu ? "" : "a Gemm's fused epilogue can only be Relu";
  }
  if (n.op != OpKind::Conv)
    return e == Epilogue{} ? "" : "a fused epilogue on a " + std::string(op_name(n.op)) + " (only Conv and Gemm have one)";
  if (e.residual != n.has_input(3))
    return e.residual ? "the fused epilogue adds a residual but the node has no 4th input"
                      : "a 4th input is octet's fused residual, but the epilogue adds none (ONNX's Conv takes 2 or 3)";
  if (static_cast<uint8_t>(e.activation) > static_cast<uint8_t>(A::SiLU)) return "fused " + activation_name(e.activation);
  if (e.activation == A::Clip && !(e.min <= e.max))   // also refuses NaN
    return "fused Clip bounds [" + std::to_string(e.min) + ", " + std::to_string(e.max) + "] are not ordered";
  const Epilogue defaults;
  if (e.activation != A::Clip && (e.min != defaults.min || e.max != defaults.max))
    return "fused " + activation_name(e.activation) + " takes no bounds";
  if (e.activation == A::HardSigmoid && !(std::isfinite(e.alpha) && std::isfinite(e.beta)))
    return "fused HardSigmoid's alpha and beta must be finite";
  if (e.activation != A::HardSigmoid && (e.alpha != defaults.alpha || e.beta != defaults.beta))
    return "fused " + activation_name(e.activation) + " takes no alpha or beta";
  if (e.conv_output && !e.residual) return "conv output parameters are fused without a residual";
  return {};
}

void check_epilogue(const Graph& graph, const Node& node) {
  if (const std::string problem = epilogue_problem(node); !problem.empty())
    throw Error(graph.describe(node) + ": " + problem);
}

int64_t Node::attr_int(const std::string& key, int64_t fallback) const {
  const Attribute* a = find_attr(*this, key, Attribute::Kind::Int);
  return a ? a->i : fallback;
}
float Node::attr_float(const std::string& key, float fallback) const {
  const Attribute* a = find_attr(*this, key, Attribute::Kind::Float);
  return a ? a->f : fallback;
}
std::string Node::attr_string(const std::string& key, const std::string& fallback) const {
  const Attribute* a = find_attr(*this, key, Attribute::Kind::String);
  return a ? a->s : fallback;
}
std::vector<int64_t> Node::attr_ints(const std::string& key, std::vector<int64_t> fallback) const {
  const Attribute* a = find_attr(*this, key, Attribute::Kind::Ints);
  return a ? a->ints : fallback;
}
std::vector<float> Node::attr_floats(const std::string& key, std::vector<float> fallback) const {
  const Attribute* a = find_attr(*this, key, Attribute::Kind::Floats);
  return a ? a->floats : fallback;
}

int Node::input_count() const {
  int n = static_cast<int>(inputs.size());
  while (n > 0 && inputs[static_cast<size_t>(n - 1)] == kNoValue) --n;
  return n;
}

int Graph::add_value(Value v) {
  values.push_back(std::move(v));
  return static_cast<int>(values.size()) - 1;
}

int Graph::find_value(const std::string& name) const {
  for (size_t i = 0; i < values.size(); ++i)
    if (values[i].name == name) return static_cast<int>(i);
  return kNoValue;
}

std::string Graph::describe(const Node& node) const {
  return "node '" + node.name + "' (" + std::string(op_name(node.op)) + ", opset " +
         std::to_string(opset) + ")";
}

std::vector<int> Graph::producers() const {
  std::vector<int> prod(values.size(), kNoValue);
  for (size_t n = 0; n < nodes.size(); ++n)
    for (int out : nodes[n].outputs) prod[static_cast<size_t>(out)] = static_cast<int>(n);
  return prod;
}

void Graph::sort_topologically() {
  std::vector<int> prod = producers();
  std::vector<bool> available(values.size(), false);
  for (int in : inputs) available[static_cast<size_t>(in)] = true;
  for (size_t v = 0; v < values.size(); ++v)
    if (values[v].constant) available[v] = true;

  // Kahn's algorithm; ties keep the original order so printed graphs stay familiar.
  std::vector<int> pending(nodes.size(), 0);
  std::vector<std::vector<int>> consumers(values.size());
  for (size_t n = 0; n < nodes.size(); ++n) {
    for (int in : nodes[n].inputs) {
      if (in == kNoValue || available[static_cast<size_t>(in)]) continue;
      if (prod[static_cast<size_t>(in)] == kNoValue)
        throw Error(describe(nodes[n]) + ": input '" + values[static_cast<size_t>(in)].name +
                    "' is neither a graph input, an initializer nor the output of a node");
      ++pending[n];
      consumers[static_cast<size_t>(in)].push_back(static_cast<int>(n));
    }
  }
  std::priority_queue<int, std::vector<int>, std::greater<>> ready;
  for (size_t n = 0; n < nodes.size(); ++n)
    if (pending[n] == 0) ready.push(static_cast<int>(n));
  std::vector<Node> sorted;
  sorted.reserve(nodes.size());
  while (!ready.empty()) {
    int n = ready.top();
    ready.pop();
    sorted.push_back(nodes[static_cast<size_t>(n)]);
    for (int out : nodes[static_cast<size_t>(n)].outputs)
      for (int c : consumers[static_cast<size_t>(out)])
        if (--pending[static_cast<size_t>(c)] == 0) ready.push(c);
  }
  if (sorted.size() != nodes.size()) {
    for (size_t n = 0; n < nodes.size(); ++n)
      if (pending[n] > 0) throw Error("graph has a cycle through " + describe(nodes[n]));
  }
  nodes = std::move(sorted);
}

}  // namespace octet
