// optimize_graph on the two bundled ResNet8 exports (tf2onnx opset 15, NHWC input; torch.onnx
// opset 13, NCHW input): the exact node list it leaves, and the same probabilities as the
// unoptimised graph on the first 20 CIFAR-10 test images.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "graph/onnx_import.h"
#include "graph/passes/optimize.h"
#include "optimize_test_util.h"
#include "tools/datasets/cifar.h"

namespace octet {
namespace {

using namespace opt_test;

const std::string kData = OCTET_DATA_DIR;

struct Optimized {
  Graph before, after;
};

Optimized load(const std::string& file) {
  Optimized o{import_onnx_file(kData + "/" + file), {}};
  prepare_graph(o.before);
  o.after = o.before;
  optimize_graph(o.after);
  return o;
}

// The node list, the fused Convs, and the outputs on 20 images.
void check_resnet8(const Optimized& o, const std::vector<OpKind>& others) {
  const Graph& g = o.after;
  const std::vector<OpKind> want_ops = {OpKind::Conv, OpKind::Conv, OpKind::Conv, OpKind::Conv, OpKind::Conv,
                                        OpKind::Conv, OpKind::Conv, OpKind::Conv, OpKind::Conv};
  std::vector<OpKind> convs, rest;
  for (const Node& n : g.nodes) (n.op == OpKind::Conv ? convs : rest).push_back(n.op);
  EXPECT_EQ(convs, want_ops);
  EXPECT_EQ(rest, others);
  for (OpKind gone : {OpKind::BatchNormalization, OpKind::Mul, OpKind::Add, OpKind::Pad, OpKind::Relu,
                      OpKind::AveragePool, OpKind::MatMul})
    EXPECT_EQ(count_op(g, gone), 0) << op_name(gone);

  // 7 Convs end in Relu (the 2 projection shortcuts do not); each of the 3 residual blocks'
  // Add is fused into the block's last main-path Conv, with the identity (block 1) or the
  // shortcut Conv's output (blocks 2, 3) as the residual.
  int relu = 0, residual = 0, shortcut_residual = 0;
  const std::vector<int> producer = g.producers();
  for (const Node& n : g.nodes) {
    if (n.op != OpKind::Conv) continue;
    const Epilogue::Activation act = n.epilogue.activation;
    relu += act == Epilogue::Activation::Relu;
    EXPECT_TRUE(act == Epilogue::Activation::Relu || act == Epilogue::Activation::None) << n.name;
    EXPECT_EQ(n.epilogue.residual, n.inputs.size() == 4) << n.name;
    if (!n.epilogue.residual) continue;
    ++residual;
    EXPECT_EQ(act, Epilogue::Activation::Relu) << n.name;
    const int p = producer[static_cast<size_t>(n.inputs[3])];
    ASSERT_NE(p, kNoValue);
    const Node& r = g.nodes[static_cast<size_t>(p)];
    if (r.op == OpKind::Conv && !r.epilogue.fused()) {
      ++shortcut_residual;
      // A shortcut is a 1x1 Conv; the Conv it feeds is a 3x3 one.
      EXPECT_EQ(g.value(r.inputs[1]).shape.dims[2].value, 1) << r.name;
      EXPECT_EQ(g.value(n.inputs[1]).shape.dims[2].value, 3) << n.name;
    }
  }
  EXPECT_EQ(relu, 7);
  EXPECT_EQ(residual, 3);
  EXPECT_EQ(shortcut_residual, 2);

  const CifarSet set = read_cifar_file(kData + "/cifar10-test-first1000.bin", CifarFormat::Binary, 20);
  const ImageLayout layout = layout_from_input_shape(g.value(g.inputs[0]).shape, g.value(g.inputs[0]).name);
  const Tensor input = make_cifar_input(set, 0, 20, layout);
  const double worst = expect_same_outputs(o.before, o.after, {input}, 1e-5);
  EXPECT_LT(worst, 1e-5);
  std::printf("largest probability difference, optimised vs not: %.3g\n", worst);
  // The probabilities are not trivially equal (e.g. all-zero): they vary across images.
  const Tensor y = ReferenceExecutor(o.after).run(std::vector<Tensor>{input})[0];
  ASSERT_EQ(y.dims, (std::vector<int64_t>{20, 10}));
  EXPECT_GT(*std::max_element(y.values<float>().begin(), y.values<float>().end()), 0.5f);
}

TEST(OptimizeResNet8, Tf2onnxExport) {
  const Optimized o = load("resnet8.onnx");
  ASSERT_EQ(o.after.nodes.front().op, OpKind::Transpose);   // NHWC → NCHW stays
  check_resnet8(o, {OpKind::Transpose, OpKind::GlobalAveragePool, OpKind::Reshape, OpKind::Gemm, OpKind::Softmax});
  EXPECT_EQ(o.after.nodes.size(), 1u + 9 + 4);
  // tf2onnx writes "SAME" stride-2 convs with pads [0,0,1,1]; they are untouched.
  int asymmetric = 0;
  for (const Node& n : o.after.nodes)
    asymmetric += n.op == OpKind::Conv && n.attr_ints("pads") == std::vector<int64_t>{0, 0, 1, 1};
  EXPECT_EQ(asymmetric, 2);
}

TEST(OptimizeResNet8, TorchExport) {
  const Optimized o = load("resnet8_torch_opset13.onnx");
  check_resnet8(o, {OpKind::GlobalAveragePool, OpKind::Flatten, OpKind::Gemm, OpKind::Softmax});
  EXPECT_EQ(o.after.nodes.size(), 9u + 4);
  // The Pad([0,0,1,1]) in front of each stride-2 3x3 Conv is now part of its pads.
  int merged = 0;
  for (const Node& n : o.after.nodes)
    merged += n.op == OpKind::Conv && n.attr_ints("pads") == std::vector<int64_t>{0, 0, 1, 1};
  EXPECT_EQ(merged, 2);
}

}  // namespace
}  // namespace octet
