// Reference ops Sigmoid, HardSigmoid, HardSwish, Tanh and LeakyRelu on hand-built nodes:
// the ONNX formulas, their default attributes, NaN, extreme inputs and the refused dtypes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "tests/ref_op_test_util.h"

namespace octet {
namespace {

using namespace octet::testing;

const float kNaN = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();

// Runs op on x (float32) at opset 14 (HardSwish's first) and returns the values.
std::vector<float> eval(ref::Outputs (*fn)(const Graph&, const Node&, ref::Inputs), const Node& n,
                        const std::vector<float>& x) {
  Tensor t = vec<float>(x);
  ref::Outputs out = run(fn, graph_at(14), n, {&t});
  EXPECT_EQ(out[0].dims, t.dims);
  EXPECT_EQ(out[0].dtype, DType::Float32);
  return values<float>(out[0]);
}

// Random inputs against the formula evaluated in double, within a float rounding or two.
void expect_formula(ref::Outputs (*fn)(const Graph&, const Node&, ref::Inputs), const Node& n,
                    double (*formula)(double)) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-12.f, 12.f);
  std::vector<float> x(997);
  for (float& v : x) v = dist(rng);
  const std::vector<float> y = eval(fn, n, x);
  for (size_t i = 0; i < x.size(); ++i) {
    const double want = formula(x[i]);
    EXPECT_NEAR(y[i], want, 2.5e-7 * std::max(1.0, std::fabs(want))) << "x = " << x[i];
  }
}

TEST(ReferenceSigmoid, FormulaExtremesAndNaN) {
  Node n = make_node(OpKind::Sigmoid, "sig");
  const std::vector<float> y = eval(ref::eval_Sigmoid, n, {0.f, 1.f, -1.f, 80.f, -80.f, kInf, -kInf, kNaN});
  EXPECT_EQ(y[0], 0.5f);
  EXPECT_NEAR(y[1], 0.7310586f, 1e-7f);
  EXPECT_NEAR(y[2], 0.2689414f, 1e-7f);
  EXPECT_EQ(y[3], 1.f);
  // exp(-80) = 1.8049e-35: the small side keeps its relative precision instead of rounding 1 + e.
  EXPECT_NEAR(y[4] / 1.8048513878454153e-35, 1.0, 1e-6);
  EXPECT_EQ(y[5], 1.f);
  EXPECT_EQ(y[6], 0.f);
  EXPECT_TRUE(std::isnan(y[7]));
  expect_formula(ref::eval_Sigmoid, n, [](double x) { return 1.0 / (1.0 + std::exp(-x)); });
}

TEST(ReferenceHardSigmoid, DefaultsAndAttributes) {
  Node n = make_node(OpKind::HardSigmoid, "hsig");
  // Defaults alpha 0.2, beta 0.5: 0 at and below -2.5, 1 at and above 2.5.
  const std::vector<float> y = eval(ref::eval_HardSigmoid, n, {-3.f, -2.5f, 0.f, 1.f, 2.5f, 3.f, kNaN});
  EXPECT_EQ(y[0], 0.f);
  EXPECT_EQ(y[1], 0.f);
  EXPECT_EQ(y[2], 0.5f);
  EXPECT_FLOAT_EQ(y[3], 0.7f);
  EXPECT_EQ(y[4], 1.f);
  EXPECT_EQ(y[5], 1.f);
  EXPECT_TRUE(std::isnan(y[6]));
  n.attrs["alpha"] = float_attr(0.5f);
  n.attrs["beta"] = float_attr(0.25f);
  EXPECT_EQ(eval(ref::eval_HardSigmoid, n, {-1.f, 0.5f, 1.f, 2.f}), (std::vector<float>{0.f, 0.5f, 0.75f, 1.f}));
}

TEST(ReferenceHardSwish, Formula) {
  Node n = make_node(OpKind::HardSwish, "hswish");
  const std::vector<float> y = eval(ref::eval_HardSwish, n, {-4.f, -3.f, 0.f, 3.f, 4.f, kNaN});
  EXPECT_EQ(y[0], 0.f);
  EXPECT_EQ(y[1], 0.f);
  EXPECT_EQ(y[2], 0.f);
  EXPECT_EQ(y[3], 3.f);
  EXPECT_EQ(y[4], 4.f);
  EXPECT_TRUE(std::isnan(y[5]));
  expect_formula(ref::eval_HardSwish, n, [](double x) { return x * std::clamp(x / 6 + 0.5, 0.0, 1.0); });
}

TEST(ReferenceTanh, Formula) {
  Node n = make_node(OpKind::Tanh, "tanh");
  const std::vector<float> y = eval(ref::eval_Tanh, n, {0.f, 1.f, -1.f, 30.f, -kInf, kNaN});
  EXPECT_EQ(y[0], 0.f);
  EXPECT_NEAR(y[1], 0.7615942f, 1e-7f);
  EXPECT_NEAR(y[2], -0.7615942f, 1e-7f);
  EXPECT_EQ(y[3], 1.f);
  EXPECT_EQ(y[4], -1.f);
  EXPECT_TRUE(std::isnan(y[5]));
  expect_formula(ref::eval_Tanh, n, [](double x) { return std::tanh(x); });
}

TEST(ReferenceLeakyRelu, DefaultAndAttribute) {
  Node n = make_node(OpKind::LeakyRelu, "leaky");
  EXPECT_EQ(eval(ref::eval_LeakyRelu, n, {-2.f, 0.f, 3.f}), (std::vector<float>{-2.f * 0.01f, 0.f, 3.f}));
  n.attrs["alpha"] = float_attr(0.1f);
  const std::vector<float> y = eval(ref::eval_LeakyRelu, n, {-5.f, 5.f, -kInf, kNaN});
  EXPECT_EQ(y[0], -5.f * 0.1f);
  EXPECT_EQ(y[1], 5.f);
  EXPECT_EQ(y[2], -kInf);
  EXPECT_TRUE(std::isnan(y[3]));
}

TEST(ReferenceActivations, Float64AndRefusedDtypes) {
  Node n = make_node(OpKind::Sigmoid, "sig64");
  Tensor d = Tensor::from<double>({2}, {0.0, -1.0});
  ref::Outputs out = run(ref::eval_Sigmoid, graph_at(13), n, {&d});
  EXPECT_EQ(out[0].dtype, DType::Float64);
  EXPECT_EQ(values<double>(out[0]), (std::vector<double>{0.5, std::exp(-1.0) / (1.0 + std::exp(-1.0))}));
  Tensor i = Tensor::from<int32_t>({1}, {1});
  expect_error(ref::eval_Sigmoid, graph_at(13), n, {&i}, "int32");
  Node t = make_node(OpKind::Tanh, "tanh_i");
  expect_error(ref::eval_Tanh, graph_at(13), t, {&i}, "float32 and float64");
  Tensor x = Tensor::from<float>({1}, {1.f});
  expect_error(ref::eval_Tanh, graph_at(13), t, {&x, &x}, "inputs");
}

}  // namespace
}  // namespace octet
