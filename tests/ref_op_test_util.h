// Helpers for the reference-op tests: hand-built nodes and attributes, running an op on
// tensors, and checking that an error names the node, the op and the problem.
#pragma once
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/reference/ops.h"

namespace octet::testing {

using EvalFn = ref::Outputs (*)(const Graph&, const Node&, ref::Inputs);

inline Graph graph_at(int opset) {
  Graph g;
  g.opset = opset;
  return g;
}

inline Node make_node(OpKind op, const std::string& name) {
  Node n;
  n.op = op;
  n.name = name;
  n.outputs = {0};
  return n;
}

inline Attribute int_attr(int64_t v) {
  Attribute a;
  a.kind = Attribute::Kind::Int;
  a.i = v;
  return a;
}
inline Attribute ints_attr(std::vector<int64_t> v) {
  Attribute a;
  a.kind = Attribute::Kind::Ints;
  a.ints = std::move(v);
  return a;
}
inline Attribute float_attr(float v) {
  Attribute a;
  a.kind = Attribute::Kind::Float;
  a.f = v;
  return a;
}
inline Attribute floats_attr(std::vector<float> v) {
  Attribute a;
  a.kind = Attribute::Kind::Floats;
  a.floats = std::move(v);
  return a;
}
inline Attribute string_attr(std::string v) {
  Attribute a;
  a.kind = Attribute::Kind::String;
  a.s = std::move(v);
  return a;
}
inline Attribute tensor_attr(Tensor t) {
  Attribute a;
  a.kind = Attribute::Kind::Tensor;
  a.t = std::move(t);
  return a;
}

inline ref::Outputs run(EvalFn fn, const Graph& g, const Node& n, std::vector<const Tensor*> in) {
  return fn(g, n, ref::Inputs(in.data(), in.size()));
}

template <typename T>
std::vector<T> values(const Tensor& t) {
  auto s = t.values<T>();
  return {s.begin(), s.end()};
}

template <typename T>
Tensor vec(std::vector<T> v) {
  return Tensor::from<T>({static_cast<int64_t>(v.size())}, std::span<const T>(v));
}

// Expects octet::Error whose message names the node and op and contains `fragment`.
inline void expect_error(EvalFn fn, const Graph& g, const Node& n, std::vector<const Tensor*> in,
                         const std::string& fragment) {
  try {
    run(fn, g, n, in);
    ADD_FAILURE() << "expected an error containing '" << fragment << "'";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("node '" + n.name + "' (" + std::string(op_name(n.op))), std::string::npos) << msg;
    EXPECT_NE(msg.find(fragment), std::string::npos) << msg;
  }
}

}  // namespace octet::testing
