// A QuantizeLinear -> DequantizeLinear pair whose reader runs in float is never dropped: the
// optimised runtime computes what ONNX's definition of the QDQ model computes (the reference
// executor running the pair as real operators), for a float reader of every operator the
// optimised runtime runs in float, for degenerate scales, and for every QDQ model the suite
// has. (Issue 17: the runtime used to skip such a pair, so its float readers saw the
// unquantized value.)
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <iterator>

#include "engine/runtime/session.h"
#include "quant/qdq_export.h"
#include "quant/qdq_import.h"
#include "qdq_test_util.h"
#include "engine/pipeline/stages.h"

namespace octet {
namespace {

using namespace qdq_test;

double max_abs_diff(const Tensor& a, const Tensor& b) {
  double d = 0;
  for (int64_t i = 0; i < a.numel(); ++i) d = std::max(d, std::fabs(double(a.data<float>()[i]) - double(b.data<float>()[i])));
  return d;
}

double max_abs(const Tensor& a) {
  double m = 0;
  for (int64_t i = 0; i < a.numel(); ++i) m = std::max(m, std::fabs(double(a.data<float>()[i])));
  return m;
}

// Exports `annotated` as QDQ and checks that the optimised runtime agrees with the reference
// executor on it to float rounding, and that the pair matters: the graph without its
// annotations gives other numbers (so the check could fail).
void expect_pair_kept(const Graph& annotated, const Graph& plain, const std::vector<Tensor>& inputs) {
  const std::string bytes = quant::export_qdq(annotated);
  const std::vector<Tensor> want = run_onnx(bytes, inputs);
  const std::vector<Tensor> got = run_qdq_optimised(bytes, inputs);
  const std::vector<Tensor> unquantized = ReferenceExecutor(plain).run(inputs);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(got[i].numel(), want[i].numel());
    const double tolerance = 1e-5 * std::max(1.0, max_abs(want[i]));
    EXPECT_LE(max_abs_diff(got[i], want[i]), tolerance) << "output " << i;
    EXPECT_GT(max_abs_diff(unquantized[i], want[i]), 100 * tolerance) << "output " << i << ": the pair changes nothing";
  }
}

Attribute one(int64_t v) { return integer(v); }

// input x [N,4,6,6] (NCHW) whose QDQ pair feeds `reader`, a float operator.
using Reader = std::function<int(Net&, int x)>;

void check_reader(const std::string& what, const Reader& reader, const QuantParams& p = qp(DType::Uint8, 0.05f, 3)) {
  SCOPED_TRACE(what);
  auto build = [&](bool annotate) {
    Net n;
    const int x = n.input("x", {-1, 4, 6, 6}, annotate ? std::optional<QuantParams>(p) : std::nullopt);
    return n.done({reader(n, x)});
  };
  expect_pair_kept(build(true), build(false), {uniform({2, 4, 6, 6}, 11, -3.f, 9.f)});
}

int flatten_gemm(Net& n, int x, const std::string& prefix) {
  const int f = n.node(OpKind::Flatten, prefix + "flatten", {x}, prefix + "flat", {}, {{"axis", one(1)}});
  const int w = n.constant(prefix + "w", uniform({4, 10}, 5, -1.f, 1.f));
  const int b = n.constant(prefix + "b", uniform({10}, 6, -1.f, 1.f));
  return n.node(OpKind::Gemm, prefix + "fc", {f, w, b}, prefix + "logits");
}

TEST(QdqFloatReaders, GlobalAveragePoolThenClassifier) {
  check_reader("GlobalAveragePool", [](Net& n, int x) {
    const int gap = n.node(OpKind::GlobalAveragePool, "gap", {x}, "pooled");
    return n.node(OpKind::Softmax, "softmax", {flatten_gemm(n, gap, "")}, "probs", {}, {{"axis", one(1)}});
  });
}

TEST(QdqFloatReaders, Conv) {
  check_reader("Conv", [](Net& n, int x) {
    const int w = n.constant("w", uniform({5, 4, 3, 3}, 3, -0.5f, 0.5f));
    const int b = n.constant("b", uniform({5}, 4, -0.5f, 0.5f));
    return n.node(OpKind::Conv, "conv", {x, w, b}, "y", {}, {{"pads", ints({1, 1, 1, 1})}});
  });
}

TEST(QdqFloatReaders, Pools) {
  check_reader("MaxPool", [](Net& n, int x) {
    return n.node(OpKind::MaxPool, "pool", {x}, "y", {}, {{"kernel_shape", ints({2, 2})}, {"strides", ints({2, 2})}});
  });
  check_reader("AveragePool", [](Net& n, int x) {
    return n.node(OpKind::AveragePool, "pool", {x}, "y", {},
                  {{"kernel_shape", ints({3, 3})}, {"pads", ints({1, 1, 1, 1})}});
  });
}

TEST(QdqFloatReaders, AddAndGraphOutput) {
  check_reader("Add", [](Net& n, int x) { return n.node(OpKind::Add, "add", {x, x}, "y"); });
  // The annotated value is itself the graph output: what leaves the model is dequantized.
  check_reader("output", [](Net& n, int x) { return n.node(OpKind::Identity, "id", {x}, "y"); });
}

TEST(QdqFloatReaders, ReshapeAndGemm) {
  check_reader("Reshape", [](Net& n, int x) {
    const int shape = n.constant("shape", Tensor::from<int64_t>({2}, std::initializer_list<int64_t>{-1, 144}));
    const int r = n.node(OpKind::Reshape, "reshape", {x, shape}, "flat");
    const int w = n.constant("w", uniform({144, 7}, 5, -0.2f, 0.2f));
    return n.node(OpKind::Gemm, "fc", {r, w}, "y");
  });
}

// The model: an NHWC input, Transpose to NCHW, the pair, GlobalAveragePool, Flatten,
// Gemm; also with scales so small or large that every code saturates or is zero.
TEST(QdqFloatReaders, TransposedInputAndDegenerateScales) {
  for (float scale : {0.5f, 1e-45f, 3e38f}) {
    SCOPED_TRACE(scale);
    auto build = [&](bool annotate) {
      Net n;
      const int x = n.input("x", {-1, 6, 6, 4});
      const int t = n.node(OpKind::Transpose, "to_nchw", {x}, "t",
                           annotate ? std::optional<QuantParams>(qp(DType::Uint8, scale, 0)) : std::nullopt,
                           {{"perm", ints({0, 3, 1, 2})}});
      const int gap = n.node(OpKind::GlobalAveragePool, "gap", {t}, "pooled");
      // Logits, not probabilities: a softmax of logits this large saturates to 0 and 1.
      return n.done({flatten_gemm(n, gap, "")});
    };
    expect_pair_kept(build(true), build(false), {uniform({3, 6, 6, 4}, 17, 0.f, 255.f)});
  }
}

// A grouped conv (no int8 kernel) whose weights a pair annotates, as another tool's QDQ file
// has it: the float conv runs on the weights the pair gives (quantized, dequantized), per
// tensor and per channel.
TEST(QdqFloatReaders, GroupedConvWithQuantizedWeights) {
  for (bool per_channel : {false, true}) {
    SCOPED_TRACE(per_channel ? "per channel" : "per tensor");
    QuantParams pw = qp(DType::Int8, 0.05f, 0);
    if (per_channel) pw = quant::symmetric_int8_channel_params(uniform({6, 2, 3, 3}, 3, -0.5f, 0.5f), 0);
    auto build = [&](bool annotate) {
      Net n;
      const int x = n.input("x", {-1, 4, 6, 6}, annotate ? std::optional<QuantParams>(qp(DType::Uint8, 0.05f, 3)) : std::nullopt);
      const int w = n.constant("w", uniform({6, 2, 3, 3}, 3, -0.5f, 0.5f),
                               annotate ? std::optional<QuantParams>(pw) : std::nullopt);
      return n.done({n.node(OpKind::Conv, "conv", {x, w}, "y", {}, {{"group", one(2)}, {"pads", ints({1, 1, 1, 1})}})});
    };
    expect_pair_kept(build(true), build(false), {uniform({2, 4, 6, 6}, 11, -3.f, 9.f)});
  }
}

// A value read by an int8 operator and by a float one: the int8 reader takes the codes, the
// float reader their dequantized values, both from one Quantize step.
TEST(QdqFloatReaders, Int8AndFloatReadersOfOneValue) {
  // s_y = 0.11, not 0.1: s_x * s_w / s_y = 0.005 would put many accumulators on an exact
  // rounding tie, which the int8 conv (float requantisation, as ONNX Runtime) and the
  // reference's float convolution of dequantized values break differently.
  const QuantParams px = qp(DType::Uint8, 0.05f, 3), pw = qp(DType::Int8, 0.01f, 0), py = qp(DType::Uint8, 0.11f, 7);
  auto build = [&](bool annotate) {
    auto q = [&](const QuantParams& p) { return annotate ? std::optional<QuantParams>(p) : std::nullopt; };
    Net n;
    const int x = n.input("x", {-1, 4, 6, 6}, q(px));
    const int w = n.constant("w", representable({4, 4, 3, 3}, pw, -127, 127, 1), q(pw));
    const int conv = n.node(OpKind::Conv, "conv", {x, w}, "c", q(py), {{"pads", ints({1, 1, 1, 1})}});
    const int pool = n.node(OpKind::MaxPool, "pool", {x}, "m", {}, {{"kernel_shape", ints({1, 1})}});
    return n.done({conv, pool});
  };
  expect_pair_kept(build(true), build(false), {uniform({2, 4, 6, 6}, 23, -3.f, 9.f)});
}

// The parameters of the value `name` of the QDQ model `bytes`, as octet recognises them.
std::optional<QuantParams> import_recognised_quant(const std::string& bytes, const std::string& name) {
  Graph g = import_onnx_bytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  quant::recognise_qdq(g);
  return g.value(g.find_value(name)).quant;
}

// Every QDQ model file the suite has: ONNX Runtime's quantizer layouts.
TEST(QdqFloatReaders, EveryQdqFixtureMatchesTheReference) {
  for (const char* name : {"ort_qdq_u8s8.onnx"}) {
    SCOPED_TRACE(name);
    const std::string path = std::string(OCTET_SOURCE_DIR) + "/tests/fixtures/qdq/" + name;
    std::ifstream f(path, std::ios::binary);
    ASSERT_TRUE(f) << path;
    const std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    Graph g = import_onnx_bytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
    prepare_graph(g);
    const Value& in = g.value(g.inputs[0]);
    std::vector<int64_t> dims{16};
    for (size_t i = 1; i < in.shape.dims.size(); ++i) dims.push_back(in.shape.dims[i].value);
    const std::vector<Tensor> inputs{uniform(dims, 29, -2.f, 2.f)};
    const std::vector<Tensor> want = ReferenceExecutor(g).run(inputs);
    const std::vector<Tensor> got = run_qdq_optimised(bytes, inputs);
    ASSERT_EQ(got.size(), want.size());
    // The int8 kernels round intermediate tensors as ONNX Runtime's do (integer accumulation,
    // fixed-point requantisation), not as the reference's float convolution of dequantized
    // values does, so a code may differ by one here and there; but the output is on its own
    // grid (its pair was applied) and the classes agree.
    const QuantParams out_q = *import_recognised_quant(bytes, g.value(g.outputs[0]).name);
    const Tensor &a = got[0], &b = want[0];
    int64_t exact = 0;
    for (int64_t k = 0; k < a.numel(); ++k) {
      const double code = double(a.data<float>()[k]) / out_q.scale + out_q.zero_point;
      EXPECT_NEAR(code, std::nearbyint(code), 1e-3) << "element " << k << " is off the output's grid";
      exact += a.data<float>()[k] == b.data<float>()[k];
    }
    EXPECT_GE(double(exact) / double(a.numel()), 0.75);
    const int64_t classes = a.dims.back();
    for (int64_t r = 0; r < a.numel() / classes; ++r) {
      auto top = [&](const Tensor& t) {
        const float* row = t.data<float>() + r * classes;
        return std::max_element(row, row + classes) - row;
      };
      EXPECT_EQ(top(a), top(b)) << "image " << r;
    }
  }
}

}  // namespace
}  // namespace octet
