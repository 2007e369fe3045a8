// ReduceMean, ReduceMax and GlobalMaxPool on the reference executor, against direct loops
// over a 4-D tensor: every subset of axes, keepdims both ways, axes as an attribute (opset 13)
// and as an input (opset 18), noop_with_empty_axes, and the errors.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "tests/optimize_test_util.h"
#include "tests/ref_op_test_util.h"

namespace octet {
namespace {

using namespace octet::testing;

constexpr int64_t kDims[4] = {2, 3, 5, 4};

// The mean or max over the axes flagged in `mask` (bit i: axis i), by direct enumeration.
float expected(const Tensor& x, unsigned mask, const int64_t out_index[4], bool mean) {
  double sum = 0;
  float best = -std::numeric_limits<float>::infinity();
  int64_t count = 0;
  for (int64_t a = 0; a < kDims[0]; ++a)
    for (int64_t b = 0; b < kDims[1]; ++b)
      for (int64_t c = 0; c < kDims[2]; ++c)
        for (int64_t d = 0; d < kDims[3]; ++d) {
          const int64_t idx[4] = {a, b, c, d};
          bool match = true;
          for (int i = 0; i < 4; ++i) match &= (mask >> i & 1) || idx[i] == out_index[i];
          if (!match) continue;
          const float v = x.data<float>()[((a * kDims[1] + b) * kDims[2] + c) * kDims[3] + d];
          sum += v;
          best = std::max(best, v);
          ++count;
        }
  return mean ? static_cast<float>(sum / static_cast<double>(count)) : best;
}

void check_all_subsets(OpKind op, int opset) {
  const Tensor x = opt_test::random_tensor({kDims[0], kDims[1], kDims[2], kDims[3]}, 5, -3.f, 3.f);
  const EvalFn fn = op == OpKind::ReduceMean ? ref::eval_ReduceMean : ref::eval_ReduceMax;
  for (unsigned mask = 1; mask < 16; ++mask) {
    for (int keep = 0; keep <= 1; ++keep) {
      std::vector<int64_t> axes;
      for (int i = 0; i < 4; ++i)
        if (mask >> i & 1) axes.push_back(i == 3 ? -1 : i);   // one negative axis
      Graph g = graph_at(opset);
      Node n = make_node(op, "reduce");
      n.attrs["keepdims"] = int_attr(keep);
      const Tensor axes_t = vec<int64_t>(axes);
      std::vector<const Tensor*> in{&x};
      if (opset >= 18) in.push_back(&axes_t);
      else n.attrs["axes"] = ints_attr(axes);
      const Tensor y = run(fn, g, n, in).at(0);
      std::vector<int64_t> want_dims;
      for (int i = 0; i < 4; ++i)
        if (!(mask >> i & 1)) want_dims.push_back(kDims[i]);
        else if (keep) want_dims.push_back(1);
      ASSERT_EQ(y.dims, want_dims) << "mask " << mask;
      // Walk the output in row-major order of the kept axes.
      int64_t j = 0;
      int64_t o[4] = {0, 0, 0, 0};
      for (o[0] = 0; o[0] < ((mask & 1) ? 1 : kDims[0]); ++o[0])
        for (o[1] = 0; o[1] < ((mask & 2) ? 1 : kDims[1]); ++o[1])
          for (o[2] = 0; o[2] < ((mask & 4) ? 1 : kDims[2]); ++o[2])
            for (o[3] = 0; o[3] < ((mask & 8) ? 1 : kDims[3]); ++o[3], ++j)
              ASSERT_NEAR(y.data<float>()[j], expected(x, mask, o, op == OpKind::ReduceMean), 1e-5)
                  << "mask " << mask << " keepdims " << keep << " output " << j;
    }
  }
}

TEST(ReferenceReduce, MeanEveryAxisSubsetAttributeAxes) { check_all_subsets(OpKind::ReduceMean, 13); }
TEST(ReferenceReduce, MaxEveryAxisSubsetAttributeAxes) { check_all_subsets(OpKind::ReduceMax, 13); }
TEST(ReferenceReduce, MeanEveryAxisSubsetInputAxes) { check_all_subsets(OpKind::ReduceMean, 18); }
TEST(ReferenceReduce, MaxEveryAxisSubsetInputAxes) { check_all_subsets(OpKind::ReduceMax, 18); }

TEST(ReferenceReduce, NoAxesReducesAllOrNothing) {
  const Tensor x = Tensor::from<float>({2, 2}, {1.f, 2.f, 3.f, 6.f});
  Graph g13 = graph_at(13);
  Node n = make_node(OpKind::ReduceMean, "mean");
  n.attrs["keepdims"] = int_attr(0);
  const Tensor all = run(ref::eval_ReduceMean, g13, n, {&x}).at(0);
  EXPECT_EQ(all.dims, std::vector<int64_t>{});
  EXPECT_FLOAT_EQ(all.data<float>()[0], 3.f);
  Graph g18 = graph_at(18);
  n.attrs["noop_with_empty_axes"] = int_attr(1);
  const Tensor same = run(ref::eval_ReduceMean, g18, n, {&x}).at(0);
  EXPECT_EQ(values<float>(same), values<float>(x));
}

TEST(ReferenceReduce, GlobalMaxPoolTakesThePlaneMaximum) {
  const Tensor x = opt_test::random_tensor({2, 3, 5, 4}, 9, -3.f, 3.f);
  Graph g = graph_at(13);
  const Tensor y = run(ref::eval_GlobalMaxPool, g, make_node(OpKind::GlobalMaxPool, "gmp"), {&x}).at(0);
  ASSERT_EQ(y.dims, (std::vector<int64_t>{2, 3, 1, 1}));
  for (int64_t a = 0; a < 2; ++a)
    for (int64_t b = 0; b < 3; ++b) {
      const int64_t o[4] = {a, b, 0, 0};
      EXPECT_EQ(y.data<float>()[a * 3 + b], expected(x, 12, o, false));
    }
}

TEST(ReferenceReduce, ErrorsNameTheNode) {
  const Tensor x = opt_test::random_tensor({2, 3}, 1);
  Graph g = graph_at(13);
  Node n = make_node(OpKind::ReduceMax, "bad_axes");
  n.attrs["axes"] = ints_attr({2});
  expect_error(ref::eval_ReduceMax, g, n, {&x}, "axis 2 is out of range");
  n.attrs["axes"] = ints_attr({1, -1});
  expect_error(ref::eval_ReduceMax, g, n, {&x}, "listed twice");
  const Tensor empty(DType::Float32, {2, 0});
  n.attrs["axes"] = ints_attr({1});
  expect_error(ref::eval_ReduceMax, g, n, {&empty}, "empty axis");
  const Tensor ints = vec<int64_t>({1, 2});
  expect_error(ref::eval_ReduceMean, g, make_node(OpKind::ReduceMean, "int_input"), {&ints}, "not supported");
}

}  // namespace
}  // namespace octet
