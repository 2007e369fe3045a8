// What follows a Gemm, folded or fused into it (graph/passes/optimize.h): fold_gemm_affine
// (BatchNormalization, Mul / Add / Sub by a per-column constant into B and C, alpha and beta
// folded too) and fuse_conv_activation's Gemm → Relu, on hand-built graphs: the folded
// numbers against values computed here, the reference executor's outputs before and after,
// what must stay unfolded, and the epilogue a Gemm may carry.
#include <gtest/gtest.h>

#include <cmath>

#include "graph/passes/optimize.h"
#include "optimize_test_util.h"

namespace octet {
namespace {

using namespace opt_test;

constexpr int64_t kIn = 9, kOut = 5;

int batch_norm(Builder& b, int x, int64_t c) {
  return b.node(OpKind::BatchNormalization, "bn",
                {x, b.constant("s", random_tensor({c}, 2)), b.constant("t", random_tensor({c}, 3)),
                 b.constant("mean", random_tensor({c}, 4)), b.constant("var", random_tensor({c}, 5, 0.5f, 2.f))},
                {{"epsilon", flt(1e-3f)}});
}

// x [N, kIn] → Gemm (B [kOut, kIn] when trans_b, else [kIn, kOut]; C given as `c_dims`, or
// none when empty) with alpha 0.5 and beta 2.
int gemm(Builder& b, int x, bool trans_b, std::vector<int64_t> c_dims) {
  std::vector<int> in{x, b.constant("B", random_tensor(trans_b ? std::vector<int64_t>{kOut, kIn}
                                                               : std::vector<int64_t>{kIn, kOut}, 6))};
  if (!c_dims.empty()) in.push_back(b.constant("C", random_tensor(c_dims, 7)));
  return b.node(OpKind::Gemm, "gemm", in, {{"transB", integer(trans_b)}, {"alpha", flt(0.5f)}, {"beta", flt(2.f)}});
}

const std::vector<Tensor> kInput = {random_tensor({3, kIn}, 8, -2.f, 2.f)};

TEST(FoldGemmAffine, BatchNormalizationFoldsIntoBAndCThenReluFuses) {
  for (const bool trans_b : {true, false}) {
    SCOPED_TRACE(trans_b ? "transB" : "B as [K, N]");
    Builder b;
    const int x = b.input("x", {-1, kIn});
    b.output(b.node(OpKind::Relu, "relu", {batch_norm(b, gemm(b, x, trans_b, {kOut}), kOut)}));
    const Graph before = b.prepared();
    Graph after = before;
    EXPECT_TRUE(fold_gemm_affine(after));
    ASSERT_EQ(ops_of(after), (std::vector<OpKind>{OpKind::Gemm, OpKind::Relu}));
    const Node& g = after.nodes[0];
    EXPECT_FALSE(g.has_attr("alpha") || g.has_attr("beta"));   // folded: both 1

    // B'[k][m] = alpha * B[k][m] * s'[m], C'[m] = beta * C[m] * s'[m] + t[m] - mean[m] * s'[m],
    // s'[m] = s[m] / sqrt(var[m] + eps).
    auto val = [&](const char* name) { return before.value(before.find_value(name)).constant->values<float>(); };
    const auto w = val("B"), c = val("C"), s = val("s"), t = val("t"), mean = val("mean"), var = val("var");
    const auto w2 = after.value(g.inputs[1]).constant->values<float>();
    const auto c2 = after.value(g.inputs[2]).constant->values<float>();
    ASSERT_EQ(w2.size(), size_t(kIn * kOut));
    ASSERT_EQ(c2.size(), size_t(kOut));
    for (size_t m = 0; m < size_t(kOut); ++m) {
      const double k = s[m] / std::sqrt(double(var[m]) + 1e-3);
      for (size_t i = 0; i < size_t(kIn); ++i) {
        const size_t at = trans_b ? m * kIn + i : i * kOut + m;
        EXPECT_NEAR(w2[at], 0.5 * w[at] * k, 1e-6) << m << "," << i;
      }
      EXPECT_NEAR(c2[m], 2.0 * c[m] * k + t[m] - mean[m] * k, 1e-6) << m;
    }
    expect_same_outputs(before, after, kInput);
    EXPECT_FALSE(fold_gemm_affine(after));

    Graph fused = after;
    EXPECT_TRUE(fuse_conv_activation(fused));
    ASSERT_EQ(ops_of(fused), std::vector<OpKind>{OpKind::Gemm});
    EXPECT_EQ(fused.nodes[0].epilogue.activation, Epilogue::Activation::Relu);
    EXPECT_EQ(fused.nodes[0].outputs[0], before.outputs[0]);
    EXPECT_EQ(epilogue_problem(fused.nodes[0]), "");
    // The Relu bites (some outputs 0), and the reference executor applies the fused one.
    const Tensor y = ReferenceExecutor(fused).run(kInput).at(0);
    EXPECT_GT(std::count(y.data<float>(), y.data<float>() + y.numel(), 0.f), 0);
    expect_same_outputs(before, fused, kInput);
  }
}

TEST(FoldGemmAffine, ChannelConstantsFoldWithScalarOrMissingC) {
  for (const std::vector<int64_t>& c_dims : {std::vector<int64_t>{}, {1}, {1, kOut}}) {
    Builder b;
    const int x = b.input("x", {-1, kIn});
    const int g = gemm(b, x, true, c_dims);
    const int mul = b.node(OpKind::Mul, "mul", {b.constant("k", random_tensor({kOut}, 11)), g});
    const int sub = b.node(OpKind::Sub, "sub", {mul, b.constant("z", random_tensor({1, kOut}, 12))});
    b.output(sub);
    const Graph before = b.prepared();
    Graph after = before;
    EXPECT_TRUE(fold_gemm_affine(after));
    EXPECT_EQ(ops_of(after), std::vector<OpKind>{OpKind::Gemm});
    expect_same_outputs(before, after, kInput);
  }
}

TEST(FoldGemmAffine, LeavesAloneWhatCannotFold) {
  auto unchanged = [](Graph g, const char* why) {
    SCOPED_TRACE(why);
    const size_t nodes = g.nodes.size();
    EXPECT_FALSE(fold_gemm_affine(g));
    EXPECT_EQ(g.nodes.size(), nodes);
  };
  {  // the Gemm's output has a second reader
    Builder b;
    const int x = b.input("x", {-1, kIn});
    const int g = gemm(b, x, true, {kOut});
    b.output(batch_norm(b, g, kOut));
    b.output(g);
    unchanged(b.prepared(), "second reader");
  }
  {  // a Mul whose constant varies along the batch rows, not the columns
    Builder b;
    const int x = b.input("x", {3, kIn});
    b.output(b.node(OpKind::Mul, "mul", {gemm(b, x, true, {kOut}), b.constant("k", random_tensor({3, 1}, 11))}));
    unchanged(b.prepared(), "per-row constant");
  }
  {  // B is not a constant
    Builder b;
    const int x = b.input("x", {-1, kIn});
    const int w = b.input("w", {kOut, kIn});
    const int g = b.node(OpKind::Gemm, "gemm", {x, w}, {{"transB", integer(1)}});
    b.output(batch_norm(b, g, kOut));
    unchanged(b.prepared(), "B an input");
  }
  {  // the quantization base (no epilogue fusion) keeps the BatchNormalization
    Builder b;
    const int x = b.input("x", {-1, kIn});
    b.output(batch_norm(b, gemm(b, x, true, {kOut}), kOut));
    Graph g = b.prepared();
    optimize_graph(g, /*fuse_epilogues=*/false);
    EXPECT_EQ(count_op(g, OpKind::BatchNormalization), 1);
  }
}

TEST(GemmEpilogue, OnlyReluIsWellFormed) {
  Node n;
  n.op = OpKind::Gemm;
  n.inputs = {0, 1};
  n.epilogue.activation = Epilogue::Activation::Relu;
  EXPECT_EQ(epilogue_problem(n), "");
  n.epilogue.activation = Epilogue::Activation::Sigmoid;
  EXPECT_EQ(epilogue_problem(n), "a Gemm's fused epilogue can only be Relu");
  n.epilogue.activation = Epilogue::Activation::Relu;
  n.epilogue.residual = true;
  EXPECT_EQ(epilogue_problem(n), "a Gemm's fused epilogue can only be Relu");
  n.op = OpKind::MatMul;
  EXPECT_NE(epilogue_problem(n).find("only Conv and Gemm have one"), std::string::npos);
}

}  // namespace
}  // namespace octet
