// Slice's index arithmetic at the int64 extremes (issue 17): starts, ends and steps of
// INT64_MIN and INT64_MAX give ONNX's answer in slice_range, in shape inference and on the
// reference executor, without signed overflow (the UBSan build runs this file too).
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <vector>

#include "engine/executor.h"
#include "engine/prepare.h"
#include "graph/slice_range.h"
#include "optimize_test_util.h"

namespace octet {
namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

struct Case {
  int64_t dim, start, end, step;
  int64_t first, count;
};

// Hand-derived from the ONNX Slice spec: negative bounds add dim; then starts clamp to
// [0, dim] (step > 0) or [0, dim-1] (step < 0), ends to [0, dim] or [-1, dim-1].
TEST(SliceRange, Int64ExtremesFollowTheOnnxSpec) {
  const std::vector<Case> cases = {
      {5, 0, kMax, 1, 0, 5},
      {5, 0, kMax, kMax, 0, 1},          // the step that overflowed (end - start + step - 1)
      {5, kMin, kMax, kMax, 0, 1},
      {5, 4, kMin, kMin, 4, 1},          // -INT64_MIN does not fit in int64
      {5, kMax, kMin, kMin, 4, 1},
      {5, -1, kMin, -1, 4, 5},
      {5, kMax, kMin, -1, 4, 5},
      {5, kMin, kMax, -1, 0, 0},         // start clamps to 0, end to 4: nothing backwards
      {5, kMax, 0, 1, 5, 0},
      {5, kMin, kMin, 1, 0, 0},
      {5, -100, kMin, -1, 0, 1},         // the spec clamps a negative-step start to 0
      {5, 1, 4, 2, 1, 2},
      {5, 4, 0, -3, 4, 2},
      {5, 3, kMax, kMax - 1, 3, 1},
      {0, 0, kMax, kMax, 0, 0},
      {0, kMax, kMin, kMin, 0, 0},
      {kMaxTensorElements, 0, kMax, kMax, 0, 1},
      {kMaxTensorElements, kMax, kMin, -2, kMaxTensorElements - 1, kMaxTensorElements / 2},
  };
  for (const Case& c : cases) {
    const SliceRange r = slice_range(c.dim, c.start, c.end, c.step);
    EXPECT_EQ(r.first, c.first) << "dim " << c.dim << " start " << c.start << " end " << c.end << " step " << c.step;
    EXPECT_EQ(r.count, c.count) << "dim " << c.dim << " start " << c.start << " end " << c.end << " step " << c.step;
  }
}

// Counting the elements one by one (an independent formulation of the count) over small
// dims and every mix of small and extreme bounds and steps.
TEST(SliceRange, AgreesWithWalkingTheIndices) {
  const std::vector<int64_t> bounds = {kMin, kMin + 1, -9, -6, -5, -3, -1, 0, 1, 2, 4, 5, 6, 9, kMax - 1, kMax};
  const std::vector<int64_t> steps = {kMin, kMin + 1, -7, -3, -2, -1, 1, 2, 3, 7, kMax - 1, kMax};
  for (int64_t dim = 0; dim <= 6; ++dim)
    for (int64_t start : bounds)
      for (int64_t end : bounds)
        for (int64_t step : steps) {
          int64_t s = start < 0 ? start + dim : start, e = end < 0 ? end + dim : end;
          s = step > 0 ? std::clamp<int64_t>(s, 0, dim) : std::clamp<int64_t>(s, 0, std::max<int64_t>(dim - 1, 0));
          e = step > 0 ? std::clamp<int64_t>(e, 0, dim) : std::clamp<int64_t>(e, -1, dim - 1);
          const int64_t walk = std::clamp<int64_t>(step, -(dim + 1), dim + 1);   // beyond dim: one element
          int64_t count = 0;
          for (int64_t i = s; dim > 0 && (step > 0 ? i < e : i > e); i += walk) ++count;
          const SliceRange r = slice_range(dim, start, end, step);
          ASSERT_EQ(r.count, count) << "dim " << dim << " start " << start << " end " << end << " step " << step;
          if (count > 0) {
            ASSERT_EQ(r.first, s) << "dim " << dim << " start " << start << " end " << end << " step " << step;
          }
        }
}

// The model of the report: shape inference said 0 for the sliced dim (UBSan aborted), where
// ONNX Runtime takes one element.
TEST(SliceRange, ShapeInferenceAndTheReferenceExecutorTakeOneElementForExtremeSteps) {
  using namespace opt_test;
  Builder b;
  const int x = b.input("x", {5, 6, 7});
  const int sl = b.node(OpKind::Slice, "extreme_steps",
                        {x, b.constant("starts", i64({0, kMax, kMin})), b.constant("ends", i64({kMax, kMin, kMax})),
                         b.constant("axes", i64({0, 1, 2})), b.constant("steps", i64({kMax, kMin, kMax}))});
  b.output(sl);
  Graph g = b.prepared();
  EXPECT_EQ(g.value(g.outputs[0]).shape.to_string(), "[1,1,1]");
  Tensor in = random_tensor({5, 6, 7}, 17);
  const std::vector<Tensor> out = ReferenceExecutor(g).run(std::span<const Tensor>(&in, 1));
  ASSERT_EQ(out[0].dims, (std::vector<int64_t>{1, 1, 1}));
  EXPECT_EQ(out[0].data<float>()[0], in.data<float>()[5 * 7]);   // x[0, 5, 0]
}

TEST(SliceRange, ReverseWithExtremeBoundsKeepsEveryElement) {
  using namespace opt_test;
  Builder b;
  const int x = b.input("x", {2, 4});
  const int sl = b.node(OpKind::Slice, "reverse",
                        {x, b.constant("starts", i64({kMax})), b.constant("ends", i64({kMin})),
                         b.constant("axes", i64({-1})), b.constant("steps", i64({-1}))});
  b.output(sl);
  Graph g = b.prepared();
  EXPECT_EQ(g.value(g.outputs[0]).shape.to_string(), "[2,4]");
  Tensor in = random_tensor({2, 4}, 3);
  const std::vector<Tensor> out = ReferenceExecutor(g).run(std::span<const Tensor>(&in, 1));
  ASSERT_EQ(out[0].dims, (std::vector<int64_t>{2, 4}));
  for (int r = 0; r < 2; ++r)
    for (int c = 0; c < 4; ++c) EXPECT_EQ(out[0].data<float>()[r * 4 + c], in.data<float>()[r * 4 + 3 - c]);
}

// A dim past octet's tensor limit cannot hide behind a 0 in the same shape: shape inference
// refuses it, naming the node, before any rule does arithmetic on it.
TEST(InferShapesLimits, HugeDimNextToZeroIsRefused) {
  using namespace opt_test;
  Builder b;
  const int x = b.input("x", {0, 4});
  const int r = b.node(OpKind::Reshape, "huge", {x, b.constant("shape", i64({0, kMax}))},
                       {{"allowzero", integer(1)}});
  b.output(r);
  try {
    b.prepared();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("huge"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("2^31"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace octet
