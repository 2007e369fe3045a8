// Depthwise and grouped convolutions on the optimised runtime, end to end: a small net of the
// MobileNet kind (stem conv, depthwise 3x3 and 5x5 with ReLU / Clip fused, pointwise 1x1, a
// grouped 3x3 of 2 groups, a depthwise conv with channel multiplier 2, a depthwise conv with
// a residual Add) compiled with the fixed and the autotuned kernel rule, run with 1 and 2
// threads at batch 1 and 7, and through a .octet round trip, against the reference executor
// within the FP32 tolerance; the plan names the depthwise and grouped kernels. The validator
// refuses oversized steps, and an int8 depthwise step whose packed accumulator bound is not
// its weights'.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/compile.h"
#include "engine/executor.h"
#include "engine/pipeline/calibration.h"
#include "engine/pipeline/stages.h"
#include "engine/runtime/model_file.h"
#include "engine/runtime/session.h"
#include "engine/runtime/steps/all.h"
#include "graph/onnx_import.h"
#include "graph/passes/optimize.h"
#include "quant/qdq_import.h"
#include "quant/qdq_export.h"
#include "tests/optimize_test_util.h"
#include "tests/plan_run_test_util.h"

namespace octet {
namespace {

using opt_test::Builder;
using opt_test::integer;
using opt_test::ints;

constexpr int64_t kH = 13, kW = 11;

Graph depthwise_net() {
  Builder b;
  const int x = b.input("x", {-1, 3, kH, kW});
  const int stem = b.node(OpKind::Relu, "stem_relu", {b.conv("stem", x, 16, 3, 3, 1, {{"pads", ints({1, 1, 1, 1})}})});
  // Depthwise 3x3 stride 2, asymmetric padding, Clip 0..6 (MobileNetV2's ReLU6).
  const int dw1 = b.conv("dw1", stem, 16, 1, 3, 3, {{"group", integer(16)}, {"strides", ints({2, 2})},
                                                     {"pads", ints({0, 1, 1, 0})}});
  const int clip = b.node(OpKind::Clip, "dw1_clip", {dw1, b.constant("lo", opt_test::scalar(0.f)),
                                                     b.constant("hi", opt_test::scalar(6.f))});
  const int pw1 = b.conv("pw1", clip, 24, 16, 1, 5);
  // Depthwise 5x5, dilation 2, ReLU.
  const int dw2 = b.node(OpKind::Relu, "dw2_relu", {b.conv("dw2", pw1, 24, 1, 5, 7, {{"group", integer(24)},
                                                                                     {"dilations", ints({2, 2})},
                                                                                     {"pads", ints({4, 4, 4, 4})}})});
  // Grouped 3x3 (2 groups of 12 -> 8), then depthwise with channel multiplier 2 (16 -> 32).
  const int grouped = b.conv("grouped", dw2, 16, 12, 3, 9, {{"group", integer(2)}, {"pads", ints({1, 1, 1, 1})}});
  const int mult = b.conv("multiplier", grouped, 32, 1, 3, 11, {{"group", integer(16)}, {"pads", ints({1, 1, 1, 1})}});
  // Depthwise with a residual Add fused as the conv epilogue.
  const int dw3 = b.conv("dw3", mult, 32, 1, 3, 13, {{"group", integer(32)}, {"pads", ints({1, 1, 1, 1})}});
  b.output(b.node(OpKind::Add, "residual", {dw3, mult}));
  return b.prepared();
}

using plan_test::expect_close;
using plan_test::run;

TEST(GroupedConvModel, OptimisedRuntimeMatchesTheReference) {
  const Graph reference = depthwise_net();
  Graph optimised = reference;
  optimize_graph(optimised);
  for (const int batch : {1, 7}) {
    const Tensor in = opt_test::random_tensor({batch, 3, kH, kW}, 21 + batch, -2.f, 2.f);
    const Tensor want = ReferenceExecutor(reference).run(std::span<const Tensor>(&in, 1)).at(0);
    for (const bool autotune : {false, true}) {
      CompileOptions options;
      options.autotune = autotune;
      const Plan plan = compile_plan(optimised, options);
      const std::string text = plan.describe();
      EXPECT_NE(text.find("f32_dwconv_nhwc_"), std::string::npos) << text;
      EXPECT_NE(text.find("2 groups of"), std::string::npos) << text;
      EXPECT_NE(text.find("16 groups of"), std::string::npos) << text;   // the channel multiplier
      EXPECT_NE(text.find("depthwise clip[0.000000, 6.000000]"), std::string::npos) << text;
      EXPECT_NE(text.find("depthwise +residual"), std::string::npos) << text;
      EXPECT_EQ(text.find("reference_"), std::string::npos) << text;
      const std::string what = "batch " + std::to_string(batch) + (autotune ? " autotuned" : " fixed rule");
      for (const int threads : {1, 2}) expect_close(run(plan, in, batch, threads), want, what + ", threads " + std::to_string(threads));
      const Plan loaded = load_model_file(model_file_bytes(plan));
      EXPECT_EQ(loaded.describe(), text);
      expect_close(run(loaded, in, batch, 2), want, what + ", .octet round trip");
    }
  }
}

// The .octet validator checks the new steps' sizes: a group count or channel count that would
// make the kernels read past their buffers, weights or scratch is refused, file or plan.
TEST(GroupedConvModel, ValidatorRefusesOversizedGroupedAndDepthwiseSteps) {
  Graph g = depthwise_net();
  optimize_graph(g);
  CompileOptions options;
  options.conv_chains = FusionRule::Off;   // every depthwise conv its own step (test_conv_chain.cpp checks chains)
  const Plan plan = compile_plan(g, options);
  int grouped = 0, depthwise = 0;
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    Plan edited = load_model_file(model_file_bytes(plan));   // a copy to edit
    if (auto* p = edited.steps[i].params_if<GroupedConvF32Step>()) {
      ++grouped;
      p->groups *= 4;   // 4x the channels of the buffers
    } else if (auto* d = edited.steps[i].params_if<DwConvF32Step>()) {
      ++depthwise;
      d->shape.in_c = d->shape.out_c = d->shape.in_c * 4;
    } else {
      continue;
    }
    SCOPED_TRACE(edited.steps[i].name);
    EXPECT_THROW(validate_plan(edited), Error);
    EXPECT_THROW(load_model_file(model_file_bytes(edited)), Error);
  }
  EXPECT_EQ(grouped, 2);
  EXPECT_EQ(depthwise, 3);
}

// The u8s8 int8 depthwise kernel picks its epilogue from an accumulator bound stored after its
// packed weights: the validator recomputes it, so a file whose bound is too small (or whose
// weights grew) is refused instead of giving wrong codes.
TEST(GroupedConvModel, ValidatorChecksTheInt8DepthwiseAccumulatorBound) {
  const Graph base = quantization_base(depthwise_net());
  TensorBatches calib({{opt_test::random_tensor({8, 3, kH, kW}, 5, -2.f, 2.f)}});
  const std::string bytes = quant::export_qdq(quantize_model(base, calibrate(base, calib), quant::Scheme::U8S8, {}));
  Graph g = import_onnx_bytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  quant::recognise_qdq(g);
  prepare_graph(g);
  CompileOptions options;
  options.conv_chains = FusionRule::Off;
  const Plan plan = compile_for_runtime(g, options);
  int checked = 0;
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const auto* d = plan.steps[i].params_if<QDwConvStep>();
    if (d == nullptr || d->kernel->packed_ok == nullptr) continue;   // only the u8s8 variant stores a bound
    SCOPED_TRACE(plan.steps[i].name);
    ++checked;
    const size_t end = d->weights_offset + d->kernel->packed_bytes(d->conv);
    for (const int edit : {0, 1}) {
      Plan edited = load_model_file(model_file_bytes(plan));
      if (edit == 0) {
        int64_t bound;   // the int64 after the weights, one less
        std::memcpy(&bound, edited.weights.data() + end - sizeof bound, sizeof bound);
        --bound;
        std::memcpy(edited.weights.data() + end - sizeof bound, &bound, sizeof bound);
      } else {
        int32_t bias;    // the first channel's bias', one more in magnitude
        std::memcpy(&bias, edited.weights.data() + d->weights_offset, sizeof bias);
        bias += bias < 0 ? -1 : 1;
        std::memcpy(edited.weights.data() + d->weights_offset, &bias, sizeof bias);
      }
      EXPECT_THROW(validate_plan(edited), Error);
      EXPECT_THROW(load_model_file(model_file_bytes(edited)), Error);
    }
  }
  if (checked == 0) GTEST_SKIP() << "this CPU has no VNNI: the u8s8 depthwise variant is not picked";
  EXPECT_NO_THROW(validate_plan(plan));
}

}  // namespace
}  // namespace octet
