// Split (opsets 11, 13 and 18: sizes as an attribute, an input, equal parts, num_outputs with a
// smaller last part) and LogSoftmax, and Softmax along a non-last axis, end to end: the
// reference executor against hand-computed values, the optimised runtime against the
// reference executor. A Split with known sizes becomes Slices (no reference step); LogSoftmax
// and a Softmax along channels run on a reference_node step, which the plan names.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "engine/compile.h"
#include "engine/executor.h"
#include "graph/passes/optimize.h"
#include "tests/expect_error.h"
#include "tests/optimize_test_util.h"
#include "tests/plan_run_test_util.h"

namespace octet {
namespace {

using opt_test::Builder;
using opt_test::integer;
using opt_test::ints;
using plan_test::expect_close;
using plan_test::run;

// x [N, 6, 3, 4] -> Split -> Concat of the parts in reverse order along the same axis (one
// output). Variants: 0 explicit sizes {1, 3, 2} along channels (attribute before opset 13,
// input from 13); 1 three equal parts of the channels; 2 num_outputs 2 (opset 18); 3
// num_outputs 2 along H (axis -2: 3 rows -> 2 + 1, the last part smaller).
Graph split_net(int opset, int variant) {
  Builder b(opset);
  const int x = b.input("x", {-1, 6, 3, 4});
  Node split;
  split.op = OpKind::Split;
  split.name = "split";
  split.inputs = {x};
  split.attrs["axis"] = integer(variant == 3 ? -2 : 1);
  if (variant == 0) {
    if (opset >= 13) split.inputs.push_back(b.constant("sizes", Tensor::from<int64_t>({3}, {1, 3, 2})));
    else split.attrs["split"] = ints({1, 3, 2});
  }
  if (variant >= 2) split.attrs["num_outputs"] = integer(2);
  const size_t outputs = variant >= 2 ? 2 : 3;
  for (size_t i = 0; i < outputs; ++i)
    split.outputs.push_back(b.g.add_value(Value{"part" + std::to_string(i), DType::Undefined, Shape{}, std::nullopt, std::nullopt}));
  const std::vector<int> reversed(split.outputs.rbegin(), split.outputs.rend());
  b.g.nodes.push_back(split);
  b.output(b.node(OpKind::Concat, "concat", reversed, {{"axis", integer(variant == 3 ? 2 : 1)}}));
  return b.prepared();
}

// The source index along the split axis of each output index: the parts of `sizes` in reverse.
std::vector<int64_t> reversed_order(const std::vector<int64_t>& sizes) {
  int64_t length = 0;
  for (int64_t s : sizes) length += s;
  std::vector<int64_t> order;
  int64_t first = length;
  for (auto it = sizes.rbegin(); it != sizes.rend(); ++it) {
    first -= *it;
    for (int64_t c = 0; c < *it; ++c) order.push_back(first + c);
  }
  return order;
}

TEST(SplitModel, EveryOpsetsFormMatchesHandComputedPartsAndRunsAsSlices) {
  struct Case {
    int opset, variant;
    std::vector<int64_t> sizes;
  };
  const std::vector<Case> cases{{11, 0, {1, 3, 2}}, {13, 0, {1, 3, 2}}, {11, 1, {2, 2, 2}},
                                {13, 1, {2, 2, 2}}, {18, 2, {3, 3}},    {18, 3, {2, 1}}};
  for (const Case& c : cases) {
    SCOPED_TRACE("opset " + std::to_string(c.opset) + " variant " + std::to_string(c.variant));
    const Graph g = split_net(c.opset, c.variant);
    const std::vector<int64_t> order = reversed_order(c.sizes);
    const std::vector<int64_t> dims{6, 3, 4};
    const size_t axis = c.variant == 3 ? 1 : 0;   // within {C, H, W}
    for (const int batch : {1, 7}) {
      const Tensor in = opt_test::random_tensor({batch, 6, 3, 4}, 5 + batch, -2.f, 2.f);
      const Tensor want = ReferenceExecutor(g).run(std::span<const Tensor>(&in, 1)).at(0);
      ASSERT_EQ(want.dims, (std::vector<int64_t>{batch, 6, 3, 4}));
      for (int64_t e = 0; e < want.numel(); ++e) {
        int64_t idx[4] = {e / 72, (e / 12) % 6, (e / 4) % 3, e % 4};
        idx[axis + 1] = order[static_cast<size_t>(idx[axis + 1])];
        ASSERT_EQ(want.data<float>()[e], in.data<float>()[((idx[0] * 6 + idx[1]) * 3 + idx[2]) * 4 + idx[3]]) << e;
      }
      Graph optimised = g;
      optimize_graph(optimised);
      EXPECT_EQ(opt_test::count_op(optimised, OpKind::Split), 0);
      const Plan plan = compile_plan(optimised);
      EXPECT_EQ(plan.describe().find("reference_"), std::string::npos) << plan.describe();
      for (const int threads : {1, 2}) expect_close(run(plan, in, batch, threads), want, "split", 0.f);
    }
  }
}

TEST(SplitModel, SizesThatDoNotFitAreRefusedNamingTheNode) {
  Builder b(13);
  const int x = b.input("x", {-1, 6, 3, 4});
  Node split;
  split.op = OpKind::Split;
  split.name = "bad_split";
  split.inputs = {x, b.constant("sizes", Tensor::from<int64_t>({2}, {2, 3}))};
  split.attrs["axis"] = integer(1);
  for (int i = 0; i < 2; ++i)
    split.outputs.push_back(b.g.add_value(Value{"p" + std::to_string(i), DType::Undefined, Shape{}, std::nullopt, std::nullopt}));
  b.g.nodes.push_back(split);
  b.output(split.outputs[0]);
  EXPECT_ERROR(Builder(b).prepared(), "bad_split");
  EXPECT_ERROR(Builder(b).prepared(), "add up to 5");
}

// LogSoftmax along the last axis and along channels, Softmax along channels: the reference
// against log(softmax) computed here in double, the runtime against the reference.
TEST(SoftmaxAxes, LogSoftmaxAndNonLastAxesRunOnReferenceSteps) {
  for (const OpKind op : {OpKind::LogSoftmax, OpKind::Softmax}) {
    for (const int64_t axis : {1, -1}) {
      if (op == OpKind::Softmax && axis == -1) continue;   // the vector softmax step's case
      SCOPED_TRACE(std::string(op_name(op)) + " axis " + std::to_string(axis));
      Builder b(13);
      const int x = b.input("x", {-1, 5, 3, 4});
      b.output(b.node(op, "sm", {x}, {{"axis", integer(axis)}}));
      const Graph g = b.prepared();
      const Tensor in = opt_test::random_tensor({2, 5, 3, 4}, 17, -4.f, 4.f);
      const Tensor want = ReferenceExecutor(g).run(std::span<const Tensor>(&in, 1)).at(0);
      const int64_t len = axis == 1 ? 5 : 4, stride = axis == 1 ? 12 : 1;
      for (int64_t e = 0; e < in.numel(); ++e) {
        const int64_t j = (e / stride) % len, base = e - j * stride;
        double sum = 0;
        for (int64_t k = 0; k < len; ++k) sum += std::exp(double(in.data<float>()[base + k * stride]));
        const double p = std::exp(double(in.data<float>()[e])) / sum;
        const double expected = op == OpKind::LogSoftmax ? std::log(p) : p;
        ASSERT_NEAR(want.data<float>()[e], expected, 1e-5) << e;
      }
      Graph optimised = g;
      optimize_graph(optimised);
      const Plan plan = compile_plan(optimised);
      EXPECT_NE(plan.describe().find("reference executor"), std::string::npos) << plan.describe();
      for (const int threads : {1, 2}) expect_close(run(plan, in, 2, threads), want, "softmax", 0.f);
    }
  }
}

}  // namespace
}  // namespace octet
