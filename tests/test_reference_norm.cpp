// Reference BatchNormalization (inference) and Softmax (opset < 13 and >= 13 semantics).
#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "kernels/reference/softmax.h"
#include "tests/ref_op_test_util.h"

namespace octet {
namespace {

using namespace octet::testing;

Tensor tensor_f32(std::vector<int64_t> dims, const std::vector<float>& v) {
  return Tensor::from<float>(std::move(dims), std::span<const float>(v));
}

TEST(ReferenceBatchNorm, MatchesFormulaPerChannel) {
  Graph g = graph_at(15);
  Node n = make_node(OpKind::BatchNormalization, "bn");
  n.attrs["epsilon"] = float_attr(0.01f);
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> dist(-2.f, 2.f);
  std::vector<float> x(2 * 3 * 4 * 5);
  for (float& f : x) f = dist(rng);
  const std::vector<float> scale{0.5f, 1.5f, -2.f}, bias{0.f, 1.f, -3.f}, mean{0.1f, -0.2f, 0.3f}, var{1.f, 0.25f, 4.f};
  Tensor xt = tensor_f32({2, 3, 4, 5}, x), st = tensor_f32({3}, scale), bt = tensor_f32({3}, bias),
         mt = tensor_f32({3}, mean), vt = tensor_f32({3}, var);
  ref::Outputs r = run(ref::eval_BatchNormalization, g, n, {&xt, &st, &bt, &mt, &vt});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].dims, (std::vector<int64_t>{2, 3, 4, 5}));
  const std::vector<float> y = values<float>(r[0]);
  for (size_t i = 0; i < x.size(); ++i) {
    const size_t c = (i / 20) % 3;
    const double want = scale[c] * (x[i] - static_cast<double>(mean[c])) / std::sqrt(var[c] + 0.01) + bias[c];
    ASSERT_NEAR(y[i], want, 2e-6 * (std::fabs(want) + 4)) << i;
  }
  // Rank 2 ([N, C]) input, default epsilon 1e-5.
  Node d = make_node(OpKind::BatchNormalization, "bn2");
  Tensor x2 = tensor_f32({2, 3}, {1, 2, 3, 4, 5, 6});
  r = run(ref::eval_BatchNormalization, g, d, {&x2, &st, &bt, &mt, &vt});
  EXPECT_NEAR(values<float>(r[0])[4], 1.5 * (5 + 0.2) / std::sqrt(0.25 + 1e-5) + 1, 1e-5);
}

TEST(ReferenceBatchNormErrors, TrainingModeAndShapes) {
  Graph g = graph_at(15);
  Node n = make_node(OpKind::BatchNormalization, "bn_bad");
  Tensor x(DType::Float32, {1, 3, 2, 2}), p3(DType::Float32, {3}), p4(DType::Float32, {4});
  expect_error(ref::eval_BatchNormalization, g, n, {&x, &p3, &p4, &p3, &p3}, "input B must have shape [3]");
  Node t = n;
  t.attrs["training_mode"] = int_attr(1);
  expect_error(ref::eval_BatchNormalization, g, t, {&x, &p3, &p3, &p3, &p3}, "training_mode=1 is not supported");
  Node outs = n;
  outs.outputs = {0, 1, 2};
  expect_error(ref::eval_BatchNormalization, g, outs, {&x, &p3, &p3, &p3, &p3}, "training mode only");
  Tensor xd(DType::Float64, {1, 3, 2, 2});
  expect_error(ref::eval_BatchNormalization, g, n, {&xd, &p3, &p3, &p3, &p3}, "float64 is not supported");
}

TEST(ReferenceSoftmax, ExampleAndLargeNumbers) {
  Graph g = graph_at(13);
  Node n = make_node(OpKind::Softmax, "sm");
  Tensor x = tensor_f32({1, 3}, {-1, 0, 1});
  const std::vector<float> y = values<float>(run(ref::eval_Softmax, g, n, {&x})[0]);
  const std::vector<float> want{0.09003057f, 0.24472847f, 0.66524096f};
  for (size_t i = 0; i < 3; ++i) EXPECT_NEAR(y[i], want[i], 1e-7f);
  // Without the max subtraction exp(10003) overflows.
  Tensor big = tensor_f32({2, 4}, {0, 1, 2, 3, 10000, 10001, 10002, 10003});
  const std::vector<float> yb = values<float>(run(ref::eval_Softmax, g, n, {&big})[0]);
  const std::vector<float> wb{0.0320586f, 0.08714432f, 0.23688282f, 0.6439142f};
  for (size_t i = 0; i < 8; ++i) EXPECT_NEAR(yb[i], wb[i % 4], 1e-6f) << i;
}

