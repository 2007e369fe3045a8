// The reference QuantizeLinear, DequantizeLinear, QLinearConv and QLinearMatMul
// (engine/reference/ops_quant.cpp) and their shape rules (graph/passes/infer_shapes_quant.cpp),
// beyond ONNX's own conformance tests (tests/test_conformance.cpp): rounding ties, saturation,
// per-axis parameters, int32, grouped / strided / dilated / padded QLinearConv, batch
// broadcasting and per-column weights in QLinearMatMul, and the errors.
#include <gtest/gtest.h>

#include "qdq_test_util.h"

namespace octet {
namespace {

using namespace qdq_test;

std::vector<Tensor> eval(OpKind op, std::vector<Tensor> in, std::map<std::string, Attribute> attrs = {}, int opset = 13) {
  Graph g;
  g.opset = opset;
  Node n;
  n.op = op;
  n.name = "node";
  n.attrs = std::move(attrs);
  std::vector<const Tensor*> ptrs;
  for (const Tensor& t : in) ptrs.push_back(&t);
  return evaluate_node(g, n, ptrs);
}

template <typename T>
std::vector<T> values(const Tensor& t) {
  return std::vector<T>(t.values<T>().begin(), t.values<T>().end());
}

TEST(QuantOps, QuantizeLinearRoundsHalfToEvenAndSaturates) {
  const Tensor x = Tensor::from<float>({8}, {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 300.f, -300.f, 126.5f});
  EXPECT_EQ(values<int8_t>(eval(OpKind::QuantizeLinear, {x, Tensor::from<float>({}, {1.f}), Tensor::from<int8_t>({}, {0})})[0]),
            (std::vector<int8_t>{0, 2, 2, 0, -2, 127, -128, 126}));
  EXPECT_EQ(values<uint8_t>(eval(OpKind::QuantizeLinear, {x, Tensor::from<float>({}, {0.5f}), Tensor::from<uint8_t>({}, {10})})[0]),
            (std::vector<uint8_t>{11, 13, 15, 9, 7, 255, 0, 255}));
  // No zero point: uint8 with zero point 0.
  const Tensor y = eval(OpKind::QuantizeLinear, {x, Tensor::from<float>({}, {2.f})})[0];
  EXPECT_EQ(y.dtype, DType::Uint8);
  EXPECT_EQ(values<uint8_t>(y), (std::vector<uint8_t>{0, 1, 1, 0, 0, 150, 0, 63}));
  // Per axis: axis 1 of [2,3].
  const Tensor z = eval(OpKind::QuantizeLinear,
                        {Tensor::from<float>({2, 3}, {1.f, 1.f, 1.f, 4.f, 4.f, 4.f}), Tensor::from<float>({3}, {1.f, 2.f, 4.f}),
                         Tensor::from<int8_t>({3}, {0, 5, -5})})[0];
  EXPECT_EQ(values<int8_t>(z), (std::vector<int8_t>{1, 5, -5, 4, 7, -4}));   // 1/2 rounds to 0
  expect_error([&] { eval(OpKind::QuantizeLinear, {x, Tensor::from<float>({}, {1.f}), Tensor::from<int32_t>({}, {0})}); },
               {"node 'node' (QuantizeLinear", "int32"});
  expect_error([&] {
    eval(OpKind::QuantizeLinear, {Tensor(DType::Float32, {2, 4}), Tensor::from<float>({2}, {1.f, 2.f}),
                                  Tensor::from<uint8_t>({2}, {0, 0})});
  }, {"node 'node'", "one value per index of axis 1"});
}

TEST(QuantOps, DequantizeLinearOfInt32AndPerAxis) {
  const Tensor b = eval(OpKind::DequantizeLinear, {Tensor::from<int32_t>({3}, {-1000000, 0, 123}), Tensor::from<float>({1}, {0.25f}),
                                                    Tensor::from<int32_t>({}, {0})})[0];
  EXPECT_EQ(values<float>(b), (std::vector<float>{-250000.f, 0.f, 30.75f}));
  const Tensor w = eval(OpKind::DequantizeLinear, {Tensor::from<int8_t>({2, 2}, {-128, 127, 3, -3}), Tensor::from<float>({2}, {0.5f, 2.f}),
                                                    Tensor::from<int8_t>({2}, {0, 1})},
                        {{"axis", integer(0)}})[0];
  EXPECT_EQ(values<float>(w), (std::vector<float>{-64.f, 63.5f, 4.f, -8.f}));
}

// Random integer data through QLinearConv and through DequantizeLinear -> Conv ->
// QuantizeLinear: the exact integer sum and the float sum round to the same code, or (at a
// tie that float rounding moves) to the neighbouring one.
TEST(QuantOps, QLinearConvAgreesWithItsQdqForm) {
  std::mt19937 rng(5);
  auto codes = [&](DType t, std::vector<int64_t> dims) {
    Tensor c(t, std::move(dims));
    for (int64_t i = 0; i < c.numel(); ++i) {
      if (t == DType::Uint8) c.data<uint8_t>()[i] = uint8_t(rng() % 256);
      else c.data<int8_t>()[i] = int8_t(int(rng() % 256) - 128);
    }
    return c;
  };
  const Tensor x = codes(DType::Int8, {2, 4, 7, 6}), w = codes(DType::Int8, {6, 2, 3, 3});
  const Tensor sx = Tensor::from<float>({}, {0.05f}), zx = Tensor::from<int8_t>({}, {-3});
  const Tensor sw = Tensor::from<float>({6}, {0.01f, 0.02f, 0.003f, 0.015f, 0.008f, 0.011f}), zw = Tensor(DType::Int8, {6});
  const Tensor sy = Tensor::from<float>({}, {0.7f}), zy = Tensor::from<uint8_t>({}, {120});
  const Tensor bias = Tensor::from<int32_t>({6}, {1000, -2000, 0, 77, -5, 30000});
  const std::map<std::string, Attribute> attrs{{"group", integer(2)}, {"strides", ints({2, 1})}, {"pads", ints({1, 0, 1, 2})},
                                               {"dilations", ints({1, 2})}};
  const Tensor y = eval(OpKind::QLinearConv, {x, sx, zx, w, sw, zw, sy, zy, bias}, attrs)[0];
  ASSERT_EQ(y.dtype, DType::Uint8);
  // The QDQ form.
  const Tensor xf = eval(OpKind::DequantizeLinear, {x, sx, zx})[0];
  const Tensor wf = eval(OpKind::DequantizeLinear, {w, sw, zw}, {{"axis", integer(0)}})[0];
  Tensor bs(DType::Float32, {6});
  for (int i = 0; i < 6; ++i) bs.data<float>()[i] = 0.05f * sw.data<float>()[i];
  const Tensor bf = eval(OpKind::DequantizeLinear, {bias, bs, Tensor(DType::Int32, {6})}, {{"axis", integer(0)}})[0];
  const Tensor yf = eval(OpKind::Conv, {xf, wf, bf}, attrs)[0];
  const Tensor yq = eval(OpKind::QuantizeLinear, {yf, sy, zy})[0];
  ASSERT_EQ(y.dims, yq.dims);
  int equal = 0, saturated = 0;
  for (int64_t i = 0; i < y.numel(); ++i) {
    const int a = y.data<uint8_t>()[i], b = yq.data<uint8_t>()[i];
    ASSERT_LE(std::abs(a - b), 1) << i;
    equal += a == b;
    saturated += a == 0 || a == 255;
  }
  EXPECT_GE(equal, y.numel() * 95 / 100);
  EXPECT_LT(saturated, y.numel() / 2);   // the requantisation is exercised, not just the clamp
}

TEST(QuantOps, QLinearMatMulBroadcastsBatchesAndPerColumnWeights) {
  // a [2,1,2,3] uint8 x b [3,3,2] int8 with per-column scales: hand-computed.
  const Tensor a = Tensor::from<uint8_t>({2, 1, 2, 3}, {10, 11, 12, 13, 14, 15, 20, 20, 20, 0, 0, 0});
  std::vector<int8_t> bv(18);
  for (int i = 0; i < 18; ++i) bv[size_t(i)] = int8_t(i - 9);
  const Tensor b = Tensor::from<int8_t>({3, 3, 2}, std::span<const int8_t>(bv));
  const std::vector<Tensor> y = eval(OpKind::QLinearMatMul,
                                     {a, Tensor::from<float>({}, {0.5f}), Tensor::from<uint8_t>({}, {10}), b,
                                      Tensor::from<float>({2}, {0.25f, 0.125f}), Tensor::from<int8_t>({2}, {0, 1}),
                                      Tensor::from<float>({}, {0.125f}), Tensor::from<int8_t>({}, {-20})});
  ASSERT_EQ(y[0].dims, (std::vector<int64_t>{2, 3, 2, 2}));
  // Batch (0,0): a rows (0,1,2)-10... first row a-10 = [0,1,2]; b[0] = [[-9,-8],[-7,-6],[-5,-4]],
  // column 1 minus its zero point 1: [-9,-7,-5]. acc = [0*-9+1*-7+2*-5, 0*-9+1*-7+2*-5] = [-17, -17];
  // y = round(acc * s) - 20: column 0 s = 0.5*0.25/0.125 = 1 -> -37; column 1 s = 0.5 -> -8.5 -> -8 (even) -> -28.
  EXPECT_EQ(y[0].data<int8_t>()[0], -37);
  EXPECT_EQ(y[0].data<int8_t>()[1], -28);
  // Batch (1,2), row 1: a - 10 = [-10,-10,-10]; b[2] = [[3,4],[5,6],[7,8]]. Column 0:
  // -150 * 1 - 20 saturates to -128; column 1: (4-1)+(6-1)+(8-1) = 15, -150 * 0.5 - 20 = -95.
  EXPECT_EQ(y[0].data<int8_t>()[y[0].numel() - 2], -128);
  EXPECT_EQ(y[0].data<int8_t>()[y[0].numel() - 1], -95);
}

TEST(QuantShapes, OutputTypesAndShapes) {
  Net n;
  Value codes;
  codes.name = "x";
  codes.dtype = DType::Uint8;
  codes.shape.has_rank = true;
  codes.shape.dims = {Dim::named("N"), Dim::known(4), Dim::known(9), Dim::known(9)};
  const int x = n.g.add_value(codes);
  n.g.inputs.push_back(x);
  const int f = n.input("f", {-1, 4, 9, 9});
  auto c = [&](const std::string& name, Tensor t) { return n.constant(name, std::move(t)); };
  const int s = c("s", Tensor::from<float>({}, {0.1f})), zu = c("zu", Tensor::from<uint8_t>({}, {3}));
  const int zi = c("zi", Tensor::from<int8_t>({}, {0}));
  const int q_default = n.node(OpKind::QuantizeLinear, "q0", {f, s}, "q0");
  const int q_int8 = n.node(OpKind::QuantizeLinear, "q1", {f, s, zi}, "q1");
  const int dq = n.node(OpKind::DequantizeLinear, "dq", {x, s, zu}, "dq");
  const int w = c("w", Tensor(DType::Int8, {6, 2, 3, 3}));
  const int conv = n.node(OpKind::QLinearConv, "qconv", {x, s, zu, w, s, zi, s, zi}, "qconv",
                          std::nullopt, {{"group", integer(2)}, {"strides", ints({2, 2})}});
  const int b = c("b", Tensor(DType::Uint8, {9, 5}));
  const int mm = n.node(OpKind::QLinearMatMul, "qmm", {x, s, zu, b, s, zu, s, zu}, "qmm");
  const Graph g = n.done({q_default, q_int8, dq, conv, mm});
  EXPECT_EQ(g.value(q_default).dtype, DType::Uint8);
  EXPECT_EQ(g.value(q_default).shape.to_string(), "[N,4,9,9]");
  EXPECT_EQ(g.value(q_int8).dtype, DType::Int8);
  EXPECT_EQ(g.value(dq).dtype, DType::Float32);
  EXPECT_EQ(g.value(dq).shape.to_string(), "[N,4,9,9]");
  EXPECT_EQ(g.value(conv).dtype, DType::Int8);
  EXPECT_EQ(g.value(conv).shape.to_string(), "[N,6,4,4]");
  EXPECT_EQ(g.value(mm).dtype, DType::Uint8);
  EXPECT_EQ(g.value(mm).shape.to_string(), "[N,4,9,5]");
  // The Conv rule's checks apply to QLinearConv's data inputs, naming the quantized node.
  Net m;
  const int y = m.input("y", {1, 3, 5, 5});
  const int w2 = m.constant("w2", Tensor(DType::Int8, {2, 4, 1, 1}));
  const int s2 = m.constant("s2", Tensor::from<float>({}, {1.f})), z2 = m.constant("z2", Tensor::from<int8_t>({}, {0}));
  m.node(OpKind::QLinearConv, "bad", {y, s2, z2, w2, s2, z2, s2, z2}, "out");
  expect_error([&] { m.done({m.g.nodes.back().outputs[0]}); }, {"node 'bad' (QLinearConv", "channels"});
}

}  // namespace
}  // namespace octet
