// Broadcast element-wise operators, standalone BatchNormalization and the smooth conv
// epilogues on the optimised runtime, end to end: a small net of the EfficientNet /
// MobileNetV3 kind (a conv with SiLU written as Mul(x, Sigmoid(x)), a depthwise conv with
// HardSwish written as Mul(x, HardSigmoid(x)), a squeeze-excitation block whose gate is a
// conv with a fused Sigmoid or HardSigmoid and whose scale is a [N,C,1,1] x [N,C,H,W] Mul,
// Sub / Div / Add by constants, a standalone 4-D BatchNormalization on a graph input's
// branch) and an MLP with BatchNormalization after Gemm (folded into the Gemm, its Relu
// fused: graph/passes/fold_conv_affine.cpp, fuse_conv_activation.cpp), run with 1 and 2 threads at batch
// 1 and 7 and through a .octet round trip, against the reference executor. The plans name
// the fused activations and the f32_binary steps, and the optimiser's fusion leaves the
// reference outputs unchanged.
#include <gtest/gtest.h>

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
using opt_test::flt;
using opt_test::integer;
using opt_test::ints;
using opt_test::random_tensor;
using plan_test::expect_close;
using plan_test::run;

constexpr int64_t kH = 9, kW = 7;

// BatchNormalization of `x` with `c` channels and random statistics (variance positive).
int batch_norm(Builder& b, const std::string& name, int x, int64_t c, uint32_t seed) {
  return b.node(OpKind::BatchNormalization, name,
                {x, b.constant(name + ".scale", random_tensor({c}, seed, 0.5f, 1.5f)),
                 b.constant(name + ".B", random_tensor({c}, seed + 1)),
                 b.constant(name + ".mean", random_tensor({c}, seed + 2)),
                 b.constant(name + ".var", random_tensor({c}, seed + 3, 0.2f, 2.f))},
                {{"epsilon", flt(1e-3f)}});
}

Graph squeeze_excitation_net() {
  Builder b;
  const int x = b.input("x", {-1, 3, kH, kW});
  // Stem conv + SiLU as exporters write it.
  const int stem = b.conv("stem", x, 13, 3, 3, 1, {{"pads", ints({1, 1, 1, 1})}});
  const int silu = b.node(OpKind::Mul, "silu", {stem, b.node(OpKind::Sigmoid, "stem_sigmoid", {stem})});
  // Depthwise + HardSwish as x * HardSigmoid(x) (gate first in the Mul).
  const int dw = b.conv("dw", silu, 13, 1, 3, 3, {{"group", integer(13)}, {"pads", ints({1, 0, 1, 2})}});
  const int hs_gate = b.node(OpKind::HardSigmoid, "dw_gate", {dw}, {{"alpha", flt(1.f / 6.f)}, {"beta", flt(0.5f)}});
  const int hswish = b.node(OpKind::Mul, "hswish", {hs_gate, dw});
  // Squeeze-excitation: pool, 1x1 conv + Relu, 1x1 conv + Sigmoid gate, scale.
  const int pooled = b.node(OpKind::GlobalAveragePool, "se_pool", {hswish});
  const int fc1 = b.node(OpKind::Relu, "se_relu", {b.conv("se_fc1", pooled, 5, 13, 1, 5)});
  const int gate = b.node(OpKind::Sigmoid, "se_gate", {b.conv("se_fc2", fc1, 13, 5, 1, 7)});
  const int scaled = b.node(OpKind::Mul, "se_scale", {hswish, gate});
  // A second SE with MobileNetV3's HardSigmoid gate, the scale on the left.
  const int gate2 = b.node(OpKind::HardSigmoid, "se2_gate", {b.conv("se2_fc", b.node(OpKind::GlobalAveragePool, "se2_pool", {scaled}), 13, 13, 1, 9)},
                           {{"alpha", flt(1.f / 6.f)}, {"beta", flt(0.5f)}});
  const int scaled2 = b.node(OpKind::Mul, "se2_scale", {gate2, scaled});
  // Constants: per-channel Sub, scalar Div, per-row Add ([W] along the last axis).
  const int sub = b.node(OpKind::Sub, "sub", {scaled2, b.constant("shift", random_tensor({13, 1, 1}, 11))});
  const int div = b.node(OpKind::Div, "div", {sub, b.constant("two", opt_test::scalar(2.f))});
  const int add = b.node(OpKind::Add, "add_w", {b.constant("along_w", random_tensor({kW}, 12)), div});
  // A standalone BatchNormalization (its input is not a conv output), merged by Add.
  const int bn = batch_norm(b, "bn", add, 13, 20);
  b.output(b.node(OpKind::Relu, "out_relu", {bn}));
  return b.prepared();
}