// Softmax along `axis` (opset 13) or over the flattened trailing block (opset < 13),
// computed in double from the definition.
std::vector<double> softmax_expected(const std::vector<float>& x, int64_t outer, int64_t len, int64_t inner) {
  std::vector<double> y(x.size());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      double sum = 0;
      for (int64_t j = 0; j < len; ++j) sum += std::exp(static_cast<double>(x[static_cast<size_t>((o * len + j) * inner + i)]));
      for (int64_t j = 0; j < len; ++j) {
        const size_t k = static_cast<size_t>((o * len + j) * inner + i);
        y[k] = std::exp(static_cast<double>(x[k])) / sum;
      }
    }
  return y;
}

TEST(ReferenceSoftmax, AxisSemanticsByOpset) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> dist(-3.f, 3.f);
  std::vector<float> x(3 * 4 * 5);
  for (float& f : x) f = dist(rng);
  Tensor xt = tensor_f32({3, 4, 5}, x);
  struct Case {
    int opset;
    std::optional<int64_t> axis;
    int64_t outer, len, inner;
  };
  const std::vector<Case> cases = {
      {13, std::nullopt, 12, 5, 1},   // default -1
      {13, 0, 1, 3, 20},
      {13, 1, 3, 4, 5},
      {13, -2, 3, 4, 5},
      {11, std::nullopt, 3, 20, 1},   // default 1: rows of the [3, 20] view
      {11, 0, 1, 60, 1},
      {11, 2, 12, 5, 1},
      {1, -1, 12, 5, 1},
  };
  for (const Case& c : cases) {
    Graph g = graph_at(c.opset);
    Node n = make_node(OpKind::Softmax, "sm");
    if (c.axis) n.attrs["axis"] = int_attr(*c.axis);
    const std::vector<float> got = values<float>(run(ref::eval_Softmax, g, n, {&xt})[0]);
    const std::vector<double> want = softmax_expected(x, c.outer, c.len, c.inner);
    for (size_t i = 0; i < got.size(); ++i)
      ASSERT_NEAR(got[i], want[i], 1e-6) << "opset " << c.opset << " axis " << (c.axis ? *c.axis : 99) << " at " << i;
  }
}

TEST(ReferenceSoftmax, KernelDividesBySum) {
  // Two equal entries: exactly 0.5 each; a single entry: exactly 1.
  kernels::SoftmaxParams p;
  p.outer = 1;
  p.axis = 2;
  const float x[2] = {3.f, 3.f};
  float y[2];
  kernels::softmax_f32_ref(p, x, y);
  EXPECT_EQ(y[0], 0.5f);
  EXPECT_EQ(y[1], 0.5f);
  p.axis = 1;
  kernels::softmax_f32_ref(p, x, y);
  EXPECT_EQ(y[0], 1.f);
}

TEST(ReferenceSoftmaxErrors, BadInputs) {
  Graph g = graph_at(13);
  Node n = make_node(OpKind::Softmax, "sm_bad");
  n.attrs["axis"] = int_attr(3);
  Tensor x(DType::Float32, {2, 3, 4});
  expect_error(ref::eval_Softmax, g, n, {&x}, "axis 3 is out of range [-3, 2]");
  Node d = make_node(OpKind::Softmax, "sm_bad");
  Tensor xd(DType::Float64, {2, 3});
  expect_error(ref::eval_Softmax, g, d, {&xd}, "float64 is not supported");
  Tensor s(DType::Float32, {});
  expect_error(ref::eval_Softmax, g, d, {&s}, "rank >= 1");
}

}  // namespace
}  // namespace octet
