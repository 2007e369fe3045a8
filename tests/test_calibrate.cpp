// MinMax calibration (quant/calibrate.h) observed directly, batch by batch: a range must
// include extremes that occur only in the first batch (not reset by later ones) and only in
// the last batch (not missed by stopping early), for the graph input and for values computed
// from it, while NaNs are skipped.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "quant/calibrate.h"
#include "tests/optimize_test_util.h"

namespace octet {
namespace {

using opt_test::Builder;

// x [N,3] → relu = Relu(x), neg = x * -2: the extremes of neg come from the other end of x's.
struct Net {
  Graph g;
  int x = 0, relu = 0, neg = 0;   // value ids in the prepared graph
  Net() {
    Builder b;
    const int in = b.input("x", {-1, 3});
    b.output(b.node(OpKind::Relu, "relu", {in}));
    b.output(b.node(OpKind::Mul, "neg", {in, b.constant("minus_two", opt_test::scalar(-2.f))}));
    g = b.prepared();
    x = g.inputs[0];
    relu = g.outputs[0];
    neg = g.outputs[1];
  }
};

Tensor batch(std::vector<float> v) {
  const int64_t n = static_cast<int64_t>(v.size()) / 3;
  return Tensor::from<float>({n, 3}, std::span<const float>(v));
}

void expect_range(const quant::ValueRange& r, float lo, float hi, const char* what) {
  EXPECT_TRUE(r.seen) << what;
  EXPECT_EQ(r.min, lo) << what;
  EXPECT_EQ(r.max, hi) << what;
}

TEST(Calibrator, ExtremesOnlyInTheFirstBatchAreKept) {
  const Net net;
  quant::Calibrator cal(net.g);
  cal.observe(batch({-9.f, 0.5f, 7.f, 1.f, 2.f, 3.f}));   // two images
  cal.observe(batch({-1.f, 0.f, 1.f}));
  cal.observe(batch({-2.f, 1.5f, 2.f, 0.25f, -0.5f, 1.f}));
  const auto& r = cal.ranges();
  expect_range(r[static_cast<size_t>(net.x)], -9.f, 7.f, "x");
  expect_range(r[static_cast<size_t>(net.relu)], 0.f, 7.f, "relu");
  expect_range(r[static_cast<size_t>(net.neg)], -14.f, 18.f, "neg");
  EXPECT_EQ(cal.images(), 5);
  // The per-element mean over all five images (bias correction reads it).
  ASSERT_EQ(r[static_cast<size_t>(net.x)].mean.size(), 3u);
  EXPECT_DOUBLE_EQ(r[static_cast<size_t>(net.x)].mean[0], (-9.0 + 1 - 1 - 2 + 0.25) / 5);
  EXPECT_EQ(r[static_cast<size_t>(net.x)].images, 5);
}

TEST(Calibrator, ExtremesOnlyInTheLastBatchAreIncluded) {
  const Net net;
  quant::Calibrator cal(net.g);
  cal.observe(batch({-1.f, 0.f, 1.f}));
  cal.observe(batch({-2.f, 1.5f, 2.f}));
  cal.observe(batch({0.f, 0.f, 0.f, 3.f, -11.f, 13.f}));
  const auto& r = cal.ranges();
  expect_range(r[static_cast<size_t>(net.x)], -11.f, 13.f, "x");
  expect_range(r[static_cast<size_t>(net.relu)], 0.f, 13.f, "relu");
  expect_range(r[static_cast<size_t>(net.neg)], -26.f, 22.f, "neg");
  EXPECT_EQ(cal.images(), 4);
}

TEST(Calibrator, MinimumFromTheFirstBatchAndMaximumFromTheLast) {
  const Net net;
  quant::Calibrator cal(net.g);
  cal.observe(batch({-5.f, 1.f, 1.f}));
  cal.observe(batch({std::numeric_limits<float>::quiet_NaN(), 2.f, -1.f}));   // NaN skipped
  cal.observe(batch({0.f, 6.f, 0.f}));
  const auto& r = cal.ranges();
  expect_range(r[static_cast<size_t>(net.x)], -5.f, 6.f, "x");
  expect_range(r[static_cast<size_t>(net.relu)], 0.f, 6.f, "relu");
  expect_range(r[static_cast<size_t>(net.neg)], -12.f, 10.f, "neg");
  // A constant is never computed, so it has no range.
  for (const Node& n : net.g.nodes)
    if (n.op == OpKind::Mul) {
      EXPECT_FALSE(r[static_cast<size_t>(n.inputs[1])].seen);
    }
}

}  // namespace
}  // namespace octet
