// The f32_conv_pool step (engine/runtime/steps/conv_pool_f32.h) and the plan pass that builds
// it (engine/fuse_conv_pool.h): random stems (a planar-input conv with Relu, 1 to 4 input
// channels, odd output channels, stride 1 and 2, symmetric and asymmetric padding) followed by
// a MaxPool (2x2 and 3x3, stride 1 and 2, padding, ceil_mode, dilation), compiled fused and
// unfused and run at batch 1 and 7 on 1 and 2 threads: the fused plan must give the unfused
// plan's outputs bit for bit (the same kernels on the same rows) and the reference executor's
// within the FP32 tolerance, also with 1- and 2-row bands and after a .octet round trip; a
// conv output that is also a graph output is not fused; the validator refuses a pool that does
// not fit its conv.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "engine/compile.h"
#include "engine/executor.h"
#include "engine/runtime/model_file.h"
#include "engine/runtime/steps/all.h"
#include "graph/passes/optimize.h"
#include "tests/optimize_test_util.h"
#include "tests/plan_run_test_util.h"

namespace octet {
namespace {

using opt_test::Builder;
using opt_test::integer;
using opt_test::ints;

struct Stem {
  int64_t in_c, out_c, h, w, k, stride;
  std::vector<int64_t> pads;        // conv: top, left, bottom, right
  int64_t pool_k, pool_stride, pool_dilation;
  std::vector<int64_t> pool_pads;   // top, left, bottom, right
  bool ceil_mode;
};

std::string label(const Stem& s) {
  auto n = [](int64_t v) { return std::to_string(v); };
  auto pads = [&](const std::vector<int64_t>& p) { return n(p[0]) + "," + n(p[1]) + "," + n(p[2]) + "," + n(p[3]); };
  return "conv " + n(s.in_c) + "->" + n(s.out_c) + " " + n(s.h) + "x" + n(s.w) + " k" + n(s.k) + " s" + n(s.stride) +
         " pads " + pads(s.pads) + " pool k" + n(s.pool_k) + " s" + n(s.pool_stride) + " d" + n(s.pool_dilation) +
         " pads " + pads(s.pool_pads) + (s.ceil_mode ? " ceil" : "");
}

// Conv + Relu -> MaxPool; with `conv_output`, the conv's output is a graph output too.
Graph stem_net(const Stem& s, bool conv_output = false) {
  Builder g;
  const int x = g.input("x", {-1, s.in_c, s.h, s.w});
  const int c = g.node(OpKind::Relu, "relu", {g.conv("conv", x, s.out_c, s.in_c, s.k, 3,
                                                      {{"strides", ints({s.stride, s.stride})}, {"pads", ints(s.pads)}})});
  g.output(g.node(OpKind::MaxPool, "pool", {c},
                  {{"kernel_shape", ints({s.pool_k, s.pool_k})},
                   {"strides", ints({s.pool_stride, s.pool_stride})},
                   {"dilations", ints({s.pool_dilation, s.pool_dilation})},
                   {"pads", ints(s.pool_pads)},
                   {"ceil_mode", integer(s.ceil_mode ? 1 : 0)}}));
  if (conv_output) g.output(c);
  return g.prepared();
}

Plan compile(const Graph& g, bool fuse) {
  CompileOptions o;
  o.conv_pool = fuse ? FusionRule::All : FusionRule::Off;
  o.autotune = false;
  return compile_plan(g, o);
}

std::vector<Stem> random_stems() {
  std::mt19937 rng(73);
  auto pick = [&](int lo, int hi) { return static_cast<int64_t>(std::uniform_int_distribution<int>(lo, hi)(rng)); };
  std::vector<Stem> stems;
  for (int i = 0; i < 20; ++i) {
    Stem s;
    s.in_c = pick(1, 4);
    s.out_c = pick(0, 2) == 0 ? 24 : pick(1, 37);
    s.k = pick(0, 2) == 0 ? 5 : 3;
    s.stride = pick(1, 2);
    s.h = pick(s.k + 4, 29);
    s.w = pick(s.k + 4, 23);
    const int64_t half = s.k / 2;
    s.pads = pick(0, 2) == 0 ? std::vector<int64_t>{pick(0, half), pick(0, s.k - 1), pick(0, half), 0}
                             : std::vector<int64_t>{half, half, half, half};
    s.pool_k = pick(2, 3);
    s.pool_stride = pick(1, 2);
    s.pool_dilation = i % 5 == 4 ? 2 : 1;
    s.pool_pads = pick(0, 1) == 0 ? std::vector<int64_t>{0, 0, 0, 0}
                                  : std::vector<int64_t>{pick(0, 1), pick(0, 1), pick(0, 1), pick(0, 1)};
    s.ceil_mode = i % 3 == 0;
    stems.push_back(s);
  }
  return stems;
}

TEST(ConvPool, FusedStemsGiveTheUnfusedBitsAndTheReference) {
  for (const Stem& s : random_stems()) {
    SCOPED_TRACE(label(s));
    const Graph reference = stem_net(s);
    Graph optimised = reference;
    optimize_graph(optimised);
    const Plan fused = compile(optimised, true);
    const Plan unfused = compile(optimised, false);
    ASSERT_EQ(plan_test::count_steps<ConvPoolF32Step>(fused), 1) << fused.describe();
    ASSERT_EQ(plan_test::count_steps<ConvPoolF32Step>(unfused), 0);
    EXPECT_EQ(fused.steps.size() + 1, unfused.steps.size());
    EXPECT_EQ(fused.buffers.size() + 1, unfused.buffers.size());
    const std::string text = fused.describe();
    EXPECT_NE(text.find("f32_conv_pool  band"), std::string::npos) << text;
    EXPECT_NE(text.find("planar input"), std::string::npos) << text;
    EXPECT_NE(text.find("] -> [max_pool"), std::string::npos) << text;
    plan_test::expect_fused_gives_unfused_bits(reference, fused, unfused, {s.in_c, s.h, s.w});
    if (HasFailure()) return;
  }
}

// Small bands: one and two pool rows per band force every band boundary (kept rows, the
// padding left above a band) on small images.
TEST(ConvPool, SmallBandsGiveTheSameBits) {
  for (const Stem& s : random_stems()) {
    SCOPED_TRACE(label(s));
    Graph g = stem_net(s);
    optimize_graph(g);
    Plan fused = compile(g, true);
    const Tensor in = opt_test::random_tensor({1, s.in_c, s.h, s.w}, 3, -2.f, 2.f);
    const std::vector<float> base = plan_test::run(compile(g, false), in, 1, 1);
    plan_test::expect_bands_give_the_same_bits<ConvPoolF32Step>(
        fused, in, base, {1, 2}, [](ConvPoolF32Step& c, int32_t rows) { c.band_rows = std::min(rows, c.pool.out_h); });
  }
}

// By default only stems with few MACs per conv output value are fused (kConvPoolMaxMacsPerValue):
// ShuffleNetV2's 3x3 over 3 channels (27), not ResNet's 7x7 over 3 (147); `all` fuses both.
TEST(ConvPool, DefaultFusesWhereItPays) {
  const Stem light{3, 24, 30, 30, 3, 2, {1, 1, 1, 1}, 3, 2, 1, {1, 1, 1, 1}, false};
  const Stem heavy{3, 16, 30, 30, 7, 2, {3, 3, 3, 3}, 3, 2, 1, {1, 1, 1, 1}, false};
  const Stem edge{4, 8, 30, 30, 4, 2, {1, 1, 2, 2}, 2, 2, 1, {0, 0, 0, 0}, false};   // 64: still pays
  const Stem past{1, 8, 30, 30, 9, 1, {4, 4, 4, 4}, 2, 2, 1, {0, 0, 0, 0}, false};   // 81
  for (const auto& [s, fused] : {std::pair{light, 1}, std::pair{heavy, 0}, std::pair{edge, 1}, std::pair{past, 0}}) {
    SCOPED_TRACE(label(s));
    Graph g = stem_net(s);
    optimize_graph(g);
    CompileOptions o;
    o.autotune = false;
    EXPECT_EQ(plan_test::count_steps<ConvPoolF32Step>(compile_plan(g, o)), fused);
    EXPECT_EQ(plan_test::count_steps<ConvPoolF32Step>(compile(g, true)), 1);
  }
}

// The conv's output read by something else too (here it is a graph output): two steps.
TEST(ConvPool, ConvOutputWithAnotherReaderIsNotFused) {
  const Stem s{3, 16, 20, 20, 3, 2, {1, 1, 1, 1}, 3, 2, 1, {1, 1, 1, 1}, false};
  Graph g = stem_net(s, true);
  optimize_graph(g);
  const Plan plan = compile(g, true);
  EXPECT_EQ(plan_test::count_steps<ConvPoolF32Step>(plan), 0) << plan.describe();
  Graph single = stem_net(s);
  optimize_graph(single);
  EXPECT_EQ(plan_test::count_steps<ConvPoolF32Step>(compile(single, true)), 1);
}

TEST(ConvPool, BandRowsKeepTheBandInTheBudgetInWholeConvBands) {
  ConvPlanarF32Step conv;   // ShuffleNetV2's stem: 112x112x24 in conv bands of 5 rows, pooled 3x3 s2 pad 1
  conv.shape.out_h = conv.shape.out_w = 112;
  conv.shape.out_c = 24;
  conv.band_rows = 5;
  kernels::PoolNhwcParams q{.in_h = 112, .in_w = 112, .channels = 24, .out_h = 56, .out_w = 56, .kernel_h = 3,
                            .kernel_w = 3, .stride_h = 2, .stride_w = 2, .pad_top = 1, .pad_left = 1,
                            .pad_bottom = 1, .pad_right = 1};
  const size_t row = 112 * 24 * 4;
  // 128 KB: 5 pool rows read 11 conv rows (118 KB); 10 new conv rows, two conv bands.
  EXPECT_EQ(conv_pool_band_rows(conv, q), 5);
  EXPECT_LE((5 * 2 + 1) * row, kConvPoolBandBytes);
  EXPECT_GT((6 * 2 + 1) * row, kConvPoolBandBytes);
  conv.band_rows = 3;   // a stride-2 pool over conv bands of 3 rows: 3 pool rows, 6 conv rows
  EXPECT_EQ(conv_pool_band_rows(conv, q), 3);
  conv.shape.out_c = 64;   // ResNet's: 3 conv rows fill the budget, whole conv bands still
  EXPECT_EQ(conv_pool_band_rows(conv, q), 3);
  conv.band_rows = 1;
  EXPECT_EQ(conv_pool_band_rows(conv, q), 1);
  conv.shape.out_h = conv.shape.out_w = q.in_h = q.in_w = 9;
  q.out_h = q.out_w = 5;
  EXPECT_EQ(conv_pool_band_rows(conv, q), 5);   // a small map is one band
  ConvPoolF32Step step;
  step.pool = q;
  step.band_rows = 2;
  EXPECT_EQ(step.min_chunk_rows(), 5);   // a thread's rows in one call
}

TEST(ConvPool, ValidatorRefusesAPoolThatDoesNotFit) {
  Graph g = stem_net({3, 24, 30, 26, 3, 2, {1, 1, 1, 1}, 3, 2, 1, {1, 1, 1, 1}, false});
  optimize_graph(g);
  const Plan plan = compile(g, true);
  const std::vector<void (*)(ConvPoolF32Step&)> edits = {
      [](ConvPoolF32Step& c) { c.band_rows = 0; },
      [](ConvPoolF32Step& c) { c.band_rows = c.pool.out_h + 1; },
      [](ConvPoolF32Step& c) { c.pool.channels += 1; },
      [](ConvPoolF32Step& c) { c.pool.in_h -= 1; },
      [](ConvPoolF32Step& c) { c.conv.band_rows = 0; },
      [](ConvPoolF32Step& c) { c.conv.weights_offset += 64 * 1024 * 1024; },
      // Each within range, but the window's extent (2^32 + 1) is not: int32 offsets wrapped.
      [](ConvPoolF32Step& c) {
        c.pool.kernel_w = 257;
        c.pool.dilation_w = 1 << 24;
      },
  };
  validate_plan(plan);
  plan_test::expect_edits_refused(plan, edits);
}

}  // namespace
}  // namespace octet
