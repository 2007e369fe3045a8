// fuse_conv_epilogue and the fused Conv form it produces (graph/passes/optimize.h), which
// the reference Conv (engine/reference/ops_conv.cpp) evaluates; and optimize_graph over a
// small residual block that exercises every pass.
#include <gtest/gtest.h>

#include <limits>

#include "quant/scheme.h"
#include "engine/reference/evaluate.h"
#include "graph/passes/optimize.h"
#include "graph/printer.h"
#include "optimize_test_util.h"

namespace octet {
namespace {

using namespace opt_test;

const std::vector<Tensor> kInput = {random_tensor({2, 4, 6, 6}, 7, -2.f, 2.f)};
const std::map<std::string, Attribute> kSame = {{"pads", ints({1, 1, 1, 1})}};

TEST(FuseConvEpilogue, IdentityResidualAddAndReluFuse) {
  Builder b;
  const int x = b.input("x", {-1, 4, 6, 6});
  const int c = b.conv("conv", x, 4, 4, 3, 1, kSame);
  const int relu = b.node(OpKind::Relu, "relu", {b.node(OpKind::Add, "add", {x, c})});
  b.output(relu);
  const Graph before = b.prepared();
  Graph after = before;
  EXPECT_TRUE(fuse_conv_epilogue(after));
  ASSERT_EQ(ops_of(after), std::vector<OpKind>{OpKind::Conv});
  const Node& conv = after.nodes[0];
  ASSERT_EQ(conv.inputs.size(), 4u);
  EXPECT_EQ(conv.inputs[3], x);
  EXPECT_TRUE(conv.epilogue.residual);
  EXPECT_EQ(conv.epilogue.activation, Epilogue::Activation::Relu);
  EXPECT_FALSE(conv.epilogue.conv_output);   // a float graph: no conv output parameters
  EXPECT_EQ(conv.outputs[0], relu);
  expect_same_outputs(before, after, kInput);
  EXPECT_FALSE(fuse_conv_epilogue(after));
}

// A projection block: conv1 → conv2 on the main path, a 1x1 shortcut conv, Add, Relu. The
// Add fuses into conv2 (deeper) whatever the operand and node order.
TEST(FuseConvEpilogue, ShortcutConvBecomesResidualOfMainPath) {
  for (bool shortcut_first : {false, true}) {
    Builder b;
    const int x = b.input("x", {-1, 4, 6, 6});
    const int c1 = b.conv("conv1", x, 8, 4, 3, 1, {{"pads", ints({1, 1, 1, 1})}, {"strides", ints({2, 2})}});
    const int c2 = b.conv("conv2", c1, 8, 8, 3, 3, kSame);
    const int sc = b.conv("shortcut", x, 8, 4, 1, 5, {{"strides", ints({2, 2})}});
    const int add = b.node(OpKind::Add, "add", shortcut_first ? std::vector<int>{sc, c2} : std::vector<int>{c2, sc});
    b.output(b.node(OpKind::Relu, "relu", {add}));
    const Graph before = b.prepared();
    Graph after = before;
    EXPECT_TRUE(fuse_conv_epilogue(after));
    ASSERT_EQ(ops_of(after), (std::vector<OpKind>{OpKind::Conv, OpKind::Conv, OpKind::Conv}));
    for (const Node& n : after.nodes) {
      const bool main = n.name == "conv2";
      EXPECT_EQ(n.inputs.size() == 4, main) << n.name;
      EXPECT_EQ(n.epilogue.residual, main) << n.name;
      EXPECT_EQ(n.epilogue.activation, main ? Epilogue::Activation::Relu : Epilogue::Activation::None) << n.name;
      if (main) {
        EXPECT_EQ(n.inputs[3], sc);
      }
    }
    expect_same_outputs(before, after, kInput);
  }
}

TEST(FuseConvEpilogue, ClipWithConstantBoundsFuses) {
  for (int opset : {13, 10}) {
    Builder b(opset);
    const int x = b.input("x", {-1, 4, 6, 6});
    const int c = b.conv("conv", x, 4, 4, 3, 1, kSame);
    if (opset >= 11)
      b.output(b.node(OpKind::Clip, "clip", {c, b.constant("lo", scalar(-0.5f)), b.constant("hi", scalar(1.5f))}));
    else
      b.output(b.node(OpKind::Clip, "clip", {c}, {{"min", flt(-0.5f)}, {"max", flt(1.5f)}}));
    const Graph before = b.prepared();
    Graph after = before;
    EXPECT_TRUE(fuse_conv_epilogue(after));
    ASSERT_EQ(ops_of(after), std::vector<OpKind>{OpKind::Conv});
    const Epilogue& e = after.nodes[0].epilogue;
    EXPECT_EQ(e.activation, Epilogue::Activation::Clip);
    EXPECT_EQ(e.min, -0.5f);
    EXPECT_EQ(e.max, 1.5f);
    EXPECT_FALSE(e.residual);
    EXPECT_NE(print_graph(after).find(" Conv+Clip[-0.5,1.5] "), std::string::npos) << print_graph(after);
    // Both bounds are hit on these inputs, so the check is not vacuous.
    const Tensor y = ReferenceExecutor(after).run(kInput)[0];
    EXPECT_EQ(*std::min_element(y.values<float>().begin(), y.values<float>().end()), -0.5f);
    EXPECT_EQ(*std::max_element(y.values<float>().begin(), y.values<float>().end()), 1.5f);
    expect_same_outputs(before, after, kInput);
  }
}

// In a quantized graph the residual Conv keeps its own output's parameters, which the int8
// epilogue rounds to before the Add (docs/quantization.md, "Residual blocks").
TEST(FuseConvEpilogue, QuantizedResidualKeepsTheConvOutputParameters) {
  Builder b;
  const int x = b.input("x", {-1, 4, 6, 6});
  const int c = b.conv("conv", x, 4, 4, 3, 1, kSame);
  b.output(b.node(OpKind::Add, "add", {c, x}));
  Graph g = b.prepared();
  const QuantParams conv_output = quant::per_tensor_params(DType::Uint8, 0.05f, 7);
  g.value(c).quant = conv_output;
  EXPECT_TRUE(fuse_conv_epilogue(g));
  ASSERT_EQ(ops_of(g), std::vector<OpKind>{OpKind::Conv});
  const Epilogue& e = g.nodes[0].epilogue;
  EXPECT_TRUE(e.residual);
  EXPECT_EQ(e.activation, Epilogue::Activation::None);
  ASSERT_TRUE(e.conv_output);
  EXPECT_EQ(*e.conv_output, conv_output);
}

TEST(FuseConvEpilogue, LeavesNonMatchingShapesAndSharedOutputsAlone) {
  Builder b;
  const int x = b.input("x", {-1, 4, 6, 6});
  // Broadcast Add of a run-time [1,4,1,1] tensor: not the output's shape.
  const int c1 = b.conv("c1", x, 4, 4, 3, 1, kSame);
  b.output(b.node(OpKind::Add, "a1", {c1, b.input("bias", {1, 4, 1, 1})}));
  // Same dims but a different batch symbol: the sizes may differ at run time.
  const int c2 = b.conv("c2", x, 4, 4, 3, 2, kSame);
  b.output(b.node(OpKind::Add, "a2", {c2, b.input("other", {-1, 4, 6, 6}, "M")}));
  // Conv read by the Relu and by the caller.
  const int c3 = b.conv("c3", x, 4, 4, 3, 3, kSame);
  b.output(b.node(OpKind::Relu, "r3", {c3}));
  b.output(c3);
  // Clip whose bound is computed at run time.
  const int c4 = b.conv("c4", x, 4, 4, 3, 4, kSame);
  b.output(b.node(OpKind::Clip, "k4", {c4, b.input("lo", {})}));
  // Clip with min > max: ONNX defines it (every output is max), a fused epilogue refuses it.
  const int c5 = b.conv("c5", x, 4, 4, 3, 5, kSame);
  b.output(b.node(OpKind::Clip, "k5", {c5, b.constant("lo5", scalar(1.f)), b.constant("hi5", scalar(-1.f))}));
  Graph g = b.prepared();
  const size_t nodes = g.nodes.size();
  EXPECT_FALSE(fuse_conv_epilogue(g));
  EXPECT_EQ(g.nodes.size(), nodes);
}

// ---- the fused form in the reference Conv ------------------------------------------------

// y = act(conv + b + residual), checked against the unfused ops on the same tensors.
TEST(FusedConvEval, ResidualThenActivation) {
  Builder b;
  const int x = b.input("x", {2, 4, 6, 6});
  b.output(b.conv("conv", x, 4, 4, 3, 1, kSame));
  Graph g = b.prepared();
  ASSERT_EQ(ops_of(g), std::vector<OpKind>{OpKind::Conv});
  const Tensor residual = random_tensor({2, 4, 6, 6}, 11, -3.f, 3.f);
  const int residual_id = g.add_value(Value{"residual", DType::Float32, Shape::of(residual.dims), {}, {}});
  Node& conv = g.nodes[0];
  const Tensor& w = *g.value(conv.inputs[1]).constant;
  const Tensor& bias = *g.value(conv.inputs[2]).constant;
  const Tensor* plain_args[] = {&kInput[0], &w, &bias};
  const Tensor plain = evaluate_node(g, conv, plain_args)[0];

  conv.inputs.push_back(residual_id);
  conv.epilogue.residual = true;
  conv.epilogue.activation = Epilogue::Activation::Relu;
  const Tensor* fused_args[] = {&kInput[0], &w, &bias, &residual};
  const Tensor relu = evaluate_node(g, conv, fused_args)[0];
  conv.epilogue.activation = Epilogue::Activation::Clip;
  conv.epilogue.min = -1.f;
  conv.epilogue.max = 2.f;
  const Tensor clip = evaluate_node(g, conv, fused_args)[0];
  int negative = 0;
  for (int64_t i = 0; i < plain.numel(); ++i) {
    const float s = plain.data<float>()[i] + residual.data<float>()[i];
    negative += s < 0;
    ASSERT_EQ(relu.data<float>()[i], s < 0 ? 0.f : s) << i;
    ASSERT_EQ(clip.data<float>()[i], std::min(2.f, std::max(-1.f, s))) << i;
  }
  EXPECT_GT(negative, 10);   // the activation did something
}

// The reference executor refuses a malformed epilogue, naming the node and what is wrong.
TEST(FusedConvEval, ClearErrors) {
  Builder b;
  const int x = b.input("x", {2, 4, 6, 6});
  b.output(b.conv("conv", x, 4, 4, 3, 1, kSame));
  Graph g = b.prepared();
  ASSERT_EQ(ops_of(g), std::vector<OpKind>{OpKind::Conv});
  Node& conv = g.nodes[0];
  const Tensor& w = *g.value(conv.inputs[1]).constant;
  const Tensor wrong = random_tensor({2, 4, 6, 5}, 1);
  const Tensor* args[] = {&kInput[0], &w, nullptr, &wrong};
  auto message = [&]() -> std::string {
    try {
      evaluate_node(g, conv, args);
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  };
  const std::string prefix = "node 'conv' (Conv, opset 13): ";
  auto expect_message = [&](const std::string& what) {
    EXPECT_NE(message().find(prefix + what), std::string::npos) << message();
  };
  // A 4th input is only ever the fused residual, and the flag and the input go together.
  conv.inputs.push_back(x);
  expect_message("a 4th input is octet's fused residual, but the epilogue adds none");
  conv.epilogue.residual = true;
  expect_message("residual [2,4,6,5] must have the output's shape [2,4,6,6]");
  const Tensor right = random_tensor({2, 4, 6, 6}, 1);
  args[3] = &right;
  EXPECT_EQ(message(), "no error");
  conv.inputs.pop_back();
  expect_message("the fused epilogue adds a residual but the node has no 4th input");
  conv.epilogue.residual = false;
  args[3] = nullptr;

  conv.epilogue.activation = static_cast<Epilogue::Activation>(7);
  expect_message("fused unknown activation 7");
  conv.epilogue.activation = Epilogue::Activation::Clip;
  conv.epilogue.min = 2.f;
  conv.epilogue.max = -1.f;
  expect_message("fused Clip bounds [2.000000, -1.000000] are not ordered");
  conv.epilogue.min = std::numeric_limits<float>::quiet_NaN();
  expect_message("fused Clip bounds [nan, -1.000000] are not ordered");
  conv.epilogue.activation = Epilogue::Activation::Relu;
  conv.epilogue.min = 0.f;
  expect_message("fused Relu takes no bounds");
  conv.epilogue = Epilogue{};
  conv.epilogue.activation = Epilogue::Activation::Relu;
  conv.epilogue.alpha = 0.1f;
  expect_message("fused Relu takes no alpha or beta");
  conv.epilogue = Epilogue{};
  conv.epilogue.conv_output = quant::per_tensor_params(DType::Uint8, 0.5f, 3);
  expect_message("conv output parameters are fused without a residual");
  conv.epilogue = Epilogue{};
  EXPECT_EQ(message(), "no error");
}

// Only a Conv has an epilogue: one on any other node is refused rather than ignored.
TEST(FusedConvEval, EpilogueOnAnotherOpIsRefused) {
  Builder b;
  b.output(b.node(OpKind::Relu, "relu", {b.input("x", {2, 3})}));
  Graph g = b.prepared();
  Node& relu = g.nodes[0];
  relu.epilogue.activation = Epilogue::Activation::Relu;
  const Tensor in = random_tensor({2, 3}, 3);
  const Tensor* args[] = {&in};
  try {
    evaluate_node(g, relu, args);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("node 'relu' (Relu, opset 13): a fused epilogue on a Relu (only Conv and Gemm have one)"),
              std::string::npos)
        << e.what();
  }
}

// ---- the whole pipeline ------------------------------------------------------------------

// Pad → Conv → BN → Relu → Conv → Mul/Add → Add(residual) → Relu → AveragePool(whole map)
// → Reshape → MatMul → Add: every pass has work, and later ones depend on earlier ones.
TEST(OptimizeGraph, SmallResidualNetworkFoldsToFusedConvs) {
  Builder b;
  const int x = b.input("x", {-1, 4, 6, 6});
  const int pad = b.node(OpKind::Pad, "pad", {x, b.constant("pads", i64({0, 0, 1, 1, 0, 0, 1, 1}))});
  const int c1 = b.conv("c1", pad, 4, 4, 3, 1);
  const int bn = b.node(OpKind::BatchNormalization, "bn",
                        {c1, b.constant("s", random_tensor({4}, 2)), b.constant("t", random_tensor({4}, 3)),
                         b.constant("m", random_tensor({4}, 4)), b.constant("v", random_tensor({4}, 5, 0.5f, 2.f))});
  const int r1 = b.node(OpKind::Relu, "r1", {bn});
  const int c2 = b.conv("c2", r1, 4, 4, 3, 6, kSame);
  const int mul = b.node(OpKind::Mul, "mul", {c2, b.constant("k", random_tensor({1, 4, 1, 1}, 7))});
  const int add = b.node(OpKind::Add, "add", {mul, b.constant("a", random_tensor({1, 4, 1, 1}, 8))});
  const int r2 = b.node(OpKind::Relu, "r2", {b.node(OpKind::Add, "res", {r1, add})});
  const int pool = b.node(OpKind::AveragePool, "pool", {r2}, {{"kernel_shape", ints({6, 6})}});
  const int flat = b.node(OpKind::Reshape, "flat", {pool, b.constant("shape", i64({-1, 4}))});
  const int mm = b.node(OpKind::MatMul, "mm", {flat, b.constant("B", random_tensor({4, 3}, 9))});
  b.output(b.node(OpKind::Add, "bias", {mm, b.constant("C", random_tensor({3}, 10))}));
  const Graph before = b.prepared();
  Graph after = before;
  optimize_graph(after);
  EXPECT_EQ(ops_of(after), (std::vector<OpKind>{OpKind::Conv, OpKind::Conv, OpKind::GlobalAveragePool,
                                                 OpKind::Reshape, OpKind::Gemm}));
  EXPECT_EQ(after.nodes[0].attr_ints("pads"), (std::vector<int64_t>{1, 1, 1, 1}));
  EXPECT_EQ(after.nodes[0].epilogue.activation, Epilogue::Activation::Relu);
  EXPECT_FALSE(after.nodes[0].epilogue.residual);
  EXPECT_EQ(after.nodes[1].inputs.size(), 4u);
  EXPECT_EQ(after.nodes[1].inputs[3], r1);
  EXPECT_TRUE(after.nodes[1].epilogue.residual);
  EXPECT_EQ(after.nodes[1].epilogue.activation, Epilogue::Activation::Relu);
  // octet-inspect --optimized shows what each Conv absorbed.
  const std::string printed = print_graph(after);
  EXPECT_NE(printed.find("  Conv+Relu  "), std::string::npos) << printed;
  EXPECT_NE(printed.find("  Conv+Add+Relu  "), std::string::npos) << printed;
  expect_same_outputs(before, after, kInput);
  Graph again = after;
  optimize_graph(again);   // a fixed point
  EXPECT_EQ(ops_of(again), ops_of(after));
}

}  // namespace
}  // namespace octet
