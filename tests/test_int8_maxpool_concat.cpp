// int8 MaxPool and Concat (issue 15) end to end: a QDQ file whose MaxPools and Concat meet
// other parameters (requantisation tables) and the same ones (plain maxima and copies), run by
// the optimised runtime bit-exact with the reference executor running its Q/DQ operators; a
// float model quantized u8s8, whose MaxPool output takes its input's parameters (no table), with
// no float island left; batch 1 and 7, every int8 ISA the same bytes; a .octet round trip and
// the validator's refusals.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/int8_coverage.h"
#include "engine/pipeline/calibration.h"
#include "engine/runtime/model_file.h"
#include "engine/runtime/steps/all.h"
#include "qdq_test_util.h"
#include "tests/expect_error.h"
#include "quant/qdq_export.h"

namespace octet {
namespace {

using namespace qdq_test;

Plan qdq_plan(const std::string& bytes) {
  Graph g = import_onnx_bytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  quant::recognise_qdq(g);
  prepare_graph(g);
  return compile_for_runtime(g);
}

std::map<std::string, Attribute> pool(int64_t k, int64_t stride, std::vector<int64_t> pads, bool ceil_mode) {
  return {{"kernel_shape", ints({k, k})},
          {"strides", ints({stride, stride})},
          {"pads", ints(std::move(pads))},
          {"ceil_mode", integer(ceil_mode ? 1 : 0)}};
}

const QuantParams kA = qp(DType::Uint8, 0.04f, 100), kB = qp(DType::Uint8, 0.05f, 90), kC = qp(DType::Uint8, 0.045f, 95);

// x [N,5,10,12] (A) -> three MaxPools to [5,5,6]: ceil_mode 3x3 s2 into B (a table), 3x3 s2
// pad 1 keeping A (plain maxima), 1x1 s2 into C -> Concat along channels into C: the first
// two inputs through tables, the third a copy.
std::string hand_annotated_qdq() {
  Net n(13);
  const int x = n.input("x", {-1, 5, 10, 12}, kA);
  const int p1 = n.node(OpKind::MaxPool, "pool_ceil", {x}, "p1", kB, pool(3, 2, {0, 0, 0, 0}, true));
  const int p2 = n.node(OpKind::MaxPool, "pool_pad", {x}, "p2", kA, pool(3, 2, {1, 1, 1, 1}, false));
  const int p3 = n.node(OpKind::MaxPool, "pool_1x1", {x}, "p3", kC, pool(1, 2, {0, 0, 0, 0}, false));
  Graph g = n.done({n.node(OpKind::Concat, "concat", {p1, p2, p3}, "y", kC, {{"axis", integer(1)}})});
  return quant::export_qdq(g);
}

TEST(Int8MaxPoolConcat, QdqFileRunsOnInt8StepsWithTablesWhereParametersDiffer) {
  const Plan plan = qdq_plan(hand_annotated_qdq());
  std::vector<bool> pool_tables, concat_tables;
  for (const Step& s : plan.steps) {
    if (const auto* p = s.params_if<QMaxPoolStep>()) pool_tables.push_back(p->has_table);
    if (const auto* c = s.params_if<QConcatSliceStep>()) concat_tables.push_back(c->has_table);
    EXPECT_NE(std::string(s.kernel_name()), "max_pool") << s.name;
    EXPECT_NE(std::string(s.kernel_name()), "concat_slice") << s.name;
  }
  EXPECT_EQ(pool_tables, (std::vector<bool>{true, false, true}));
  EXPECT_EQ(concat_tables, (std::vector<bool>{true, true, false}));
}

TEST(Int8MaxPoolConcat, QdqFileBitExactWithTheReference) {
  const std::string bytes = hand_annotated_qdq();
  for (int batch : {1, 7}) {
    SCOPED_TRACE(batch);
    // Values over and beyond A's range (saturation), including exact codes.
    const std::vector<Tensor> inputs{uniform({batch, 5, 10, 12}, 40 + uint32_t(batch), -4.5f, 6.5f)};
    expect_optimised_near_reference(bytes, inputs, kC.scale, 0.0, 1.0);
  }
}

// The steps survive a .octet round trip (kernel, tables), and the validator refuses a table
// outside the weights, a pool whose output outgrows its buffer and a slice past its row.
TEST(Int8MaxPoolConcat, ModelFileRoundTripAndValidation) {
  const Plan plan = qdq_plan(hand_annotated_qdq());
  const Plan loaded = load_model_file(model_file_bytes(plan));
  ASSERT_EQ(loaded.steps.size(), plan.steps.size());
  int edited = 0;
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    EXPECT_EQ(loaded.steps[i].type->describe(loaded.steps[i]), plan.steps[i].type->describe(plan.steps[i]));
    SCOPED_TRACE(plan.steps[i].name + " step " + std::to_string(i));
    if (const auto* mp = plan.steps[i].params_if<QMaxPoolStep>()) {
      EXPECT_EQ(loaded.steps[i].params_if<QMaxPoolStep>()->kernel, mp->kernel);
      for (int edit = 0; edit < 2; ++edit) {
        Plan bad = load_model_file(model_file_bytes(plan));
        auto* p = bad.steps[i].params_if<QMaxPoolStep>();
        if (edit == 0) p->has_table = true, p->table_offset = bad.weights.size();
        if (edit == 1) p->pool.out_h *= 2;
        EXPECT_THROW(validate_plan(bad), Error);
        ++edited;
      }
    }
    if (plan.steps[i].params_if<QConcatSliceStep>() != nullptr) {
      Plan bad = load_model_file(model_file_bytes(plan));
      auto* p = bad.steps[i].params_if<QConcatSliceStep>();
      p->offset = p->out_row - p->in_row + 1;
      EXPECT_ERROR(validate_plan(bad), "concat");
      ++edited;
    }
  }
  EXPECT_EQ(edited, 3 * 2 + 3);
}

Graph fire_block() {
  Net n(13);
  const int x = n.input("x", {-1, 3, 15, 15});
  auto conv = [&](const std::string& name, int in, std::vector<int64_t> w_dims, int64_t pad, uint32_t seed) {
    const int w = n.constant(name + ".w", uniform(w_dims, seed, -0.5f, 0.5f));
    const int b = n.constant(name + ".b", uniform({w_dims[0]}, seed + 1, -0.2f, 0.2f));
    return n.node(OpKind::Relu, name + "_relu",
                  {n.node(OpKind::Conv, name, {in, w, b}, name + ".y", {}, {{"pads", ints({pad, pad, pad, pad})}})},
                  name + ".r");
  };
  const int stem = conv("stem", x, {9, 3, 3, 3}, 0, 3);   // 13x13
  const int pooled = n.node(OpKind::MaxPool, "pool", {stem}, "pooled", {}, pool(3, 2, {0, 0, 0, 0}, true));   // 6x6
  const int squeeze = conv("squeeze", pooled, {4, 9, 1, 1}, 0, 5);
  const int e1 = conv("expand1x1", squeeze, {5, 4, 1, 1}, 0, 7);
  const int e3 = conv("expand3x3", squeeze, {7, 4, 3, 3}, 1, 9);
  const int cat = n.node(OpKind::Concat, "concat", {e1, e3}, "cat", {}, {{"axis", integer(1)}});
  Graph g = n.done({n.node(OpKind::GlobalAveragePool, "gap", {conv("head", cat, {6, 12, 1, 1}, 0, 11)}, "features")});
  prepare_graph(g);
  return g;
}

Graph quantized_fire() {
  const Graph base = quantization_base(fire_block());
  TensorBatches calib({{uniform({16, 3, 15, 15}, 101, -1.f, 1.f)}});
  return quantize_model(base, calibrate(base, calib), quant::Scheme::U8S8, {});
}

TEST(Int8MaxPoolConcat, QuantizerGivesMaxPoolItsInputsParametersAndLeavesNoFloatIsland) {
  const Graph q = quantized_fire();
  EXPECT_EQ(float_compute_summary(q), "none");
  const Node* p = find_node(q, "pool");
  ASSERT_TRUE(p);
  ASSERT_TRUE(q.value(p->outputs[0]).quant.has_value());
  EXPECT_EQ(q.value(p->outputs[0]).quant, q.value(p->inputs[0]).quant);
  for (const Node* c : {find_node(q, "concat")}) {
    ASSERT_TRUE(c);
    for (int in : c->inputs) EXPECT_TRUE(q.value(in).quant.has_value());
  }
  const Plan plan = qdq_plan(quant::export_qdq(q));
  int pools = 0, slices = 0, boundaries = 0, into_concat = 0, planes = 0, float_transposes = 0;
  for (const Step& s : plan.steps) {
    if (const auto* c = s.params_if<QConvStep>()) into_concat += c->conv.y_pixel() != c->conv.shape.out_c;
    planes += s.params_if<QuantizePlanesStep>() != nullptr;
    float_transposes += s.params_if<NchwToNhwcStep>() != nullptr;
    if (const auto* mp = s.params_if<QMaxPoolStep>()) {
      ++pools;
      EXPECT_FALSE(mp->has_table);
    }
    slices += s.params_if<QConcatSliceStep>() != nullptr;
    const std::string k = s.kernel_name();
    boundaries += k == "quantize" || k == "quantize_planes" || k == "dequantize";
  }
  EXPECT_EQ(pools, 1);
  // The two expand convs write into the Concat's output (engine/qconv_into_concat.h) where
  // the kernel takes the Concat's table; the rest stay concat slices.
  EXPECT_EQ(slices + into_concat, 2);
  EXPECT_GE(into_concat, 1);
  EXPECT_EQ(boundaries, 2);   // the input's Quantize (from its NCHW planes) and the output's Dequantize only
  EXPECT_EQ(planes, 1);       // the RGB input goes from its planes to NHWC codes in one step,
  EXPECT_EQ(float_transposes, 0);   // with no float NHWC copy
}

// The convs requantise in their own arithmetic (within one code of the reference's); the pool
// and the Concat add no difference of their own.
TEST(Int8MaxPoolConcat, QuantizedModelMatchesTheReferenceOnItsQdqFile) {
  const Graph q = quantized_fire();
  const std::string bytes = quant::export_qdq(q);
  for (int batch : {1, 7}) {
    SCOPED_TRACE(batch);
    const std::vector<Tensor> inputs{uniform({batch, 3, 15, 15}, 300 + uint32_t(batch), -1.2f, 1.2f)};
    expect_optimised_near_reference(bytes, inputs, q.value(q.outputs[0]).quant->scale, 1.0, 0.9);
  }
}

}  // namespace
}  // namespace octet
