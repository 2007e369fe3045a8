// The f32_conv_chain step (engine/runtime/steps/conv_chain_f32.h) and the plan pass that
// builds it (engine/fuse_conv_chain.h): random inverted-residual blocks (odd channels, stride
// 1 and 2, 3x3 and 5x5, symmetric and asymmetric padding, with and without the expand, the
// project and the residual) compiled fused and unfused, run at batch 1 and 7 on 1 and 2
// threads; the fused plan must give the unfused plan's outputs (the same kernels on the same
// rows, so the same bits) and the reference executor's within the FP32 tolerance, and survive
// a .octet round trip; the validator refuses a chain whose stages do not fit together.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "engine/compile.h"
#include "engine/executor.h"
#include "engine/fuse_conv_chain.h"
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

struct Block {
  int64_t in_c, hidden, out_c, h, w, k, stride;
  std::vector<int64_t> pads;   // top, left, bottom, right
  bool expand, project;
};

std::string label(const Block& b) {
  return "in " + std::to_string(b.in_c) + " hidden " + std::to_string(b.hidden) + " out " + std::to_string(b.out_c) +
         " " + std::to_string(b.h) + "x" + std::to_string(b.w) + " k" + std::to_string(b.k) + " s" +
         std::to_string(b.stride) + " pads " + std::to_string(b.pads[0]) + "," + std::to_string(b.pads[1]) + "," +
         std::to_string(b.pads[2]) + "," + std::to_string(b.pads[3]) + (b.expand ? " expand" : "") +
         (b.project ? " project" : "");
}

bool has_residual(const Block& b) { return b.project && b.stride == 1 && b.in_c == b.out_c && b.pads[0] + b.pads[2] == b.k - 1 && b.pads[1] + b.pads[3] == b.k - 1; }

int clip6(Builder& g, const std::string& name, int x) {
  return g.node(OpKind::Clip, name, {x, g.constant(name + ".lo", opt_test::scalar(0.f)), g.constant(name + ".hi", opt_test::scalar(6.f))});
}

// An inverted-residual block: 1x1 + ReLU6, depthwise + ReLU6, 1x1 (+ the block input).
Graph block_net(const Block& b) {
  Builder g;
  const int x = g.input("x", {-1, b.in_c, b.h, b.w});
  int t = x;
  if (b.expand) t = clip6(g, "expand_clip", g.conv("expand", t, b.hidden, b.in_c, 1, 3));
  const int64_t dw_c = b.expand ? b.hidden : b.in_c;
  t = clip6(g, "dw_clip", g.conv("dw", t, dw_c, 1, b.k, 7, {{"group", integer(dw_c)}, {"strides", ints({b.stride, b.stride})},
                                                           {"pads", ints(b.pads)}}));
  if (b.project) {
    t = g.conv("project", t, b.out_c, dw_c, 1, 11);
    if (has_residual(b)) t = g.node(OpKind::Add, "residual", {t, x});
  }
  g.output(t);
  return g.prepared();
}

Plan compile(const Graph& g, bool fuse) {
  CompileOptions o;
  o.conv_chains = fuse ? FusionRule::All : FusionRule::Off;
  o.autotune = false;
  return compile_plan(g, o);
}

std::vector<Block> random_blocks() {
  std::mt19937 rng(14);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  std::vector<Block> blocks;
  for (int i = 0; i < 24; ++i) {
    Block b;
    b.k = pick(0, 1) ? 5 : 3;
    b.stride = pick(1, 2);
    b.in_c = pick(2, 21);
    b.hidden = b.in_c * pick(1, 6) + pick(0, 3);
    b.out_c = pick(0, 2) == 0 ? b.in_c : pick(1, 19);
    b.h = pick(b.k, 23);
    b.w = pick(b.k, 19);
    const int64_t half = b.k / 2;
    if (pick(0, 2) == 0) b.pads = {pick(0, static_cast<int>(half)), pick(0, static_cast<int>(b.k - 1)), pick(0, static_cast<int>(half)), 0};
    else b.pads = {half, half, half, half};
    const int form = pick(0, 3);   // both, no expand, no project, both
    b.expand = form != 1;
    b.project = form != 2;
    blocks.push_back(b);
  }
  return blocks;
}

TEST(ConvChain, FusedBlocksGiveTheUnfusedBitsAndTheReference) {
  for (const Block& b : random_blocks()) {
    SCOPED_TRACE(label(b));
    const Graph reference = block_net(b);
    Graph optimised = reference;
    optimize_graph(optimised);
    const Plan fused = compile(optimised, true);
    const Plan unfused = compile(optimised, false);
    ASSERT_EQ(plan_test::count_steps<ConvChainF32Step>(fused), 1) << fused.describe();
    ASSERT_EQ(plan_test::count_steps<ConvChainF32Step>(unfused), 0);
    EXPECT_EQ(fused.steps.size() + (b.expand && b.project ? 2 : 1), unfused.steps.size());
    EXPECT_LT(fused.buffers.size(), unfused.buffers.size());
    const std::string text = fused.describe();
    EXPECT_NE(text.find("f32_conv_chain  band"), std::string::npos) << text;
    EXPECT_EQ(text.find("+residual") != std::string::npos, has_residual(b)) << text;
    plan_test::expect_fused_gives_unfused_bits(reference, fused, unfused, {b.in_c, b.h, b.w});
  }
}

