// print_graph and its MAC / parameter counts, on hand-built graphs and on ResNet8.
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "graph/onnx_import.h"
#include "graph/passes/passes.h"
#include "graph/printer.h"

namespace octet {
namespace {

#define EXPECT_CONTAINS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << "text:\n" << (haystack)

Shape shape(std::vector<Dim> dims) { return Shape{true, std::move(dims)}; }

int add(Graph& g, const std::string& name, Shape s) {
  Value v;
  v.name = name;
  v.dtype = DType::Float32;
  v.shape = std::move(s);
  return g.add_value(std::move(v));
}

int add_const(Graph& g, const std::string& name, DType dtype, std::vector<int64_t> dims) {
  Value v;
  v.name = name;
  v.dtype = dtype;
  v.constant = Tensor(dtype, dims);
  v.shape = Shape::of(dims);
  return g.add_value(std::move(v));
}

Attribute int_attr(int64_t v) {
  Attribute a;
  a.kind = Attribute::Kind::Int;
  a.i = v;
  return a;
}

Node node(OpKind op, std::string name, std::vector<int> in, std::vector<int> out) {
  Node n;
  n.op = op;
  n.name = std::move(name);
  n.inputs = std::move(in);
  n.outputs = std::move(out);
  return n;
}

TEST(PrinterCounts, ConvGroupedWithSymbolicBatch) {
  // x [N,8,10,10], depthwise-ish conv with group 4: w [12, 8/4, 3, 3] → y [N,12,5,5].
  Graph g;
  g.opset = 13;
  int x = add(g, "x", shape({Dim::named("N"), Dim::known(8), Dim::known(10), Dim::known(10)}));
  int w = add_const(g, "w", DType::Float32, {12, 2, 3, 3});
  int b = add_const(g, "b", DType::Float32, {12});
  int y = add(g, "y", shape({Dim::named("N"), Dim::known(12), Dim::known(5), Dim::known(5)}));
  Node conv = node(OpKind::Conv, "conv", {x, w, b}, {y});
  conv.attrs["group"] = int_attr(4);
  // N counted as 1: 12*5*5 outputs, each 2*3*3 products.
  EXPECT_EQ(node_macs(g, conv), 12 * 5 * 5 * 2 * 3 * 3);
  EXPECT_EQ(node_params(g, conv), 12 * 2 * 3 * 3 + 12);
  // A known batch of 4 multiplies.
  g.value(y).shape.dims[0] = Dim::known(4);
  EXPECT_EQ(node_macs(g, conv), 4 * 12 * 5 * 5 * 2 * 3 * 3);
  // An unknown spatial dim: not countable.
  g.value(y).shape.dims[2] = Dim{};
  EXPECT_EQ(node_macs(g, conv), -1);
  g.value(y).shape = Shape{};
  EXPECT_EQ(node_macs(g, conv), -1);
}

TEST(PrinterCounts, MatMulGemmAndOthers) {
  Graph g;
  g.opset = 13;
  int a = add(g, "a", shape({Dim::named("N"), Dim::known(7), Dim::known(64)}));
  int bw = add_const(g, "bw", DType::Float32, {64, 10});
  int y = add(g, "y", shape({Dim::named("N"), Dim::known(7), Dim::known(10)}));
  Node mm = node(OpKind::MatMul, "mm", {a, bw}, {y});
  EXPECT_EQ(node_macs(g, mm), 7 * 10 * 64);
  EXPECT_EQ(node_params(g, mm), 640);

  // Gemm with transB: B is [N, K].
  int a2 = add(g, "a2", shape({Dim::known(3), Dim::known(20)}));
  int b2 = add_const(g, "b2", DType::Float32, {5, 20});
  int c2 = add_const(g, "c2", DType::Float32, {5});
  int y2 = add(g, "y2", shape({Dim::known(3), Dim::known(5)}));
  Node gemm = node(OpKind::Gemm, "gemm", {a2, b2, c2}, {y2});
  gemm.attrs["transB"] = int_attr(1);
  EXPECT_EQ(node_macs(g, gemm), 3 * 5 * 20);
  EXPECT_EQ(node_params(g, gemm), 105);

  // Same constant twice counts once; int64 shape operands are not parameters.
  int shp = add_const(g, "shape", DType::Int64, {2});
  int r = add(g, "r", shape({Dim::known(2), Dim::known(5)}));
  Node reshape = node(OpKind::Reshape, "reshape", {c2, shp}, {r});
  EXPECT_EQ(node_macs(g, reshape), 0);
  EXPECT_EQ(node_params(g, reshape), 5);
  Node sq = node(OpKind::Mul, "sq", {c2, c2}, {add(g, "sq", shape({Dim::known(5)}))});
  EXPECT_EQ(node_params(g, sq), 5);
}

TEST(PrinterText, SmallGraph) {
  Graph g;
  g.name = "tiny";
  g.producer = "hand 1.0";
  g.opset = 13;
  int x = add(g, "x", shape({Dim::named("N"), Dim::known(64)}));
  int w = add_const(g, "w", DType::Float32, {64, 10});
  int y = add(g, "y", shape({Dim::named("N"), Dim::known(10)}));
  int z = add(g, "z", Shape{});
  g.inputs = {x};
  g.outputs = {z};
  g.nodes.push_back(node(OpKind::MatMul, "fc", {x, w}, {y}));
  g.nodes.push_back(node(OpKind::MatMul, "fc2", {y, y}, {z}));   // shapes unknown: "?"
  std::string text = print_graph(g);
  EXPECT_CONTAINS(text, "graph 'tiny' from hand 1.0, opset 13, 2 nodes\n");
  EXPECT_CONTAINS(text, "inputs:\n  x: float32 [N,64]\n");
  EXPECT_CONTAINS(text, "outputs:\n  z: float32 ?\n");
  EXPECT_CONTAINS(text, "per image");
  // Columns are as wide as their widest cell; numbers right-aligned.
  EXPECT_CONTAINS(text, "\n#  op      output shape  params  MACs  name\n"
                        "0  MatMul  [N,10]           640   640  fc\n"
                        "1  MatMul  ?                  -     ?  fc2\n");
  EXPECT_CONTAINS(text, "total: 640 parameters, 640 MACs per image (+ 1 Conv/MatMul/Gemm nodes whose shapes are unknown)");
}

TEST(PrinterResnet8, TotalsPerImage) {
  Graph g = import_onnx_file(std::string(OCTET_DATA_DIR) + "/resnet8.onnx");
  infer_shapes(g);
  std::string text = print_graph(g);

  // Expected values computed with /usr/bin/python3: onnx.shape_inference on resnet8.onnx with
  // the batch set to 1, then summing N*Cout*Hout*Wout*Cin*kh*kw over the 9 Convs and M*K*N
  // over the MatMul (12,500,992 + 640); parameters = elements of all float initializers
  // (78,188 initializer elements minus the 2 of the int64 Reshape shape).
  EXPECT_CONTAINS(text, "total: 78,186 parameters, 12,501,632 MACs per image\n");
  EXPECT_CONTAINS(text, "graph 'tf2onnx' from tf2onnx 1.16.1 15c810, opset 15, 39 nodes\n");
  EXPECT_CONTAINS(text, "  input_1: float32 [unk__32,32,32,3]\n");
  EXPECT_CONTAINS(text, "  dense: float32 [");

  int conv_lines = 0;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (line.find(" Conv ") != std::string::npos) ++conv_lines;
  EXPECT_EQ(conv_lines, 9);
  for (const Node& n : g.nodes) {
    EXPECT_CONTAINS(text, n.name);
    if (n.op == OpKind::Conv) {
      EXPECT_GT(node_macs(g, n), 0) << n.name;
    }
  }

  auto macs_of = [&](const std::string& name) {
    for (const Node& n : g.nodes)
      if (n.name == name) return node_macs(g, n);
    return int64_t{-2};
  };
  EXPECT_EQ(macs_of("model_1/conv2d_1/BiasAdd"), 442368);      // 16*32*32 * 3*3*3
  EXPECT_EQ(macs_of("model_1/conv2d_3_1/BiasAdd"), 1179648);   // 32*16*16 * 16*3*3
  EXPECT_EQ(macs_of("model_1/conv2d_8_1/BiasAdd"), 131072);    // 64*8*8 * 32*1*1
  EXPECT_EQ(macs_of("model_1/dense_1/MatMul"), 640);
  EXPECT_EQ(macs_of("model_1/activation_1/Relu"), 0);
}

}  // namespace
}  // namespace octet
