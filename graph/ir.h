// octet's graph IR: plain structs, in the spirit of ncnn. Values are referred to by index
// into Graph::values; nodes by index into Graph::nodes. No protobuf type appears here.
#pragma once
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "graph/dtype.h"
#include "graph/ops.h"
#include "graph/tensor.h"

namespace octet {

// One dimension of a static shape: a known size, or a named symbol such as the batch "N".
struct Dim {
  int64_t value = -1;   // >= 0 when known
  std::string symbol;   // set when the size is symbolic; empty + value<0 = unknown

  static Dim known(int64_t v) { return Dim{v, {}}; }
  static Dim named(std::string s) { return Dim{-1, std::move(s)}; }
  bool is_known() const { return value >= 0; }
  bool operator==(const Dim&) const = default;
};

struct Shape {
  bool has_rank = false;   // false: nothing is known about the shape
  std::vector<Dim> dims;

  static Shape of(const std::vector<int64_t>& known_dims);
  bool fully_known() const;
  // Known sizes; throws octet::Error when a dim is symbolic or unknown.
  std::vector<int64_t> known_dims() const;
  std::string to_string() const;   // "[N,32,32,3]", "?" when rank is unknown
  bool operator==(const Shape&) const = default;
};

// How a quantized graph stores a value: real = scale * (q - zero_point), q of `dtype`
// (Uint8 or Int8 for activations and weights, Int32 for biases). See docs/quantization.md.
struct QuantParams {
  DType dtype = DType::Uint8;
  float scale = 1.f;
  int32_t zero_point = 0;
  // Per-channel weights and biases (--per-channel): one scale per index of dimension `axis`
  // of the constant (a Conv weight's output channels, axis 0; a Gemm's output axis), every
  // channel with `zero_point`. Empty: per tensor. `scale` is then the largest channel scale.
  std::vector<float> channel_scales;
  int32_t axis = 0;
  bool per_channel() const { return !channel_scales.empty(); }
  bool operator==(const QuantParams&) const = default;
};

struct Value {
  std::string name;
  DType dtype = DType::Undefined;
  Shape shape;
  std::optional<Tensor> constant;   // initializers and folded constants
  // Set on quantized graphs (quant/): the value is carried quantized with these parameters.
  // The value itself (dtype, constant) stays float, so every float pass and the reference
  // executor still see the model's real numbers.
  std::optional<QuantParams> quant;
};

struct Attribute {
  enum class Kind { Int, Float, String, Tensor, Ints, Floats, Strings };
  Kind kind = Kind::Int;
  int64_t i = 0;
  float f = 0.f;
  std::string s;
  std::optional<octet::Tensor> t;
  std::vector<int64_t> ints;
  std::vector<float> floats;
  std::vector<std::string> strings;
};

inline constexpr int kNoValue = -1;   // an optional input given as an empty name

// What a Conv computes after its bias: octet's fused form, which ONNX has no operator for.
//   y = activation(conv(x, W) + b + residual)
// A Gemm's is Relu alone: y = relu(alpha * A B + beta * C).
// Written only by fuse_conv_epilogue and fuse_conv_activation (the Gemm's; graph/passes/optimize.h); read
// by the compiler, the reference executor and the printer. The default is "nothing fused".
struct Epilogue {
  // The last step. Activations that take parameters keep them in `alpha` and `beta`
  // (HardSigmoid: clamp(alpha * x + beta, 0, 1)); the others take none. SiLU is
  // x * Sigmoid(x) and HardSwish x * HardSigmoid(x) with alpha 1/6, beta 0.5, the forms
  // exporters write as a Mul (graph/passes/fuse_conv_activation.cpp matches them).
  enum class Activation : uint8_t { None, Relu, Clip, Sigmoid, HardSigmoid, HardSwish, SiLU };
  Activation activation = Activation::None;
  // Clip's bounds in real units, y = min(max(v, min), max); the only bounds any reader uses
  // (no reader has a default of its own). Infinite for a bound the Clip omits.
  float min = -std::numeric_limits<float>::infinity();
  float max = std::numeric_limits<float>::infinity();
  float alpha = 0.f, beta = 0.f;
  // The node's 4th input (a tensor of the output's shape) is added after the bias.
  bool residual = false;
  // Quantized graphs only, with `residual`: the parameters of the Conv's own output, which
  // the QDQ layout rounds to before the residual Add; the int8 epilogue rounds the same way.
  std::optional<QuantParams> conv_output;
  // With `residual`: the residual was the Add's first input (the conv's output its second).
  // Float addition commutes, but ONNX Runtime's int8 Add does not (kernels/int8/requant.h,
  // qadd_float adds the second operand first), so the int8 epilogue keeps the order.
  bool residual_first = false;

