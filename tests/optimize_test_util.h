// Shared by the tests of the FP32 optimisation passes (tests/test_optimize_*.cpp): a small
// graph builder, random inputs, and the check that a pass leaves the outputs unchanged.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "engine/executor.h"
#include "engine/prepare.h"
#include "graph/ir.h"

namespace octet::opt_test {

inline Attribute ints(std::vector<int64_t> v) {
  Attribute a;
  a.kind = Attribute::Kind::Ints;
  a.ints = std::move(v);
  return a;
}
inline Attribute integer(int64_t v) {
  Attribute a;
  a.kind = Attribute::Kind::Int;
  a.i = v;
  return a;
}
inline Attribute flt(float v) {
  Attribute a;
  a.kind = Attribute::Kind::Float;
  a.f = v;
  return a;
}
inline Attribute str(std::string v) {
  Attribute a;
  a.kind = Attribute::Kind::String;
  a.s = std::move(v);
  return a;
}

// Uniform values in [lo, hi), from a fixed seed so that failures reproduce.
inline Tensor random_tensor(std::vector<int64_t> dims, uint32_t seed, float lo = -1.f, float hi = 1.f) {
  Tensor t(DType::Float32, std::move(dims));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  float* p = t.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = dist(rng);
  return t;
}
inline Tensor i64(std::vector<int64_t> v) {
  const int64_t n = static_cast<int64_t>(v.size());
  return Tensor::from<int64_t>({n}, std::span<const int64_t>(v));
}
inline Tensor scalar(float v) { return Tensor::from<float>({}, {v}); }

struct Builder {
  Graph g;
  explicit Builder(int opset = 13) { g.opset = opset; }

  // dims: -1 is the symbolic batch "N" (or `symbol`).
  int input(const std::string& name, const std::vector<int64_t>& dims, const std::string& symbol = "N") {
    Shape s;
    s.has_rank = true;
    for (int64_t d : dims) s.dims.push_back(d < 0 ? Dim::named(symbol) : Dim::known(d));
    const int id = g.add_value(Value{name, DType::Float32, s, std::nullopt, std::nullopt});
    g.inputs.push_back(id);
    return id;
  }
  int constant(const std::string& name, Tensor t) {
    Value v;
    v.name = name;
    v.dtype = t.dtype;
    v.shape = Shape::of(t.dims);
    v.constant = std::move(t);
    return g.add_value(std::move(v));
  }
  int node(OpKind op, const std::string& name, std::vector<int> inputs, std::map<std::string, Attribute> attrs = {}) {
    Node n;
    n.op = op;
    n.name = name;
    n.inputs = std::move(inputs);
    n.attrs = std::move(attrs);
    n.outputs.push_back(g.add_value(Value{name + "_out", DType::Undefined, Shape{}, std::nullopt, std::nullopt}));
    g.nodes.push_back(std::move(n));
    return g.nodes.back().outputs[0];
  }
  // A Conv with random weight [m, c, k, k] (and bias unless `bias` is false).
  int conv(const std::string& name, int x, int64_t m, int64_t c, int64_t k, uint32_t seed,
           std::map<std::string, Attribute> attrs = {}, bool bias = true) {
    std::vector<int> in{x, constant(name + ".W", random_tensor({m, c, k, k}, seed))};
    if (bias) in.push_back(constant(name + ".B", random_tensor({m}, seed + 1)));
    return node(OpKind::Conv, name, std::move(in), std::move(attrs));
  }
  void output(int id) { g.outputs.push_back(id); }
  // Sorted, folded, shapes inferred: what optimize_graph expects.
  Graph prepared() {
    prepare_graph(g);
    return g;
  }
};

inline std::vector<OpKind> ops_of(const Graph& g) {
  std::vector<OpKind> ops;
  for (const Node& n : g.nodes) ops.push_back(n.op);
  return ops;
}
inline int count_op(const Graph& g, OpKind op) {
  const std::vector<OpKind> ops = ops_of(g);
  return static_cast<int>(std::count(ops.begin(), ops.end(), op));
}
inline const Node& only_node(const Graph& g, OpKind op) {
  for (const Node& n : g.nodes)
    if (n.op == op) return n;
  throw Error("no node of that kind");
}

// Runs both graphs on `inputs` and expects every output element to agree within
// 1e-5 relative (to max(1, |expected|)). Returns the largest difference seen.
inline double expect_same_outputs(const Graph& before, const Graph& after, const std::vector<Tensor>& inputs,
                                  double tol = 1e-5) {
  const std::vector<Tensor> want = ReferenceExecutor(before).run(inputs);
  const std::vector<Tensor> got = ReferenceExecutor(after).run(inputs);
  EXPECT_EQ(want.size(), got.size());
  double worst = 0;
  for (size_t o = 0; o < std::min(want.size(), got.size()); ++o) {
    EXPECT_EQ(want[o].dims, got[o].dims) << "output " << o;
    if (want[o].dims != got[o].dims) continue;
    const float* w = want[o].data<float>();
    const float* g = got[o].data<float>();
    int bad = 0;
    for (int64_t i = 0; i < want[o].numel(); ++i) {
      const double d = std::fabs(double(w[i]) - double(g[i]));
      worst = std::max(worst, d);
      if (!(d <= tol * std::max(1.0, std::fabs(double(w[i])))) && ++bad <= 5)
        ADD_FAILURE() << "output " << o << " element " << i << ": want " << w[i] << ", got " << g[i];
    }
  }
  return worst;
}

}  // namespace octet::opt_test
