// Helpers of tests/test_qdq.cpp: a graph builder with explicit value names, the fake-quant
// executor (what an annotated graph means), reference runs of ONNX bytes, and a strict
// comparison of two graphs.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "engine/executor.h"
#include "engine/pipeline/stages.h"
#include "engine/prepare.h"
#include "engine/runtime/session.h"
#include "engine/reference/evaluate.h"
#include "graph/onnx_import.h"
#include "kernels/dispatch/isa.h"
#include "graph/passes/passes.h"
#include "quant/qdq_import.h"
#include "quant/scheme.h"

namespace octet::qdq_test {

inline Attribute ints(std::vector<int64_t> v) {
  Attribute a;
  a.kind = Attribute::Kind::Ints;
  a.ints = std::move(v);
  return a;
}
inline Attribute integer(int64_t v) {
  Attribute a;
  a.i = v;
  return a;
}

inline QuantParams qp(DType t, float scale, int32_t zp) { return quant::per_tensor_params(t, scale, zp); }

struct Net {
  Graph g;
  explicit Net(int opset = 13) { g.opset = opset; }
  int input(const std::string& name, std::vector<int64_t> dims, std::optional<QuantParams> q = {}) {
    Value v;
    v.name = name;
    v.dtype = DType::Float32;
    v.shape.has_rank = true;
    for (int64_t d : dims) v.shape.dims.push_back(d < 0 ? Dim::named("N") : Dim::known(d));
    v.quant = q;
    g.inputs.push_back(g.add_value(std::move(v)));
    return g.inputs.back();
  }
  int constant(const std::string& name, Tensor t, std::optional<QuantParams> q = {}) {
    Value v;
    v.name = name;
    v.dtype = t.dtype;
    v.shape = Shape::of(t.dims);
    v.constant = std::move(t);
    v.quant = q;
    return g.add_value(std::move(v));
  }
  int node(OpKind op, const std::string& name, std::vector<int> in, const std::string& out,
           std::optional<QuantParams> q = {}, std::map<std::string, Attribute> attrs = {}) {
    Node n;
    n.op = op;
    n.name = name;
    n.inputs = std::move(in);
    n.attrs = std::move(attrs);
    Value v;
    v.name = out;
    v.quant = q;
    n.outputs.push_back(g.add_value(std::move(v)));
    g.nodes.push_back(std::move(n));
    return g.nodes.back().outputs[0];
  }
  Graph done(std::vector<int> outputs) {
    g.outputs = std::move(outputs);
    infer_shapes(g);
    return g;
  }
};

// Random integers in [lo, hi] dequantized with p: floats that quantize back exactly.
inline Tensor representable(std::vector<int64_t> dims, const QuantParams& p, int64_t lo, int64_t hi, uint32_t seed) {
  Tensor t(DType::Float32, std::move(dims));
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int64_t> dist(lo, hi);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = quant::dequantize_value(dist(rng), p);
  return t;
}

inline Tensor uniform(std::vector<int64_t> dims, uint32_t seed, float lo, float hi) {
  Tensor t(DType::Float32, std::move(dims));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = dist(rng);
  return t;
}

inline Tensor fake_quant(const Tensor& t, const QuantParams& p) {
  Tensor out = t;
  for (int64_t i = 0; i < t.numel(); ++i) {
    const QuantParams e = quant::element_params(p, t.dims, i);   // per channel: its channel's scale
    out.data<float>()[i] = quant::dequantize_value(quant::quantize_value(t.data<float>()[i], e), e);
  }
  return out;
}

// What an annotated graph computes: every annotated value (inputs, constants, node outputs)
// rounded to its grid as soon as it exists, float arithmetic everywhere else.
inline std::vector<Tensor> run_fake_quant(const Graph& g, const std::vector<Tensor>& inputs) {
  std::vector<std::optional<Tensor>> slot(g.values.size());
  auto store = [&](int id, const Tensor& t) {
    const Value& v = g.value(id);
    slot[size_t(id)] = v.quant ? fake_quant(t, *v.quant) : t;
  };
  for (size_t i = 0; i < g.values.size(); ++i)
    if (g.values[i].constant) store(int(i), *g.values[i].constant);
  for (size_t i = 0; i < inputs.size(); ++i) store(g.inputs[i], inputs[i]);
  for (const Node& n : g.nodes) {
    std::vector<const Tensor*> in;
    for (int id : n.inputs) in.push_back(id == kNoValue ? nullptr : &*slot[size_t(id)]);
    std::vector<Tensor> out = evaluate_node(g, n, in);
    for (size_t o = 0; o < n.outputs.size(); ++o) store(n.outputs[o], out[o]);
  }
  std::vector<Tensor> result;
  for (int id : g.outputs) result.push_back(*slot[size_t(id)]);
  return result;
}

// The model as ONNX defines it: imported, prepared, run with Q/DQ as real operators.
inline std::vector<Tensor> run_onnx(const std::string& bytes, const std::vector<Tensor>& inputs) {
  Graph g = import_onnx_bytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  prepare_graph(g);
  return ReferenceExecutor(g).run(inputs);
}

// The plan on the inputs (their first dim the batch), on `threads` threads.
inline std::vector<Tensor> run_plan(const Plan& plan, const std::vector<Tensor>& inputs, int threads = 1) {
  const int batch = static_cast<int>(inputs.at(0).dims.at(0));
  Session session(plan, SessionOptions{threads, batch});
  std::vector<const float*> in;
  for (const Tensor& t : inputs) in.push_back(t.data<float>());
  std::vector<Tensor> out;
  std::vector<float*> out_ptrs;
  for (const Port& p : plan.outputs) {
    std::vector<int64_t> dims = p.dims;
    dims[0] = batch;
    out.emplace_back(DType::Float32, dims);
  }
  for (Tensor& t : out) out_ptrs.push_back(t.data<float>());
  session.run(batch, in, out_ptrs);
  return out;
}

// The optimised runtime on the QDQ file's bytes, as octet-eval runs a QDQ file.
inline std::vector<Tensor> run_qdq_optimised(const std::string& bytes, const std::vector<Tensor>& inputs,
                                             const CompileOptions& options = {}) {
  Graph g = import_onnx_bytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  quant::recognise_qdq(g);
  prepare_graph(g);
  return run_plan(compile_for_runtime(g, options), inputs);
}

// The optimised runtime (at the widest int8 ISA) against the reference executor, both on the
// QDQ file `bytes`: every int8 ISA gives the same bytes (the scalar one is run too), every
// element of the one output is within `max_steps` codes of `scale` of the reference's, and at
// least `min_same` of them equal it.
inline void expect_optimised_near_reference(const std::string& bytes, const std::vector<Tensor>& inputs, float scale,
                                            double max_steps, double min_same) {
  const std::vector<Tensor> want = run_onnx(bytes, inputs);
  const std::vector<Tensor> got = run_qdq_optimised(bytes, inputs);
  CompileOptions scalar;
  scalar.int8_isa = kernels::KernelIsa::Scalar;
  const std::vector<Tensor> got_scalar = run_qdq_optimised(bytes, inputs, scalar);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].bytes == got_scalar[0].bytes) << "the int8 ISAs disagree";
  int64_t same = 0;
  for (int64_t k = 0; k < got[0].numel(); ++k) {
    const double steps = std::fabs(double(got[0].data<float>()[k]) - double(want[0].data<float>()[k])) / scale;
    EXPECT_LE(steps, max_steps + 1e-4) << "element " << k;
    same += steps < 1e-4;
  }
  EXPECT_GE(double(same) / double(got[0].numel()), min_same);
}

