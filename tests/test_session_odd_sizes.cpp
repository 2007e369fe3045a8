// Sessions on maps whose sizes are not multiples of any tile (7x7, 10x10, 3x3): a small FP32
// net of 3x3 stride-1 convs with 8 channels (which the fixed kernel rule gives the Winograd
// kernel), run with 2 threads on one image (so each layer is split by output rows) and
// profiling on, against the reference executor. A session or kernel that dropped the last
// partial row or column tile would leave those outputs unwritten and fail here.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "engine/compile.h"
#include "engine/executor.h"
#include "engine/runtime/session.h"
#include "graph/passes/optimize.h"
#include "tests/optimize_test_util.h"

namespace octet {
namespace {

using opt_test::Builder;
using opt_test::ints;

class SessionOddSizes : public ::testing::TestWithParam<int> {};

TEST_P(SessionOddSizes, WinogradConvNetMatchesTheReferenceOnEveryPixel) {
  const int64_t size = GetParam();
  Builder b;
  const int x = b.input("x", {-1, 8, size, size});
  const int c1 = b.conv("conv1", x, 8, 8, 3, 11, {{"pads", ints({1, 1, 1, 1})}});
  const int r1 = b.node(OpKind::Relu, "relu1", {c1});
  const int c2 = b.conv("conv2", r1, 8, 8, 3, 13, {{"pads", ints({1, 1, 1, 1})}});
  b.output(b.node(OpKind::Relu, "relu2", {c2}));
  const Graph reference = b.prepared();

  Graph optimised = reference;
  optimize_graph(optimised);
  CompileOptions options;
  options.autotune = false;   // the fixed rule: Winograd for 3x3 stride 1 with >= 8 input channels
  const Plan plan = compile_plan(optimised, options);

  const Tensor in = opt_test::random_tensor({1, 8, size, size}, 5, -2.f, 2.f);
  const Tensor want = ReferenceExecutor(reference).run(std::span<const Tensor>(&in, 1)).at(0);
  ASSERT_EQ(want.dims, (std::vector<int64_t>{1, 8, size, size}));

  Session session(plan, {2, 1});
  session.enable_profile(true);
  // Poisoned output: an element the session never writes stays NaN and fails below.
  std::vector<float> got(static_cast<size_t>(want.numel()), std::nanf(""));
  const float* inp = in.data<float>();
  float* outp = got.data();
  for (int run = 0; run < 2; ++run)
    session.run(1, std::span<const float* const>(&inp, 1), std::span<float* const>(&outp, 1));

  int bad = 0;
  for (int64_t i = 0; i < want.numel(); ++i) {
    const float w = want.data<float>()[i], g = got[static_cast<size_t>(i)];
    if (!(std::fabs(w - g) <= 1e-4f * std::max(1.f, std::fabs(w))) && ++bad <= 5)
      ADD_FAILURE() << "channel " << i / (size * size) << " row " << (i / size) % size << " col " << i % size
                    << ": reference " << w << ", session " << g;
  }
  EXPECT_EQ(bad, 0);
  const std::vector<double>& seconds = session.step_seconds();
  EXPECT_FALSE(seconds.empty());
}

INSTANTIATE_TEST_SUITE_P(Sizes, SessionOddSizes, ::testing::Values(7, 10, 3),
                         [](const ::testing::TestParamInfo<int>& p) {
                           return std::to_string(p.param) + "x" + std::to_string(p.param);
                         });

}  // namespace
}  // namespace octet