// Small bands: one and three output rows per band force every band boundary (kept rows, the padding
// left above a band) on images small enough to test quickly.
TEST(ConvChain, OneRowBandsGiveTheSameBits) {
  for (const Block& b : random_blocks()) {
    SCOPED_TRACE(label(b));
    Graph g = block_net(b);
    optimize_graph(g);
    Plan fused = compile(g, true);
    const std::vector<float> base = [&] {
      const Tensor in = opt_test::random_tensor({1, b.in_c, b.h, b.w}, 3, -2.f, 2.f);
      return plan_test::run(compile(g, false), in, 1, 1);
    }();
    const Tensor in = opt_test::random_tensor({1, b.in_c, b.h, b.w}, 3, -2.f, 2.f);
    plan_test::expect_bands_give_the_same_bits<ConvChainF32Step>(
        fused, in, base, {1, 3}, [](ConvChainF32Step& c, int32_t rows) { c.band_rows = std::min(rows, c.depthwise.shape.out_h); });
  }
}

// An intermediate with another reader (here a second output) stays a buffer: no chain.
TEST(ConvChain, IntermediateWithAnotherReaderIsNotFused) {
  Builder g;
  const int x = g.input("x", {-1, 8, 12, 12});
  const int e = clip6(g, "expand_clip", g.conv("expand", x, 24, 8, 1, 3));
  const int d = clip6(g, "dw_clip", g.conv("dw", e, 24, 1, 3, 7, {{"group", integer(24)}, {"pads", ints({1, 1, 1, 1})}}));
  g.output(g.conv("project", d, 8, 24, 1, 11));
  g.output(e);
  Graph graph = g.prepared();
  optimize_graph(graph);
  const Plan plan = compile(graph, true);
  ASSERT_EQ(plan_test::count_steps<ConvChainF32Step>(plan), 1) << plan.describe();   // dw -> project only
  for (const Step& s : plan.steps) {
    if (auto* c = s.params_if<ConvChainF32Step>()) {
      EXPECT_FALSE(c->has_expand);
    }
  }
}

TEST(ConvChain, BandRowsKeepTheBandsInTheBudget) {
  kernels::ConvNhwcParams d;
  d.in_h = d.in_w = 112;
  d.out_h = d.out_w = 56;
  d.in_c = d.out_c = 96;
  d.kernel_h = d.kernel_w = 3;
  d.stride_h = d.stride_w = 2;
  const int32_t rows = conv_chain_band_rows(true, true, d);
  const size_t in_row = 112 * 96 * 4, out_row = 56 * 96 * 4;
  EXPECT_GE(rows, 1);
  EXPECT_LE((rows * 2 + 1) * in_row + rows * out_row, kConvChainBandBytes);
  EXPECT_GT(((rows + 1) * 2 + 1) * in_row + (rows + 1) * out_row, kConvChainBandBytes);
  d.in_h = d.in_w = d.out_h = d.out_w = 7;
  EXPECT_EQ(conv_chain_band_rows(true, true, d), 7);   // a small map is one band
}

TEST(ConvChain, ValidatorRefusesStagesThatDoNotFit) {
  Graph g = block_net({9, 40, 9, 14, 13, 3, 1, {1, 1, 1, 1}, true, true});
  optimize_graph(g);
  const Plan plan = compile(g, true);
  const std::vector<void (*)(ConvChainF32Step&)> edits = {
      [](ConvChainF32Step& c) { c.band_rows = 0; },
      [](ConvChainF32Step& c) { c.band_rows = c.depthwise.shape.out_h + 1; },
      [](ConvChainF32Step& c) { c.depthwise.shape.in_c = c.depthwise.shape.out_c = c.depthwise.shape.in_c * 2; },
      [](ConvChainF32Step& c) { c.expand.shape.out_c += 1; },
      [](ConvChainF32Step& c) { c.project.shape.in_c -= 1; },
      [](ConvChainF32Step& c) { c.expand.shape.kernel_h = 3; },
      [](ConvChainF32Step& c) { c.project.weights_offset += 64 * 1024 * 1024; },
      [](ConvChainF32Step& c) { c.has_expand = c.has_project = false; },
  };
  plan_test::expect_edits_refused(plan, edits);
}

}  // namespace
}  // namespace octet
