// The folding passes of graph/passes/optimize.h on hand-built graphs: what they rewrite (node
// kinds, folded weights against values computed here), what they must leave alone, and that
// the reference executor computes the same outputs before and after.
#include <gtest/gtest.h>

#include <cmath>

#include "graph/passes/optimize.h"
#include "optimize_test_util.h"

namespace octet {
namespace {

using namespace opt_test;

const std::vector<Tensor> kInput = {random_tensor({2, 3, 6, 6}, 7, -2.f, 2.f)};

// ---- fold_conv_affine --------------------------------------------------------------------

TEST(FoldConvAffine, BatchNormalizationFoldsIntoWeightAndBias) {
  Builder b;
  const int x = b.input("x", {-1, 3, 6, 6});
  const int c = b.conv("conv", x, 4, 3, 3, 1, {{"pads", ints({1, 1, 1, 1})}});
  const int bn = b.node(OpKind::BatchNormalization, "bn",
                        {c, b.constant("s", random_tensor({4}, 2)), b.constant("t", random_tensor({4}, 3)),
                         b.constant("mean", random_tensor({4}, 4)), b.constant("var", random_tensor({4}, 5, 0.5f, 2.f))},
                        {{"epsilon", flt(1e-3f)}});
  b.output(bn);
  const Graph before = b.prepared();
  Graph after = before;
  EXPECT_TRUE(fold_conv_affine(after));
  ASSERT_EQ(ops_of(after), std::vector<OpKind>{OpKind::Conv});
  const Node& conv = after.nodes[0];
  EXPECT_EQ(conv.outputs[0], bn);   // the Conv now produces the graph output

  // W'[m] = W[m] * s[m] / sqrt(var[m] + eps), b'[m] = (b[m] - mean[m]) * that + t[m].
  auto val = [&](const char* name) { return before.value(before.find_value(name)).constant->values<float>(); };
  const auto w = val("conv.W"), bias = val("conv.B"), s = val("s"), t = val("t"), mean = val("mean"), var = val("var");
  const auto w2 = after.value(conv.inputs[1]).constant->values<float>();
  const auto b2 = after.value(conv.inputs[2]).constant->values<float>();
  ASSERT_EQ(w2.size(), 4u * 27);
  for (size_t m = 0; m < 4; ++m) {
    const double k = s[m] / std::sqrt(double(var[m]) + 1e-3);
    for (size_t i = 0; i < 27; ++i) EXPECT_NEAR(w2[m * 27 + i], w[m * 27 + i] * k, 1e-6) << m << "," << i;
    EXPECT_NEAR(b2[m], (bias[m] - mean[m]) * k + t[m], 1e-6) << m;
  }
  expect_same_outputs(before, after, kInput);
  EXPECT_FALSE(fold_conv_affine(after));   // nothing left to fold
}

TEST(FoldConvAffine, MulAddSubChainOfChannelConstantsFolds) {
  Builder b;
  const int x = b.input("x", {-1, 3, 6, 6});
  // No bias: the fold creates one. Constants in every accepted broadcast form.
  const int c = b.conv("conv", x, 5, 3, 3, 1, {}, /*bias=*/false);
  const int mul = b.node(OpKind::Mul, "mul", {b.constant("k", random_tensor({1, 5, 1, 1}, 2)), c});
  const int add = b.node(OpKind::Add, "add", {mul, b.constant("a", random_tensor({5, 1, 1}, 3))});
  const int sub = b.node(OpKind::Sub, "sub", {add, b.constant("z", scalar(0.25f))});
  b.output(b.node(OpKind::Relu, "relu", {sub}));
  const Graph before = b.prepared();
  Graph after = before;
  EXPECT_TRUE(fold_conv_affine(after));
  EXPECT_EQ(ops_of(after), (std::vector<OpKind>{OpKind::Conv, OpKind::Relu}));
  const Node& conv = after.nodes[0];
  ASSERT_TRUE(conv.has_input(2));
  const auto k = before.value(before.find_value("k")).constant->values<float>();
  const auto a = before.value(before.find_value("a")).constant->values<float>();
  const auto w = before.value(before.find_value("conv.W")).constant->values<float>();
  const auto w2 = after.value(conv.inputs[1]).constant->values<float>();
  const auto b2 = after.value(conv.inputs[2]).constant->values<float>();
  for (size_t m = 0; m < 5; ++m) {
    EXPECT_NEAR(w2[m * 27 + 4], w[m * 27 + 4] * k[m], 1e-6);
    EXPECT_NEAR(b2[m], a[m] - 0.25f, 1e-6);
  }
  expect_same_outputs(before, after, kInput);
}

TEST(FoldConvAffine, SharedWeightsAreCopiedNotChanged) {
  Builder b;
  const int x = b.input("x", {-1, 3, 6, 6});
  const int w = b.constant("W", random_tensor({2, 3, 1, 1}, 1));
  const int c1 = b.node(OpKind::Conv, "c1", {x, w});
  const int c2 = b.node(OpKind::Conv, "c2", {x, w});
  b.output(b.node(OpKind::Mul, "mul", {c1, b.constant("k", scalar(3.f))}));
  b.output(c2);
  const Graph before = b.prepared();
  Graph after = before;
  EXPECT_TRUE(fold_conv_affine(after));
  EXPECT_EQ(count_op(after, OpKind::Mul), 0);
  EXPECT_NE(after.nodes[0].inputs[1], w);   // c1 got its own scaled copy
  EXPECT_EQ(after.nodes[1].inputs[1], w);
  EXPECT_EQ(after.value(w).constant->values<float>()[0], before.value(w).constant->values<float>()[0]);
  expect_same_outputs(before, after, kInput);
}

TEST(FoldConvAffine, LeavesNonFoldableCasesAlone) {
  Builder b;
  const int x = b.input("x", {-1, 3, 6, 6});
  // Conv output that is also a graph output.
  const int c1 = b.conv("c1", x, 4, 3, 1, 1);
  b.output(c1);
  b.output(b.node(OpKind::Mul, "m1", {c1, b.constant("k1", scalar(2.f))}));
  // Conv output read twice.
  const int c2 = b.conv("c2", x, 4, 3, 1, 2);
  b.output(b.node(OpKind::Add, "a2", {c2, b.constant("k2", scalar(2.f))}));
  b.output(b.node(OpKind::Relu, "r2", {c2}));
  // Constant varying along width, and one of shape [C] (aligned with width, not channels).
  const int c3 = b.conv("c3", x, 6, 3, 1, 3);
  b.output(b.node(OpKind::Mul, "m3", {c3, b.constant("k3", random_tensor({1, 1, 1, 6}, 4))}));
  const int c4 = b.conv("c4", x, 6, 3, 1, 5);
  b.output(b.node(OpKind::Add, "a4", {c4, b.constant("k4", random_tensor({6}, 6))}));
  // constant - conv (would negate the weights; not folded), and a Mul by a run-time value.
  const int c5 = b.conv("c5", x, 4, 3, 1, 7);
  b.output(b.node(OpKind::Sub, "s5", {b.constant("k5", scalar(1.f)), c5}));
  const int c6 = b.conv("c6", x, 4, 3, 1, 8);
  b.output(b.node(OpKind::Mul, "m6", {c6, b.input("y", {1})}));
  Graph g = b.prepared();
  const size_t nodes = g.nodes.size();
  EXPECT_FALSE(fold_conv_affine(g));
  EXPECT_EQ(g.nodes.size(), nodes);
}

// ---- fold_pad_into_conv ------------------------------------------------------------------

TEST(FoldPadIntoConv, ConstantPadsInputMergesIntoConvPads) {
  Builder b;
  const int x = b.input("x", {-1, 3, 6, 6});
  const int pad = b.node(OpKind::Pad, "pad", {x, b.constant("pads", i64({0, 0, 0, 1, 0, 0, 1, 1}))});
  b.output(b.conv("conv", pad, 4, 3, 3, 1, {{"pads", ints({1, 1, 1, 1})}, {"strides", ints({2, 2})}}));
  const Graph before = b.prepared();
  Graph after = before;
  EXPECT_TRUE(fold_pad_into_conv(after));
  ASSERT_EQ(ops_of(after), std::vector<OpKind>{OpKind::Conv});
  EXPECT_EQ(after.nodes[0].inputs[0], x);
  EXPECT_EQ(after.nodes[0].attr_ints("pads"), (std::vector<int64_t>{1, 2, 2, 2}));
  expect_same_outputs(before, after, kInput);
}

// Merged pads as wide as the window would make windows of padding only (refused by
// window_params, and by the .octet loader): such a Pad stays a Pad.
TEST(FoldPadIntoConv, PadThatWouldCoverAWholeWindowStays) {
  Builder b;
  const int x = b.input("x", {-1, 3, 6, 6});
  const int pad = b.node(OpKind::Pad, "pad", {x, b.constant("pads", i64({0, 0, 0, 1, 0, 0, 1, 2}))});
  b.output(b.conv("conv", pad, 4, 3, 3, 1, {{"pads", ints({1, 1, 1, 1})}, {"strides", ints({2, 2})}}));
  Graph g = b.prepared();
  EXPECT_FALSE(fold_pad_into_conv(g));
  EXPECT_EQ(ops_of(g), (std::vector<OpKind>{OpKind::Pad, OpKind::Conv}));
}

TEST(FoldPadIntoConv, PadFeedingTwoConvsOneWithAutoPad) {
  Builder b;
  const int x = b.input("x", {-1, 3, 6, 6});
  const int pad = b.node(OpKind::Pad, "pad",
                         {x, b.constant("pads", i64({0, 0, 1, 0, 0, 0, 0, 1})), b.constant("v", scalar(0.f))});
  // Padded input is 7x7: SAME_UPPER, k3 s2 → 4 outputs, total pad 2 → [1,1] per dim.
  b.output(b.conv("c1", pad, 4, 3, 3, 1, {{"auto_pad", str("SAME_UPPER")}, {"strides", ints({2, 2})}}));
  b.output(b.conv("c2", pad, 2, 3, 2, 3, {{"auto_pad", str("VALID")}}));
  const Graph before = b.prepared();
  Graph after = before;
  EXPECT_TRUE(fold_pad_into_conv(after));
  ASSERT_EQ(ops_of(after), (std::vector<OpKind>{OpKind::Conv, OpKind::Conv}));
  EXPECT_FALSE(after.nodes[0].has_attr("auto_pad"));
  EXPECT_EQ(after.nodes[0].attr_ints("pads"), (std::vector<int64_t>{2, 1, 1, 2}));
  EXPECT_EQ(after.nodes[1].attr_ints("pads"), (std::vector<int64_t>{1, 0, 0, 1}));
  expect_same_outputs(before, after, kInput);
}

TEST(FoldPadIntoConv, Opset10AttributePads) {
  Builder b(10);
  const int x = b.input("x", {-1, 3, 6, 6});
  const int pad = b.node(OpKind::Pad, "pad", {x}, {{"pads", ints({0, 0, 2, 2, 0, 0, 0, 0})}, {"mode", str("constant")}});
  b.output(b.conv("conv", pad, 4, 3, 3, 1));
  const Graph before = b.prepared();
  Graph after = before;
  EXPECT_TRUE(fold_pad_into_conv(after));
  ASSERT_EQ(ops_of(after), std::vector<OpKind>{OpKind::Conv});
  EXPECT_EQ(after.nodes[0].attr_ints("pads"), (std::vector<int64_t>{2, 2, 0, 0}));
  expect_same_outputs(before, after, kInput);
}

TEST(FoldPadIntoConv, LeavesOtherPadsAlone) {
  auto unchanged = [](const std::vector<int64_t>& pads, const char* mode, float value, bool also_relu) {
    Builder b;
    const int x = b.input("x", {-1, 3, 6, 6});
    const int pad = b.node(OpKind::Pad, "pad", {x, b.constant("pads", i64(pads)), b.constant("v", scalar(value))},
                           {{"mode", str(mode)}});
    b.output(b.conv("conv", pad, 4, 3 + pads[1] + pads[5], 3, 1));
    if (also_relu) b.output(b.node(OpKind::Relu, "relu", {pad}));
    Graph g = b.prepared();
    return !fold_pad_into_conv(g) && count_op(g, OpKind::Pad) == 1;
  };
  EXPECT_TRUE(unchanged({0, 1, 1, 1, 0, 0, 1, 1}, "constant", 0.f, false));    // pads channels
  EXPECT_TRUE(unchanged({0, 0, 1, 1, 0, 0, 1, 1}, "constant", 1.f, false));    // non-zero value
  EXPECT_TRUE(unchanged({0, 0, 1, 1, 0, 0, 1, 1}, "reflect", 0.f, false));     // not constant mode
  EXPECT_TRUE(unchanged({0, 0, 1, 1, 0, 0, 1, 1}, "constant", 0.f, true));     // also read by a Relu
  EXPECT_TRUE(unchanged({0, 0, 2, 2, 0, 0, -1, 0}, "constant", 0.f, false));   // crops
}

// torch's AvgPool2d(padding=0) exports as Pad(0) → AveragePool: a Pad of nothing is dropped
// whoever reads it (here a pool and a Relu), unless it is a graph output.
TEST(FoldPadIntoConv, PadOfNothingIsDropped) {
  Builder b;
  const int x = b.input("x", {-1, 3, 6, 6});
  const int pad = b.node(OpKind::Pad, "pad", {x, b.constant("pads", i64({0, 0, 0, 0, 0, 0, 0, 0}))});
  b.output(b.node(OpKind::AveragePool, "pool", {pad}, {{"kernel_shape", ints({3, 2})}, {"strides", ints({3, 2})}}));
  b.output(b.node(OpKind::Relu, "relu", {pad}));
  const Graph before = b.prepared();
  Graph after = before;
  EXPECT_TRUE(fold_pad_into_conv(after));
  ASSERT_EQ(ops_of(after), (std::vector<OpKind>{OpKind::AveragePool, OpKind::Relu}));
  EXPECT_EQ(after.nodes[0].inputs[0], x);
  EXPECT_EQ(after.nodes[1].inputs[0], x);
  expect_same_outputs(before, after, kInput);

  Builder out;
  const int y = out.input("x", {-1, 3, 6, 6});
  out.output(out.node(OpKind::Pad, "pad", {y, out.constant("pads", i64({0, 0, 0, 0, 0, 0, 0, 0}))}));
  Graph g = out.prepared();
  EXPECT_FALSE(fold_pad_into_conv(g));
}

// ---- pool_to_global ----------------------------------------------------------------------

TEST(PoolToGlobal, WholeMapAveragePoolBecomesGlobal) {
  Builder b;
  const int x = b.input("x", {-1, 3, 6, 6});
  b.output(b.node(OpKind::AveragePool, "pool", {x}, {{"kernel_shape", ints({6, 6})}, {"strides", ints({6, 6})}}));
  const Graph before = b.prepared();
  Graph after = before;
  EXPECT_TRUE(pool_to_global(after));
  ASSERT_EQ(ops_of(after), std::vector<OpKind>{OpKind::GlobalAveragePool});
  EXPECT_TRUE(after.nodes[0].attrs.empty());
  expect_same_outputs(before, after, kInput);
}

TEST(PoolToGlobal, LeavesPartialOrPaddedWindowsAlone) {
  for (const auto& attrs : std::vector<std::map<std::string, Attribute>>{
           {{"kernel_shape", ints({3, 3})}, {"strides", ints({3, 3})}},
           {{"kernel_shape", ints({6, 6})}, {"pads", ints({1, 1, 1, 1})}, {"strides", ints({8, 8})}},
           {{"kernel_shape", ints({6, 6})}, {"auto_pad", str("SAME_UPPER")}}}) {
    Builder b;
    b.output(b.node(OpKind::AveragePool, "pool", {b.input("x", {-1, 3, 6, 6})}, attrs));
    Graph g = b.prepared();
    EXPECT_FALSE(pool_to_global(g));
    EXPECT_EQ(g.nodes[0].op, OpKind::AveragePool);
  }
}

// ---- matmul_add_to_gemm ------------------------------------------------------------------

TEST(MatMulAddToGemm, DenseLayerBecomesGemm) {
  for (const std::vector<int64_t>& c_dims : {std::vector<int64_t>{4}, {1, 4}, {}}) {
    Builder b;
    const int a = b.input("a", {-1, 6});
    const int mm = b.node(OpKind::MatMul, "mm", {a, b.constant("B", random_tensor({6, 4}, 1))});
    const int c = b.constant("C", random_tensor(c_dims, 2));
    b.output(b.node(OpKind::Softmax, "sm", {b.node(OpKind::Add, "add", {c, mm})}));
    const Graph before = b.prepared();
    Graph after = before;
    EXPECT_TRUE(matmul_add_to_gemm(after));
    ASSERT_EQ(ops_of(after), (std::vector<OpKind>{OpKind::Gemm, OpKind::Softmax}));
    EXPECT_EQ(after.nodes[0].inputs, (std::vector<int>{a, before.nodes[0].inputs[1], c}));
    expect_same_outputs(before, after, {random_tensor({3, 6}, 9)});
  }
}

TEST(MatMulAddToGemm, LeavesOtherMatMulsAlone) {
  Builder b;
  const int a = b.input("a", {3, 6});
  const int mm1 = b.node(OpKind::MatMul, "mm1", {a, b.input("B", {6, 4})});   // B not constant
  b.output(b.node(OpKind::Add, "add1", {mm1, b.constant("C1", random_tensor({4}, 1))}));
  const int mm2 = b.node(OpKind::MatMul, "mm2", {a, b.constant("B2", random_tensor({6, 4}, 2))});
  b.output(b.node(OpKind::Add, "add2", {mm2, b.constant("C2", random_tensor({3, 4}, 3))}));   // not a row bias
  const int a3 = b.input("a3", {2, 3, 6});                                                      // 3-D A
  const int mm3 = b.node(OpKind::MatMul, "mm3", {a3, b.constant("B3", random_tensor({6, 4}, 4))});
  b.output(b.node(OpKind::Add, "add3", {mm3, b.constant("C3", random_tensor({4}, 5))}));
  Graph g = b.prepared();
  EXPECT_FALSE(matmul_add_to_gemm(g));
  EXPECT_EQ(count_op(g, OpKind::MatMul), 3);
}

}  // namespace
}  // namespace octet
