// Per-channel weights in QDQ files (quant/qdq_import.h, quant/qdq_export.h): a file another
// tool would write (tests/fixtures/qdq/per_channel_conv.onnx, tools/make_qdq_per_channel_fixture.py:
// DequantizeLinear with axis=0 and 1-D scales) is recognised and runs on the int8 kernels as
// ONNX defines it; octet's own per-channel ResNet8 exports with `axis` and reads back with
// the same parameters and outputs; the quantization pass gives each output channel of a
// Conv (depthwise too) and a Gemm its own scale.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "engine/executor.h"
#include "graph/passes/optimize.h"
#include "engine/pipeline/calibration.h"
#include "engine/pipeline/model.h"
#include "engine/pipeline/model_session.h"
#include "qdq_test_util.h"
#include "quant/qdq_export.h"
#include "quant/qdq_import.h"
#include "quant/quantize_graph.h"
#include "tools/datasets/cifar.h"

namespace octet {
namespace {

using namespace qdq_test;

const std::string kFixture = std::string(OCTET_SOURCE_DIR) + "/tests/fixtures/qdq/per_channel_conv.onnx";

const Value& input_of(const Graph& g, OpKind op, size_t k) {
  for (const Node& n : g.nodes)
    if (n.op == op) return g.value(n.inputs.at(k));
  throw Error("no such node");
}

TEST(QdqPerChannel, ImportsAnotherToolsPerChannelConv) {
  // The file's own numbers, read with its Q/DQ kept as operators.
  const Graph file = import_onnx_file(kFixture);
  const Node* wdq = find_node(file, "W_DequantizeLinear");
  ASSERT_NE(wdq, nullptr);
  const std::span<const float> file_scales = file.value(wdq->inputs[1]).constant->values<float>();
  const Model raw = Model::load(kFixture, LoadOptions{.recognise_qdq = false});
  ASSERT_EQ(file_scales.size(), 5u);

  Model m = Model::load(kFixture);
  ASSERT_TRUE(m.is_quantized());
  const QuantParams& w = *input_of(m.graph(), OpKind::Conv, 1).quant;
  EXPECT_TRUE(w.per_channel());
  EXPECT_EQ(w.axis, 0);
  EXPECT_EQ(w.zero_point, 0);
  EXPECT_EQ(w.dtype, DType::Int8);
  EXPECT_EQ(w.channel_scales, std::vector<float>(file_scales.begin(), file_scales.end()));
  const QuantParams& b = *input_of(m.graph(), OpKind::Conv, 2).quant;
  ASSERT_EQ(b.channel_scales.size(), 5u);
  const float x_scale = input_of(m.graph(), OpKind::Conv, 0).quant->scale;
  for (size_t c = 0; c < 5; ++c) EXPECT_EQ(b.channel_scales[c], x_scale * file_scales[c]);

  // The int8 plan against ONNX's definition (the reference executor running the Q/DQ
  // operators in float), batch 7: the same codes but where float rounding puts a value
  // within 1e-4 steps of a tie.
  const Tensor x = uniform({7, 3, 6, 7}, 3, -2.2f, 2.2f);
  const std::vector<Tensor> inputs{x};
  const Tensor want = ReferenceExecutor(raw.graph()).run(inputs).at(0);
  ModelSession session(m, SessionOptions{.threads = 1, .max_batch = 7});
  const Tensor got = session.run({{"x", x}}).at(0).tensor;
  ASSERT_EQ(got.dims, want.dims);
  const float step = 1.f / 8;
  int64_t same = 0;
  for (int64_t i = 0; i < got.numel(); ++i) {
    const float d = std::fabs(got.data<float>()[i] - want.data<float>()[i]);
    EXPECT_LE(d, step * 1.001f) << "element " << i;
    same += d == 0;
  }
  EXPECT_GE(double(same), 0.99 * double(got.numel()));
  EXPECT_NE(m.compile().describe().find("per-channel"), std::string::npos) << "a per-channel conv step";
}

TEST(QdqPerChannel, ActivationsPerAxisAreRefused) {
  Net net;
  const QuantParams pq = qp(DType::Uint8, 0.1f, 3);
  const int x = net.input("x", {1, 2, 2, 2});
  Tensor scale = Tensor::from<float>({2}, {0.1f, 0.2f});
  Tensor zero(DType::Uint8, {2});
  const int s = net.constant("s", scale), z = net.constant("z", zero);
  const int q = net.node(OpKind::QuantizeLinear, "q", {x, s, z}, "xq", std::nullopt, {{"axis", integer(1)}});
  const int y = net.node(OpKind::DequantizeLinear, "dq", {q, s, z}, "y", std::nullopt, {{"axis", integer(1)}});
  (void)pq;
  Graph g = net.done({y});
  expect_error([&] { quant::recognise_qdq(g); }, {"node 'q'", "per-axis parameters on activation 'x'"});
}

// ResNet8, per channel (u8s8): the export writes 1-D scales with the axis, and the file
// reads back with the same parameters and computes the same.
TEST(QdqPerChannel, ResNet8ExportsAxisAndRoundTrips) {
  const Model fp32 = Model::load(std::string(OCTET_DATA_DIR) + "/resnet8.onnx");
  const CifarSet images = read_cifar_file(std::string(OCTET_DATA_DIR) + "/cifar10-test-first1000.bin",
                                          CifarFormat::Auto, 24);
  const ImageLayout layout = ImageLayout::NHWC;
  TensorBatches calib({{make_cifar_input(images, 0, 16, layout)}});
  Model q = fp32.quantize(calib, {.scheme = quant::Scheme::U8S8, .calibration = {}, .per_channel = true});
  EXPECT_EQ(q.scheme(), "u8s8 per-channel");
  const std::string bytes = quant::export_qdq(q.graph());

  // As operators: every Conv weight's DequantizeLinear has axis 0 and one scale per channel.
  Graph raw = import_onnx_bytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  int weights = 0;
  for (const Node& n : raw.nodes) {
    if (n.op != OpKind::Conv) continue;
    const int producer = raw.producers()[size_t(n.inputs[1])];
    ASSERT_NE(producer, kNoValue);
    const Node& dq = raw.nodes[size_t(producer)];
    ASSERT_EQ(dq.op, OpKind::DequantizeLinear);
    EXPECT_EQ(dq.attr_int("axis", 1), 0) << dq.name;
    EXPECT_EQ(raw.value(dq.inputs[1]).constant->numel(), raw.value(dq.inputs[0]).constant->dims[0]) << dq.name;
    ++weights;
  }
  EXPECT_EQ(weights, 9);

  Graph back = import_onnx_bytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  quant::recognise_qdq(back);
  prepare_graph(back);
  optimize_graph(back, false);
  const Graph& g = q.graph();
  ASSERT_EQ(back.nodes.size(), g.nodes.size());
  for (size_t i = 0; i < g.nodes.size(); ++i)
    for (size_t k = 0; k < g.nodes[i].inputs.size(); ++k)
      EXPECT_EQ(g.value(g.nodes[i].inputs[k]).quant, back.value(back.nodes[i].inputs[k]).quant) << g.nodes[i].name;
  const std::vector<Tensor> in{make_cifar_input(images, 16, 8, layout)};
  expect_same_tensor(run_fake_quant(back, in)[0], run_fake_quant(g, in)[0], "probabilities");
}

TEST(QdqPerChannel, EveryOutputChannelGetsItsOwnScale) {
  // x -> depthwise Conv (4 channels) -> Conv 4->3 -> Flatten -> Gemm 12->2 (transB 0)
  Net net;
  const int x = net.input("x", {1, 4, 2, 2});
  Tensor dw = uniform({4, 1, 1, 1}, 1, -1, 1), w = uniform({3, 4, 1, 1}, 2, -1, 1), b = uniform({12, 2}, 3, -1, 1);
  for (int c = 0; c < 4; ++c) dw.data<float>()[c] = float(c + 1) * 0.5f;   // |w| = 0.5, 1, 1.5, 2
  w.data<float>()[0] = 3.f;   // output channel 0 has the largest weight
  const int h = net.node(OpKind::Conv, "dw", {x, net.constant("dw_w", dw)}, "h", std::nullopt, {{"group", integer(4)}});
  const int c = net.node(OpKind::Conv, "pw", {h, net.constant("pw_w", w)}, "c");
  const int f = net.node(OpKind::Flatten, "flat", {c}, "f");
  const int y = net.node(OpKind::Gemm, "fc", {f, net.constant("fc_w", b)}, "y");
  Graph g = net.done({y});
  prepare_graph(g);
  quant::Calibrator calibrator(g);
  calibrator.observe(uniform({1, 4, 2, 2}, 4, -1, 1));
  Graph unquantized = g;
  quant::quantize_graph(g, calibrator.ranges(), quant::Scheme::Int8, {.bias_correction = true, .calibration = {}, .per_channel = true});
  auto params = [&](const std::string& name) {
    for (const Value& v : g.values)
      if (v.name == name) return *v.quant;
    throw Error("no value " + name);
  };
  const QuantParams pdw = params("dw_w"), ppw = params("pw_w"), pfc = params("fc_w");
  ASSERT_EQ(pdw.channel_scales.size(), 4u);
  for (int k = 0; k < 4; ++k) EXPECT_FLOAT_EQ(pdw.channel_scales[size_t(k)], float(k + 1) * 0.5f / 127.f);
  EXPECT_EQ(pdw.axis, 0);
  ASSERT_EQ(ppw.channel_scales.size(), 3u);
  EXPECT_FLOAT_EQ(ppw.channel_scales[0], 3.f / 127.f);
  EXPECT_LT(ppw.channel_scales[1], ppw.channel_scales[0]);
  EXPECT_EQ(ppw.scale, ppw.channel_scales[0]);
  EXPECT_EQ(pfc.axis, 1);   // B [K, N]: the output axis is 1
  ASSERT_EQ(pfc.channel_scales.size(), 2u);
  // The per-channel int8 codes of every weight span ±127 in its largest element.
  for (const char* name : {"dw_w", "pw_w", "fc_w"}) {
    const Value* v = nullptr;
    for (const Value& u : g.values)
      if (u.name == name) v = &u;
    std::vector<int64_t> peak(v->quant->channel_scales.size(), 0);
    for (int64_t i = 0; i < v->constant->numel(); ++i) {
      const QuantParams p = quant::element_params(*v->quant, v->constant->dims, i);
      const int64_t code = quant::quantize_value(v->constant->data<float>()[i], p);
      const int64_t ch = v->quant->axis == 0 ? i / (v->constant->numel() / v->constant->dims[0]) : i % v->constant->dims[1];
      peak[size_t(ch)] = std::max(peak[size_t(ch)], std::abs(code));
    }
    for (int64_t p : peak) EXPECT_EQ(p, 127) << name;
  }
  // The uint8 scheme has asymmetric weights: refused by name.
  expect_error([&] { quant::quantize_graph(unquantized, calibrator.ranges(), quant::Scheme::Uint8, {.bias_correction = true, .calibration = {}, .per_channel = true}); },
               {"per-channel", "uint8"});
}

}  // namespace
}  // namespace octet
