// The f32_conv_planar step (engine/runtime/steps/conv_planar_f32.h): a conv reading the planar
// (NCHW) graph input itself. Random convs (1 to 4 input channels, odd output channels, 2x2 to
// 7x7 windows, stride 1 and 2, dilation, symmetric and asymmetric padding, fused activations)
// must compile to it without an nchw_to_nhwc step, give the reference executor's outputs within
// the FP32 tolerance at batch 1 and 7 on 1 and 2 threads, the same bits with bands of 1 and 3
// rows, and the same after a .octet round trip; more input channels, groups and 1x1 convs keep
// the layout step.
#include <gtest/gtest.h>

#include <algorithm>
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
using plan_test::expect_same;

struct Layer {
  int64_t in_c, out_c, h, w, k, stride, dilation;
  std::vector<int64_t> pads;   // top, left, bottom, right
  bool relu6;
};

std::string label(const Layer& l) {
  auto s = [](int64_t v) { return std::to_string(v); };
  return "in " + s(l.in_c) + " out " + s(l.out_c) + " " + s(l.h) + "x" + s(l.w) + " k" + s(l.k) + " s" + s(l.stride) +
         " d" + s(l.dilation) + " pads " + s(l.pads[0]) + "," + s(l.pads[1]) + "," + s(l.pads[2]) + "," + s(l.pads[3]) +
         (l.relu6 ? " relu6" : "");
}

Graph layer_net(const Layer& l) {
  Builder g;
  const int x = g.input("x", {-1, l.in_c, l.h, l.w});
  int t = g.conv("conv", x, l.out_c, l.in_c, l.k, 3,
                 {{"strides", ints({l.stride, l.stride})}, {"pads", ints(l.pads)},
                  {"dilations", ints({l.dilation, l.dilation})}});
  if (l.relu6)
    t = g.node(OpKind::Clip, "clip", {t, g.constant("lo", opt_test::scalar(0.f)), g.constant("hi", opt_test::scalar(6.f))});
  g.output(t);
  return g.prepared();
}

Plan compile(const Graph& g) {
  CompileOptions o;
  o.autotune = false;
  return compile_plan(g, o);
}

int count_steps(const Plan& p, const StepType& type) {
  int n = 0;
  for (const Step& s : p.steps) n += s.type == &type;
  return n;
}

std::vector<Layer> random_layers() {
  std::mt19937 rng(25);
  auto pick = [&](int lo, int hi) { return static_cast<int64_t>(std::uniform_int_distribution<int>(lo, hi)(rng)); };
  std::vector<Layer> layers;
  for (int i = 0; i < 24; ++i) {
    Layer l;
    l.in_c = pick(1, 4);
    l.out_c = pick(0, 2) == 0 ? 16 * pick(1, 2) : pick(1, 37);
    const int64_t ks[] = {2, 3, 3, 5, 7};
    l.k = ks[pick(0, 4)];
    l.stride = pick(1, 2);
    l.dilation = l.k > 1 && pick(0, 4) == 0 ? 2 : 1;
    const int64_t span = (l.k - 1) * l.dilation + 1;
    l.h = pick(static_cast<int>(span), 29);
    l.w = pick(static_cast<int>(span), 41);
    const int64_t half = (span - 1) / 2;
    if (pick(0, 2) == 0)
      l.pads = {pick(0, static_cast<int>(half)), pick(0, static_cast<int>(span - 1)), 0, pick(0, static_cast<int>(half))};
    else
      l.pads = {half, half, half, half};
    l.relu6 = pick(0, 1) == 1;
    layers.push_back(l);
  }
  layers.push_back({3, 16, 64, 64, 3, 2, 1, {1, 1, 1, 1}, true});   // a stem, several bands
  return layers;
}

TEST(ConvPlanar, RandomLayersGiveTheReference) {
  for (const Layer& l : random_layers()) {
    SCOPED_TRACE(label(l));
    const Graph reference = layer_net(l);
    Graph optimised = reference;
    optimize_graph(optimised);
    const Plan plan = compile(optimised);
    ASSERT_EQ(count_steps(plan, ConvPlanarF32Step::kType), 1) << plan.describe();
    EXPECT_EQ(count_steps(plan, NchwToNhwcStep::kType), 0) << plan.describe();
    const std::string text = plan.describe();
    EXPECT_NE(text.find("planar input"), std::string::npos) << text;
    const Plan loaded = load_model_file(model_file_bytes(plan));
    EXPECT_EQ(loaded.describe(), text);
    for (const int batch : {1, 7}) {
      const Tensor in = opt_test::random_tensor({batch, l.in_c, l.h, l.w}, 5 + static_cast<uint32_t>(batch), -2.f, 2.f);
      const Tensor want = ReferenceExecutor(reference).run(std::span<const Tensor>(&in, 1)).at(0);
      const std::vector<float> base = plan_test::run(plan, in, batch, 1);
      plan_test::expect_close(base, want, "batch " + std::to_string(batch));
      expect_same(plan_test::run(plan, in, batch, 2), base, "2 threads");
      expect_same(plan_test::run(loaded, in, batch, 2), base, ".octet");
    }
  }
}