  bool fused() const { return activation != Activation::None || residual; }
  bool operator==(const Epilogue&) const = default;
};

// "None", "Relu", "Clip", "Sigmoid", "HardSigmoid", "HardSwish", "SiLU"; "unknown activation
// N" for a value outside the enum.
std::string activation_name(Epilogue::Activation a);

struct Node {
  OpKind op{};
  std::string name;                 // the ONNX node name, for messages
  std::vector<int> inputs;          // value ids; kNoValue for an omitted optional input
  std::vector<int> outputs;         // value ids
  std::map<std::string, Attribute> attrs;
  Epilogue epilogue;                // Conv and Gemm only; see Epilogue

  bool has_attr(const std::string& key) const { return attrs.count(key) != 0; }
  int64_t attr_int(const std::string& key, int64_t fallback) const;
  float attr_float(const std::string& key, float fallback) const;
  std::string attr_string(const std::string& key, const std::string& fallback) const;
  std::vector<int64_t> attr_ints(const std::string& key, std::vector<int64_t> fallback = {}) const;
  std::vector<float> attr_floats(const std::string& key, std::vector<float> fallback = {}) const;
  // The number of inputs actually given (trailing omitted ones not counted).
  int input_count() const;
  bool has_input(size_t i) const { return i < inputs.size() && inputs[i] != kNoValue; }
};

// Empty when the node's epilogue is well-formed, else what is wrong with it: an epilogue on
// a node other than a Conv or a Gemm, a Gemm's other than Relu, a residual flag without a 4th input (or a 4th input without the
// flag), an activation outside the enum, Clip bounds that are NaN or not ordered, parameters
// the activation does not take, or conv output parameters without a residual.
std::string epilogue_problem(const Node& node);

struct Graph {
  std::string name;
  int opset = 0;                    // default-domain opset version
  std::string producer;             // e.g. "tf2onnx 1.16.1"
  std::vector<Value> values;
  std::vector<Node> nodes;          // kept in a topological order by the importer and passes
  std::vector<int> inputs;          // value ids of run-time inputs (initializers excluded)
  std::vector<int> outputs;         // value ids

  int add_value(Value v);
  // Value id by name; kNoValue when absent.
  int find_value(const std::string& name) const;
  const Value& value(int id) const { return values.at(static_cast<size_t>(id)); }
  Value& value(int id) { return values.at(static_cast<size_t>(id)); }

  // "node 'conv1' (Conv, opset 15)": the prefix of every error about a node.
  std::string describe(const Node& node) const;
  // Orders nodes so that every producer precedes its consumers; throws on a cycle or
  // on an input that nothing produces.
  void sort_topologically();
  // Node index producing each value id (kNoValue for graph inputs and constants).
  std::vector<int> producers() const;
};

// Throws octet::Error "<graph.describe(node)>: <epilogue_problem(node)>" when the node's
// epilogue is malformed: what the reference executor and the compiler do before reading it.
void check_epilogue(const Graph& graph, const Node& node);

}  // namespace octet