Graph autoencoder() {
  Builder b;
  const int x = b.input("x", {-1, 20});
  int h = x;
  int64_t in = 20;
  for (int layer = 0; layer < 3; ++layer) {
    const int64_t out = layer == 1 ? 7 : 11;
    const std::string name = "fc" + std::to_string(layer);
    const int gemm = b.node(OpKind::Gemm, name,
                            {h, b.constant(name + ".W", random_tensor({out, in}, 30 + layer)),
                             b.constant(name + ".B", random_tensor({out}, 40 + layer))},
                            {{"transB", integer(1)}});
    h = b.node(OpKind::Relu, name + "_relu", {batch_norm(b, name + "_bn", gemm, out, 50 + layer)});
    in = out;
  }
  b.output(h);
  return b.prepared();
}

void expect_plan_matches_reference(const Graph& reference, const std::vector<int64_t>& image_dims,
                                   const std::vector<std::string>& plan_must_show) {
  Graph optimised = reference;
  optimize_graph(optimised);
  for (const int batch : {1, 7}) {
    std::vector<int64_t> dims{batch};
    dims.insert(dims.end(), image_dims.begin(), image_dims.end());
    const Tensor in = random_tensor(dims, 21 + batch, -2.f, 2.f);
    const Tensor want = ReferenceExecutor(reference).run(std::span<const Tensor>(&in, 1)).at(0);
    const Tensor fused = ReferenceExecutor(optimised).run(std::span<const Tensor>(&in, 1)).at(0);
    const std::vector<float> fused_values(fused.data<float>(), fused.data<float>() + fused.numel());
    expect_close(fused_values, want, "the optimised graph on the reference executor");
    const Plan plan = compile_plan(optimised);
    const std::string text = plan.describe();
    for (const std::string& s : plan_must_show) EXPECT_NE(text.find(s), std::string::npos) << s << "\n" << text;
    const std::string what = "batch " + std::to_string(batch);
    for (const int threads : {1, 2})
      expect_close(run(plan, in, batch, threads), want, what + ", threads " + std::to_string(threads));
    const Plan loaded = load_model_file(model_file_bytes(plan));
    EXPECT_EQ(loaded.describe(), text);
    expect_close(run(loaded, in, batch, 2), want, what + ", .octet round trip");
  }
}

TEST(BinaryModel, SqueezeExcitationNetMatchesTheReference) {
  const Graph g = squeeze_excitation_net();
  Graph optimised = g;
  optimize_graph(optimised);
  // Every Sigmoid and HardSigmoid fused; the Muls left are the two SE scales.
  EXPECT_EQ(opt_test::count_op(optimised, OpKind::Sigmoid), 0);
  EXPECT_EQ(opt_test::count_op(optimised, OpKind::HardSigmoid), 0);
  EXPECT_EQ(opt_test::count_op(optimised, OpKind::Mul), 2);
  expect_plan_matches_reference(g, {3, kH, kW},
                                {" silu", "depthwise hard_swish", " sigmoid", " hard_sigmoid(0.166667, 0.500000)",
                                 "binary mul", "binary sub", "binary div", "binary add", "binary affine"});
}

TEST(BinaryModel, BatchNormalizationAfterGemmFoldsAndMatchesTheReference) {
  Graph optimised = autoencoder();
  optimize_graph(optimised);
  EXPECT_EQ(opt_test::ops_of(optimised), std::vector<OpKind>(3, OpKind::Gemm));
  expect_plan_matches_reference(autoencoder(), {20}, {"1x20 -> 11 relu", "1x11 -> 7 relu", "1x7 -> 11 relu"});
}

// x feeds a third node: the x * f(x) form must stay unfused (the conv's output is needed as
// is), and a HardSigmoid with other constants than HardSwish's is not a HardSwish.
TEST(BinaryModel, SmoothActivationsFuseOnlyWhereTheyMay) {
  for (const bool third_reader : {true, false}) {
    Builder b;
    const int x = b.input("x", {-1, 3, 5, 5});
    const int c = b.conv("conv", x, 4, 3, 1, 1);
    const int gate = b.node(OpKind::HardSigmoid, "gate", {c}, {{"alpha", flt(0.2f)}, {"beta", flt(0.5f)}});
    const int mul = b.node(OpKind::Mul, "mul", {c, gate});
    b.output(third_reader ? b.node(OpKind::Add, "also", {mul, c}) : mul);
    const Graph before = b.prepared();
    Graph after = before;
    EXPECT_FALSE(fuse_conv_activation(after));
    EXPECT_EQ(opt_test::count_op(after, OpKind::Mul), 1);
  }
}

}  // namespace
}  // namespace octet