inline void expect_same_tensor(const Tensor& a, const Tensor& b, const std::string& what) {
  EXPECT_EQ(a.dtype, b.dtype) << what;
  EXPECT_EQ(a.dims, b.dims) << what;
  EXPECT_TRUE(a.bytes == b.bytes) << what << ": contents differ";
}

inline void expect_same_value(const Value& a, const Value& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.dtype, b.dtype) << a.name;
  EXPECT_EQ(a.shape, b.shape) << a.name << ": " << a.shape.to_string() << " vs " << b.shape.to_string();
  EXPECT_EQ(a.quant, b.quant) << a.name;
  ASSERT_EQ(a.constant.has_value(), b.constant.has_value()) << a.name;
  if (a.constant) expect_same_tensor(*a.constant, *b.constant, a.name);
}

inline void expect_same_attr(const Attribute& a, const Attribute& b, const std::string& what) {
  EXPECT_EQ(int(a.kind), int(b.kind)) << what;
  EXPECT_EQ(a.i, b.i) << what;
  EXPECT_EQ(a.f, b.f) << what;
  EXPECT_EQ(a.s, b.s) << what;
  EXPECT_EQ(a.ints, b.ints) << what;
  EXPECT_EQ(a.floats, b.floats) << what;
}

// Same nodes (op, name, attributes, inputs and outputs), values (names, types, shapes,
// constants bit for bit, parameters), graph inputs and outputs, opset.
inline void expect_same_graph(const Graph& a, const Graph& b) {
  EXPECT_EQ(a.opset, b.opset);
  ASSERT_EQ(a.inputs.size(), b.inputs.size());
  for (size_t i = 0; i < a.inputs.size(); ++i) expect_same_value(a.value(a.inputs[i]), b.value(b.inputs[i]));
  ASSERT_EQ(a.outputs.size(), b.outputs.size());
  for (size_t i = 0; i < a.outputs.size(); ++i) expect_same_value(a.value(a.outputs[i]), b.value(b.outputs[i]));
  ASSERT_EQ(a.nodes.size(), b.nodes.size());
  for (size_t i = 0; i < a.nodes.size(); ++i) {
    const Node &na = a.nodes[i], &nb = b.nodes[i];
    EXPECT_EQ(op_name(na.op), op_name(nb.op)) << "node " << i;
    EXPECT_EQ(na.name, nb.name) << "node " << i;
    ASSERT_EQ(na.inputs.size(), nb.inputs.size()) << na.name;
    for (size_t k = 0; k < na.inputs.size(); ++k) expect_same_value(a.value(na.inputs[k]), b.value(nb.inputs[k]));
    ASSERT_EQ(na.outputs.size(), nb.outputs.size()) << na.name;
    for (size_t k = 0; k < na.outputs.size(); ++k) expect_same_value(a.value(na.outputs[k]), b.value(nb.outputs[k]));
    ASSERT_EQ(na.attrs.size(), nb.attrs.size()) << na.name;
    for (const auto& [key, attr] : na.attrs) {
      ASSERT_TRUE(nb.attrs.count(key)) << na.name << " lacks " << key;
      expect_same_attr(attr, nb.attrs.at(key), na.name + "." + key);
    }
  }
}

// Runs `f`, expecting an octet::Error whose message contains every one of `parts`.
template <typename F>
inline void expect_error(F&& f, std::vector<std::string> parts) {
  try {
    f();
    ADD_FAILURE() << "no error thrown; expected one mentioning '" << parts[0] << "'";
  } catch (const Error& e) {
    for (const std::string& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
  }
}

inline const Node* find_node(const Graph& g, const std::string& name) {
  for (const Node& n : g.nodes)
    if (n.name == name) return &n;
  return nullptr;
}
inline int count_op(const Graph& g, OpKind op) {
  int c = 0;
  for (const Node& n : g.nodes) c += n.op == op;
  return c;
}

}  // namespace octet::qdq_test
