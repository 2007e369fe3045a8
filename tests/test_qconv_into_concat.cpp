// engine/qconv_into_concat.h on SqueezeNet Fire modules quantized u8s8 (per tensor and per
// channel): the expand1x1 and expand3x3 convs write straight into their Concat's output, one
// through the Concat's requantisation table, and both concat slice steps leave the plan with
// the convs' own buffers; the plan gives the unfolded plan's bytes on batch 1 and 7, 1 and 2
// threads, and after a .octet round trip; the validator refuses a slice outside its pixel and a
// table outside the weights.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/pipeline/calibration.h"
#include "engine/runtime/model_file.h"
#include "engine/runtime/steps/all.h"
#include "qdq_test_util.h"
#include "quant/qdq_export.h"
#include "tests/expect_error.h"
#include "tests/plan_run_test_util.h"

namespace octet {
namespace {

using namespace qdq_test;

constexpr int64_t kE1 = 5, kE3 = 7;   // odd expand widths: the Concat's rows are 12 channels

Graph fire_module() {
  Net n(13);
  const int x = n.input("x", {-1, 3, 15, 15});
  auto conv = [&](const std::string& name, int in, std::vector<int64_t> w_dims, int64_t pad, int64_t stride,
                  uint32_t seed) {
    const int w = n.constant(name + ".w", uniform(w_dims, seed, -0.5f, 0.5f));
    const int b = n.constant(name + ".b", uniform({w_dims[0]}, seed + 1, -0.2f, 0.2f));
    return n.node(OpKind::Relu, name + "_relu",
                  {n.node(OpKind::Conv, name, {in, w, b}, name + ".y", {},
                          {{"pads", ints({pad, pad, pad, pad})}, {"strides", ints({stride, stride})}})},
                  name + ".r");
  };
  const int stem = conv("stem", x, {9, 3, 3, 3}, 0, 2, 3);   // 7x7, stride 2
  const int squeeze = conv("squeeze", stem, {4, 9, 1, 1}, 0, 1, 5);
  const int e1 = conv("expand1x1", squeeze, {kE1, 4, 1, 1}, 0, 1, 7);
  const int e3 = conv("expand3x3", squeeze, {kE3, 4, 3, 3}, 1, 1, 9);
  const int cat = n.node(OpKind::Concat, "concat", {e1, e3}, "cat", {}, {{"axis", integer(1)}});
  Graph g = n.done({n.node(OpKind::GlobalAveragePool, "gap", {conv("head", cat, {6, 12, 1, 1}, 0, 1, 11)}, "features")});
  prepare_graph(g);
  return g;
}

// The module quantized, the Concat's output given expand3x3's parameters, so that expand1x1's
// codes go through a table and expand3x3's are copied.
std::string fire_qdq(bool per_channel) {
  const Graph base = quantization_base(fire_module());
  TensorBatches calib({{uniform({16, 3, 15, 15}, 101, -1.f, 1.f)}});
  quant::QuantizeOptions o;
  o.per_channel = per_channel;
  Graph q = quantize_model(base, calibrate(base, calib), quant::Scheme::U8S8, o);
  const Node* cat = find_node(q, "concat");
  EXPECT_TRUE(cat != nullptr);
  QuantParams& e1 = *q.values[static_cast<size_t>(cat->inputs[0])].quant;
  const QuantParams e3 = *q.value(cat->inputs[1]).quant;
  if (e1 == e3) e1.scale *= 1.3f;
  q.values[static_cast<size_t>(cat->outputs[0])].quant = e3;
  return quant::export_qdq(q);
}

Plan qdq_plan(const std::string& bytes, const CompileOptions& options = {}) {
  Graph g = import_onnx_bytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  quant::recognise_qdq(g);
  prepare_graph(g);
  return compile_for_runtime(g, options);
}

// The int8 convs of the plan that write into a Concat's slice.
std::vector<const QConvStep*> slice_convs(const Plan& plan) {
  std::vector<const QConvStep*> out;
  for (const Step& s : plan.steps) {
    const QConvStep* p = s.params_if<QConvStep>();
    if (p == nullptr) p = s.params_if<QConvChannelStep>();
    if (p != nullptr && p->conv.y_pixel() != p->conv.shape.out_c) out.push_back(p);
  }
  return out;
}

TEST(QConvIntoConcat, FireExpandConvsWriteIntoTheirConcat) {
  for (bool per_channel : {false, true}) {
    SCOPED_TRACE(per_channel ? "per channel" : "per tensor");
    const std::string bytes = fire_qdq(per_channel);
    CompileOptions off;
    off.fold_copies = false;
    const Plan plan = qdq_plan(bytes), plain = qdq_plan(bytes, off);
    const std::string text = plan.describe();
    EXPECT_EQ(plan_test::count_steps<QConcatSliceStep>(plain), 2) << plain.describe();
    EXPECT_EQ(plan_test::count_steps<QConcatSliceStep>(plan), 0) << text;
    EXPECT_EQ(plan.steps.size() + 2, plain.steps.size());
    EXPECT_EQ(plan.buffers.size() + 2, plain.buffers.size());
    const std::vector<const QConvStep*> convs = slice_convs(plan);
    ASSERT_EQ(convs.size(), 2u) << text;
    EXPECT_EQ(convs[0]->output_offset, 0u);
    EXPECT_EQ(convs[0]->conv.shape.out_c, kE1);
    EXPECT_TRUE(convs[0]->conv.has_output_table);
    EXPECT_EQ(convs[1]->output_offset, size_t(kE1));
    EXPECT_FALSE(convs[1]->conv.has_output_table);
    for (const QConvStep* c : convs) EXPECT_EQ(c->conv.output_pixel_stride, kE1 + kE3);
    EXPECT_NE(text.find("-> [0, 5) of 12 (table)"), std::string::npos) << text;
    EXPECT_NE(text.find("-> [5, 12) of 12"), std::string::npos) << text;
    const Plan loaded = load_model_file(model_file_bytes(plan));
    EXPECT_EQ(loaded.describe(), text);
    for (int batch : {1, 7}) {
      const std::vector<Tensor> in{uniform({batch, 3, 15, 15}, 40 + uint32_t(batch), -1.5f, 1.5f)};
      const std::vector<Tensor> want = run_plan(plain, in);
      for (int threads : {1, 2}) {
        SCOPED_TRACE("batch " + std::to_string(batch) + ", threads " + std::to_string(threads));
        EXPECT_TRUE(run_plan(plan, in, threads)[0].bytes == want[0].bytes);
        EXPECT_TRUE(run_plan(loaded, in, threads)[0].bytes == want[0].bytes);
      }
    }
  }
}

TEST(QConvIntoConcat, ValidatorRefusesSlicesOutsideTheirPixelAndTablesOutsideTheWeights) {
  const Plan plan = qdq_plan(fire_qdq(false));
  int edited = 0;
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const QConvStep* c = plan.steps[i].params_if<QConvStep>();
    if (c == nullptr || c->conv.y_pixel() == c->conv.shape.out_c) continue;
    SCOPED_TRACE(plan.steps[i].name);
    for (int edit = 0; edit < 4; ++edit) {
      Plan bad = load_model_file(model_file_bytes(plan));
      auto* p = bad.steps[i].params_if<QConvStep>();
      if (edit == 0) p->output_offset = size_t(p->conv.output_pixel_stride - p->conv.shape.out_c + 1);
      if (edit == 1) p->conv.output_pixel_stride = p->conv.shape.out_c - 1;
      if (edit == 2) p->conv.has_output_table = true, p->table_offset = bad.weights.size();
      if (edit == 3) p->conv.output_pixel_stride = -1;
      EXPECT_THROW(validate_plan(bad), Error) << edit;
      ++edited;
    }
  }
  EXPECT_EQ(edited, 8);
}

}  // namespace
}  // namespace octet
