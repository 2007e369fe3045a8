// Float islands in a quantized model (issue 15): an operator without an int8 kernel stays float
// between Dequantize and Quantize steps, the quantization pass annotates only what an int8
// kernel runs, and the report names the rest. A small mobile-style model (conv, int8 depthwise
// conv, HardSwish and a squeeze-excitation Sigmoid as int8 tables, the int8 Mul, a grouped conv,
// the int8 Concat, 1x1 convs, global pool)
// quantized u8s8 per tensor and per channel: the optimised runtime on octet's exported QDQ file
// against the reference executor running that file with Q/DQ as real operators.
#include <gtest/gtest.h>

#include <algorithm>

#include "engine/int8_coverage.h"
#include "engine/pipeline/calibration.h"
#include "qdq_test_util.h"
#include "quant/qdq_export.h"

namespace octet {
namespace {

using namespace qdq_test;

Attribute one(int64_t v) { return integer(v); }

Graph mobile_block() {
  Net n(14);   // HardSwish is opset 14
  const int x = n.input("x", {-1, 3, 12, 12});
  auto conv = [&](const std::string& name, int in, std::vector<int64_t> w_dims, int64_t group, int64_t stride,
                  std::vector<int64_t> pads, uint32_t seed) {
    const int w = n.constant(name + ".w", uniform(w_dims, seed, -0.6f, 0.6f));
    const int b = n.constant(name + ".b", uniform({w_dims[0]}, seed + 1, -0.3f, 0.3f));
    return n.node(OpKind::Conv, name, {in, w, b}, name + ".y", {},
                  {{"group", one(group)}, {"strides", ints({stride, stride})}, {"pads", ints(std::move(pads))}});
  };
  const int c1 = n.node(OpKind::Relu, "relu1", {conv("conv1", x, {8, 3, 3, 3}, 1, 1, {1, 1, 1, 1}, 3)}, "r1");
  // Depthwise, stride 2, asymmetric padding.
  const int dw = conv("dw", c1, {8, 1, 3, 3}, 8, 2, {0, 0, 1, 1}, 5);
  const int hs = n.node(OpKind::HardSwish, "hardswish", {dw}, "hs");
  const int pooled = n.node(OpKind::GlobalAveragePool, "se_pool", {hs}, "se_pooled");
  const int gate = n.node(OpKind::Sigmoid, "se_sigmoid", {conv("se_fc", pooled, {8, 8, 1, 1}, 1, 1, {0, 0, 0, 0}, 7)}, "se_gate");
  const int scaled = n.node(OpKind::Mul, "se_mul", {hs, gate}, "se_scaled");
  const int side = conv("side", c1, {4, 4, 1, 1}, 2, 2, {0, 0, 0, 0}, 9);   // grouped: no int8 kernel
  const int cat = n.node(OpKind::Concat, "concat", {scaled, side}, "cat", {}, {{"axis", one(1)}});
  const int head = n.node(OpKind::Relu, "relu_head", {conv("head", cat, {16, 12, 1, 1}, 1, 1, {0, 0, 0, 0}, 11)}, "h");
  Graph g = n.done({n.node(OpKind::GlobalAveragePool, "pool", {head}, "features")});
  prepare_graph(g);
  return g;
}

Graph quantized_block(bool per_channel) {
  const Graph base = quantization_base(mobile_block());
  TensorBatches calib({{uniform({16, 3, 12, 12}, 101, -1.f, 1.f)}});
  const std::vector<quant::ValueRange> ranges = calibrate(base, calib);
  quant::QuantizeOptions options;
  options.per_channel = per_channel;
  return quantize_model(base, ranges, quant::Scheme::U8S8, options);
}

std::vector<std::string> float_node_names(const Graph& g) {
  std::vector<std::string> names;
  for (const Node* n : float_compute_nodes(g)) names.push_back(n->name);
  return names;
}

TEST(FloatIslands, PassAnnotatesOnlyWhatAnInt8KernelRuns) {
  const Graph q = quantized_block(false);
  EXPECT_EQ(float_node_names(q), (std::vector<std::string>{"side"}));
  EXPECT_EQ(float_compute_summary(q), "1 node: Conv x1 (side)");
  // The float conv keeps float weights (no pair rounds them); the int8 convs' weights are int8.
  const Node* side = find_node(q, "side");
  const Node* dw = find_node(q, "dw");
  ASSERT_TRUE(side && dw);
  EXPECT_FALSE(q.value(side->inputs[1]).quant.has_value());
  EXPECT_TRUE(q.value(dw->inputs[1]).quant.has_value());
  // Its input and output are quantized values (an int8 conv writes one, int8 readers read the
  // other through the float island).
  EXPECT_TRUE(q.value(side->inputs[0]).quant.has_value());
  EXPECT_TRUE(q.value(find_node(q, "concat")->outputs[0]).quant.has_value());
}

TEST(FloatIslands, PlanDequantizesAndQuantizesAroundFloatOperators) {
  const Plan plan = compile_for_runtime(quantized_block(false));
  int quantize = 0, dequantize = 0, int8_convs = 0, int8_depthwise = 0, float_grouped = 0, tables = 0, int8_mul = 0;
  for (const Step& s : plan.steps) {
    const std::string kernel = s.kernel_name();
    quantize += kernel == "quantize";
    dequantize += kernel == "dequantize";
    if (kernel.rfind("qu8_conv", 0) == 0) ++int8_convs;
    int8_depthwise += s.name == "dw" && kernel.rfind("qu8_dwconv", 0) == 0;
    float_grouped += s.name == "side" && kernel.rfind("f32_conv", 0) == 0;
    tables += kernel == "qu8_lookup";
    int8_mul += s.name == "se_mul" && kernel == "qu8_mul";
  }
  EXPECT_EQ(tables, 2);   // hardswish, se_sigmoid
  EXPECT_EQ(int8_mul, 1);
  EXPECT_EQ(int8_depthwise, 1);
  EXPECT_EQ(float_grouped, 1);
  EXPECT_EQ(int8_convs, 3);   // conv1, se_fc, head
  EXPECT_GE(dequantize, 1);   // relu1's output, read by the float grouped conv
  EXPECT_GE(quantize, 1);     // the grouped conv's output, read by the int8 Concat
}

// The exported QDQ file on the optimised runtime (every int8 ISA gives the same bytes) against
// the reference executor running its Q/DQ operators: the output (an int8 global pool, on its
// own grid) within one code everywhere, the same code on most elements.
TEST(FloatIslands, OptimisedRuntimeMatchesTheReferenceOnTheQdqFile) {
  for (bool per_channel : {false, true}) {
    SCOPED_TRACE(per_channel ? "per channel" : "per tensor");
    const Graph q = quantized_block(per_channel);
    const std::string bytes = quant::export_qdq(q);
    for (int batch : {1, 7}) {
      const std::vector<Tensor> inputs{uniform({batch, 3, 12, 12}, 200 + uint32_t(batch), -1.2f, 1.2f)};
      expect_optimised_near_reference(bytes, inputs, q.value(q.outputs[0]).quant->scale, 1.0, 0.9);
    }
  }
}

}  // namespace
}  // namespace octet
