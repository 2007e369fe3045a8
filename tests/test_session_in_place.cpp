// Session::run reads an input in place when its images start on 64-byte boundaries and every
// step reading it reads exactly its elements (StepType::reads_input_exactly), and copies it
// into the arena otherwise (engine/runtime/session.h). Both must give the same bytes and leave
// the caller's array as it was, on the steps that read a graph input first: the planar FP32
// stem conv, the int8 quantize_planes and quantize, a Gemm, and ResNet8's NHWC input (read by
// the NHWC conv kernel, which may read past a row: copied).
// The arrays hold exactly the input's floats (posix_memalign'd to their size), so that under
// ASan a kernel reading past the caller's image fails here.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "engine/pipeline/calibration.h"
#include "engine/pipeline/stages.h"
#include "engine/runtime/session.h"
#include "engine/runtime/steps/all.h"
#include "qdq_test_util.h"
#include "quant/qdq_export.h"

namespace octet {
namespace {

using namespace qdq_test;

// An RGB image model: a planar-input conv, a Relu and a global average.
Graph rgb_model() {
  Net n(13);
  const int x = n.input("x", {-1, 3, 15, 15});
  const int w = n.constant("w", uniform({8, 3, 3, 3}, 3, -0.5f, 0.5f));
  const int b = n.constant("b", uniform({8}, 4, -0.2f, 0.2f));
  const int c = n.node(OpKind::Conv, "conv", {x, w, b}, "c", {}, {{"pads", ints({1, 1, 1, 1})}});
  const int r = n.node(OpKind::Relu, "relu", {c}, "r");
  Graph g = n.done({n.node(OpKind::GlobalAveragePool, "gap", {r}, "y")});
  prepare_graph(g);
  return g;
}

Graph gemm_model() {
  Net n(13);
  const int x = n.input("x", {-1, 20});
  const int w = n.constant("w", uniform({20, 7}, 5, -0.5f, 0.5f));
  const int b = n.constant("b", uniform({7}, 6, -0.2f, 0.2f));
  Graph g = n.done({n.node(OpKind::Gemm, "fc", {x, w, b}, "y")});
  prepare_graph(g);
  return g;
}

Plan qdq_rgb_plan() {
  const Graph base = quantization_base(rgb_model());
  TensorBatches calib({{uniform({16, 3, 15, 15}, 101, -1.f, 1.f)}});
  const std::string bytes = quant::export_qdq(quantize_model(base, calibrate(base, calib), quant::Scheme::U8S8, {}));
  Graph g = import_onnx_bytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  quant::recognise_qdq(g);
  prepare_graph(g);
  return compile_for_runtime(g);
}

struct Aligned {
  float* p = nullptr;
  explicit Aligned(size_t floats) {
    void* v = nullptr;
    if (posix_memalign(&v, 64, floats * sizeof(float)) != 0) throw std::bad_alloc();
    p = static_cast<float*>(v);
  }
  ~Aligned() { std::free(p); }
};

// The plan's one input, batch images, read in place (64-byte aligned) and copied (4 bytes
// off): the same output bytes, the input untouched.
void expect_in_place_equals_copied(const Plan& plan, const std::string& what, bool in_place_expected = true) {
  SCOPED_TRACE(what);
  ASSERT_EQ(plan.inputs.size(), 1u);
  ASSERT_EQ(plan.outputs.size(), 1u);
  constexpr int kBatch = 3;
  const size_t n = static_cast<size_t>(plan.inputs[0].floats_per_image()) * kBatch;
  const size_t m = static_cast<size_t>(plan.outputs[0].floats_per_image()) * kBatch;
  const Tensor x = uniform({static_cast<int64_t>(n)}, 77, -1.5f, 1.5f);
  Aligned aligned(n), shifted(n + 1);
  std::memcpy(aligned.p, x.data<float>(), n * sizeof(float));
  std::memcpy(shifted.p + 1, x.data<float>(), n * sizeof(float));
  for (int threads : {1, 2}) {
    SCOPED_TRACE(threads);
    Session s(plan, {threads, kBatch});
    EXPECT_EQ(s.input_read_in_place(0), in_place_expected);
    std::vector<float> in_place(m, -1.f), copied(m, -2.f);
    for (int batch : {kBatch, 1}) {
      const float* a = aligned.p;
      const float* c = shifted.p + 1;
      float* ya = in_place.data();
      float* yc = copied.data();
      s.run(batch, std::span<const float* const>(&a, 1), std::span<float* const>(&ya, 1));
      s.run(batch, std::span<const float* const>(&c, 1), std::span<float* const>(&yc, 1));
      ASSERT_EQ(std::memcmp(in_place.data(), copied.data(), m * sizeof(float)), 0) << "batch " << batch;
    }
    EXPECT_EQ(std::memcmp(aligned.p, x.data<float>(), n * sizeof(float)), 0) << "the session wrote the input";
  }
}

TEST(SessionInPlaceInputs, PlanarFp32StemReadsTheCallersImage) {
  const Plan plan = compile_for_runtime(rgb_model());
  expect_in_place_equals_copied(plan, "f32 planar conv");
}

TEST(SessionInPlaceInputs, Int8QuantizePlanesReadsTheCallersImage) {
  const Plan plan = qdq_rgb_plan();
  int planes = 0;
  for (const Step& s : plan.steps) planes += s.params_if<QuantizePlanesStep>() != nullptr;
  EXPECT_EQ(planes, 1);
  expect_in_place_equals_copied(plan, "int8 quantize_planes");
}

TEST(SessionInPlaceInputs, GemmReadsTheCallersRows) {
  expect_in_place_equals_copied(compile_for_runtime(gemm_model()), "f32 gemm");
}

TEST(SessionInPlaceInputs, Int8QuantizeReadsTheCallersRows) {
  const Graph base = quantization_base(gemm_model());
  TensorBatches calib({{uniform({16, 20}, 102, -1.f, 1.f)}});
  const std::string bytes = quant::export_qdq(quantize_model(base, calibrate(base, calib), quant::Scheme::U8S8, {}));
  Graph g = import_onnx_bytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  quant::recognise_qdq(g);
  prepare_graph(g);
  const Plan plan = compile_for_runtime(g);
  ASSERT_FALSE(plan.steps.empty());
  EXPECT_STREQ(plan.steps[0].type->name, "quantize");
  expect_in_place_equals_copied(plan, "int8 quantize");
}

// ResNet8's first step is the NHWC direct conv on its [1,32,32,3] input, whose kernels are not
// marked as reading exactly their input: the session copies it, with the same results.
TEST(SessionInPlaceInputs, ResNet8NhwcInputIsCopiedForItsDirectConv) {
  const Plan plan = load_plan(std::string(OCTET_DATA_DIR) + "/resnet8.onnx");
  EXPECT_FALSE(plan.steps.at(0).type->reads_input_exactly);
  expect_in_place_equals_copied(plan, "resnet8", false);
}

// An input that is also the graph's output is copied: its output is read from the arena.
TEST(SessionInPlaceInputs, AnInputThatIsAnOutputIsCopied) {
  Net n(13);
  const int x = n.input("x", {-1, 4});
  Graph g = n.done({x});
  prepare_graph(g);
  const Plan plan = compile_for_runtime(g);
  Session s(plan, {1, 1});
  EXPECT_FALSE(s.input_read_in_place(0));
  Aligned in(4);
  for (int i = 0; i < 4; ++i) in.p[i] = float(i) + 0.5f;
  std::vector<float> y(4, 0.f);
  const float* a = in.p;
  float* yp = y.data();
  s.run(1, std::span<const float* const>(&a, 1), std::span<float* const>(&yp, 1));
  for (int i = 0; i < 4; ++i) EXPECT_EQ(y[static_cast<size_t>(i)], float(i) + 0.5f);
}

}  // namespace
}  // namespace octet