// Bands of one and three output rows: every band boundary (rows read by two bands, the padding
// rows above and below) gives the bits of the default bands.
TEST(ConvPlanar, SmallBandsGiveTheSameBits) {
  for (const Layer& l : random_layers()) {
    SCOPED_TRACE(label(l));
    Graph g = layer_net(l);
    optimize_graph(g);
    Plan plan = compile(g);
    const Tensor in = opt_test::random_tensor({1, l.in_c, l.h, l.w}, 9, -2.f, 2.f);
    const std::vector<float> base = plan_test::run(plan, in, 1, 1);
    plan_test::expect_bands_give_the_same_bits<ConvPlanarF32Step>(
        plan, in, base, {1, 3}, [](ConvPlanarF32Step& c, int32_t rows) { c.band_rows = std::min(rows, c.shape.out_h); });
  }
}

TEST(ConvPlanar, BandRowsKeepTheBandInTheBudget) {
  kernels::ConvNhwcParams p;
  p.in_h = p.in_w = 224;
  p.out_h = p.out_w = 112;
  p.in_c = 3;
  p.out_c = 32;
  p.kernel_h = p.kernel_w = 3;
  p.stride_h = p.stride_w = 2;
  p.pad_top = p.pad_left = 1;
  const int32_t rows = conv_planar_band_rows(p);
  const size_t row_bytes = 225 * 3 * 4;   // (112 - 1) * 2 + 3 columns
  EXPECT_LE((rows * 2 + 1) * row_bytes, kConvPlanarBandBytes);
  EXPECT_GT(((rows + 1) * 2 + 1) * row_bytes, kConvPlanarBandBytes);
  p.in_h = p.in_w = 8;
  p.out_h = p.out_w = 4;
  EXPECT_EQ(conv_planar_band_rows(p), 4);   // a small image is one band
}

// Five channels go through the layout step and the NHWC conv; so do a grouped conv and a 1x1
// conv (which a conv chain may take).
TEST(ConvPlanar, OnlyFewChannelsAndUngroupedConvsReadPlanes) {
  Graph pointwise = layer_net({3, 8, 12, 12, 1, 1, 1, {0, 0, 0, 0}, false});
  optimize_graph(pointwise);
  const Plan o = compile(pointwise);
  EXPECT_EQ(count_steps(o, ConvPlanarF32Step::kType), 0) << o.describe();
  EXPECT_EQ(count_steps(o, NchwToNhwcStep::kType), 1) << o.describe();
  Graph wide = layer_net({5, 8, 12, 12, 3, 1, 1, {1, 1, 1, 1}, false});
  optimize_graph(wide);
  const Plan p = compile(wide);
  EXPECT_EQ(count_steps(p, ConvPlanarF32Step::kType), 0) << p.describe();
  EXPECT_EQ(count_steps(p, NchwToNhwcStep::kType), 1) << p.describe();
  Builder g;
  const int x = g.input("x", {-1, 4, 10, 10});
  g.output(g.conv("dw", x, 4, 1, 3, 7, {{"group", integer(4)}, {"pads", ints({1, 1, 1, 1})}}));
  Graph grouped = g.prepared();
  optimize_graph(grouped);
  const Plan q = compile(grouped);
  EXPECT_EQ(count_steps(q, ConvPlanarF32Step::kType), 0) << q.describe();
  EXPECT_EQ(count_steps(q, NchwToNhwcStep::kType), 1) << q.describe();
}

TEST(ConvPlanar, ValidatorRefusesBandsOutsideTheImage) {
  Graph g = layer_net({3, 16, 20, 20, 3, 2, 1, {1, 1, 1, 1}, false});
  optimize_graph(g);
  for (const int32_t rows : {0, 11}) {
    Plan plan = compile(g);
    for (Step& s : plan.steps)
      if (auto* c = s.params_if<ConvPlanarF32Step>()) c->band_rows = rows;
    EXPECT_THROW(validate_plan(plan), Error) << rows;
  }
}

}  // namespace
}  // namespace octet
