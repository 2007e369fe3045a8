// The front door (engine/pipeline/model.h): an ONNX model (float or QDQ) or a .octet file
// loaded, quantized from an in-memory calibration source, compiled, saved and loaded back, each
// giving the same outputs as the pipeline's stages run by hand (engine/pipeline/stages.h).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "engine/compile.h"
#include "engine/pipeline/calibration.h"
#include "engine/pipeline/model.h"
#include "engine/pipeline/model_session.h"
#include "engine/pipeline/stages.h"
#include "engine/runtime/session.h"
#include "engine/runtime/error.h"

namespace octet {
namespace {

const std::string kResnet8 = std::string(OCTET_DATA_DIR) + "/resnet8.onnx";
const std::string kQdq = std::string(OCTET_SOURCE_DIR) + "/tests/fixtures/qdq/ort_qdq_u8s8.onnx";

std::string temp_path(const std::string& name) {
  return testing::TempDir() + "/octet_pipeline_model_" + std::to_string(::getpid()) + "_" + name;
}

// `images` images of pseudo-random pixels 0..255 (raw pixels, as ResNet8 takes), each of
// `image_dims` (default: ResNet8's NHWC 32x32x3).
Tensor pixels(int64_t images, uint32_t seed, std::vector<int64_t> image_dims = {32, 32, 3}) {
  image_dims.insert(image_dims.begin(), images);
  Tensor t(DType::Float32, image_dims);
  float* p = t.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i) {
    seed = seed * 1664525u + 1013904223u;
    p[i] = static_cast<float>(seed >> 24);
  }
  return t;
}

// Every output of `plan` on `input`, concatenated.
std::vector<float> run(const Plan& plan, const Tensor& input) {
  const int batch = static_cast<int>(input.dims[0]);
  EXPECT_EQ(input.numel(), batch * plan.inputs.at(0).floats_per_image());
  Session session(plan, SessionOptions{1, batch});
  std::vector<std::vector<float>> outputs;
  std::vector<float*> out_ptrs;
  for (const Port& p : plan.outputs) outputs.emplace_back(static_cast<size_t>(batch * p.floats_per_image()));
  for (auto& o : outputs) out_ptrs.push_back(o.data());
  const float* x = input.data<float>();
  session.run(batch, std::span<const float* const>(&x, 1), out_ptrs);
  std::vector<float> all;
  for (const auto& o : outputs) all.insert(all.end(), o.begin(), o.end());
  return all;
}

CompileOptions fixed_rule() {
  CompileOptions o;
  o.autotune = false;   // the same kernels on every compile, so outputs compare bit for bit
  return o;
}

// Three batches of 4 images: a calibration set small enough for a unit test.
TensorBatches calibration_batches() {
  std::vector<std::vector<Tensor>> batches;
  for (uint32_t b = 0; b < 3; ++b) batches.push_back({pixels(4, 100 + b)});
  return TensorBatches(std::move(batches));
}

TEST(PipelineModel, LoadsFloatOnnxWithItsInputsAndOutputs) {
  const Model m = Model::load(kResnet8);
  EXPECT_EQ(m.format(), ModelFormat::Onnx);
  EXPECT_EQ(m.scheme(), "fp32");
  EXPECT_FALSE(m.is_quantized());
  ASSERT_EQ(m.inputs().size(), 1u);
  EXPECT_EQ(m.inputs()[0], (TensorInfo{"input_1", DType::Float32, {-1, 32, 32, 3}}));
  ASSERT_EQ(m.outputs().size(), 1u);
  EXPECT_EQ(m.outputs()[0].dims, (std::vector<int64_t>{-1, 10}));
  const std::string text = m.describe();
  EXPECT_EQ(text.rfind(kResnet8 + ": ONNX model, scheme fp32\n", 0), 0u) << text;
  EXPECT_NE(text.find("Conv"), std::string::npos) << text;
}

TEST(PipelineModel, FloatPlanEqualsThePlanCompiledDirectly) {
  Model m = Model::load(kResnet8);
  const Tensor x = pixels(3, 7);
  const std::vector<float> direct = run(compile_plan(load_optimized_graph(kResnet8), fixed_rule()), x);
  const std::vector<float> front = run(m.compile(fixed_rule()), x);
  ASSERT_EQ(front.size(), 30u);
  EXPECT_EQ(front, direct);
  EXPECT_EQ(&m.plan(), &m.plan());   // kept, not compiled again
}

TEST(PipelineModel, LoadsQdqAsQuantized) {
  Model m = Model::load(kQdq);
  EXPECT_EQ(m.scheme(), "qdq");
  EXPECT_TRUE(m.is_quantized());
  const Tensor x = pixels(2, 11, {3, 8, 8});   // the fixture's input: [N,3,8,8]
  const std::vector<float> front = run(m.compile(fixed_rule()), x);
  ASSERT_EQ(front.size(), 20u);
  EXPECT_EQ(front, run(load_plan(kQdq, fixed_rule()), x));
  // Without recognition the Q/DQ operators stay: a float graph the reference executor runs.
  const Model ops = Model::load(kQdq, LoadOptions{.recognise_qdq = false});
  EXPECT_EQ(ops.scheme(), "fp32");
  EXPECT_EQ(ops.graph().nodes.size(), load_reference_graph(kQdq).nodes.size());
  EXPECT_GT(ops.graph().nodes.size(), m.graph().nodes.size());
}

TEST(PipelineModel, QuantizeSaveLoadRunMatchesTheStagesByHand) {
  const Model fp32 = Model::load(kResnet8);
  TensorBatches source = calibration_batches();
  int64_t last_seen = 0;
  CalibrateOptions progress;
  progress.on_batch = [&](int64_t images) { last_seen = images; };
  Model q = fp32.quantize(source, {quant::Scheme::U8S8, {}}, progress);
  EXPECT_EQ(last_seen, 12);
  EXPECT_EQ(q.scheme(), "u8s8");
  EXPECT_TRUE(q.is_quantized());
  EXPECT_EQ(q.inputs(), fp32.inputs());

  // The same path by hand.
  const Graph base = quantization_base(load_runtime_graph(kResnet8));
  TensorBatches again = calibration_batches();
  const Plan direct = compile_for_runtime(quantize_model(base, calibrate(base, again), quant::Scheme::U8S8), fixed_rule());
  const Tensor x = pixels(5, 3);
  const std::vector<float> expected = run(direct, x);
  EXPECT_EQ(run(q.compile(fixed_rule()), x), expected);

  const std::string path = temp_path("u8s8.octet");
  q.save(path, "test 1");
  Model loaded = Model::load(path);
  std::remove(path.c_str());
  EXPECT_EQ(loaded.format(), ModelFormat::OctetFile);
  EXPECT_EQ(loaded.scheme(), "u8s8");
  EXPECT_EQ(loaded.inputs(), (std::vector<TensorInfo>{{"input_1", DType::Float32, {-1, 32, 32, 3}}}));
  EXPECT_EQ(loaded.outputs()[0].dims, (std::vector<int64_t>{-1, 10}));
  EXPECT_EQ(run(loaded.plan(), x), expected);
  // The same through the named-tensor session.
  ModelSession session(loaded, {1, 8});
  const std::vector<NamedTensor> out = session.run({{"input_1", x}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].name, loaded.outputs()[0].name);
  EXPECT_EQ(out[0].tensor.dims, (std::vector<int64_t>{5, 10}));
  const std::span<const float> scores = out[0].tensor.values<float>();
  EXPECT_EQ(std::vector<float>(scores.begin(), scores.end()), expected);
  EXPECT_NE(loaded.describe().find(path + ": .octet model, scheme u8s8\n"), std::string::npos);
}

TEST(PipelineModel, ExportedQdqLoadsAsAQuantizedModel) {
  TensorBatches source = calibration_batches();
  const Model q = Model::load(kResnet8).quantize(source, {quant::Scheme::Uint8, {}});
  const std::string path = temp_path("uint8.qdq.onnx");
  q.export_qdq(path);
  Model back = Model::load(path);
  std::remove(path.c_str());
  EXPECT_EQ(back.scheme(), "qdq");
  EXPECT_EQ(back.inputs(), q.inputs());
  EXPECT_EQ(back.outputs(), q.outputs());
}

void expect_error_naming(const std::function<void()>& f, const std::string& path, const std::string& words) {
  try {
    f();
    ADD_FAILURE() << "no error for " << path;
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(path), std::string::npos) << what;
    EXPECT_NE(what.find(words), std::string::npos) << what;
  }
}

TEST(PipelineModel, MissingAndNonModelFilesAreRefusedNamingThePath) {
  const std::string missing = temp_path("missing.onnx");
  expect_error_naming([&] { Model::load(missing); }, missing, "cannot open");

  const std::string text = temp_path("notes.onnx");
  std::ofstream(text) << "these are notes, not a model\n";
  expect_error_naming([&] { Model::load(text); }, text, "not a valid ONNX model");
  std::remove(text.c_str());

  const std::string truncated = temp_path("truncated.octet");
  std::ofstream(truncated, std::ios::binary) << "OCTETMDL";
  expect_error_naming([&] { Model::load(truncated); }, truncated, "truncated");
  std::remove(truncated.c_str());
}

TEST(PipelineModel, RefusesWhatAModelCannotDo) {
  Model qdq = Model::load(kQdq);
  TensorBatches source = calibration_batches();
  expect_error_naming([&] { (void)qdq.quantize(source); }, kQdq, "already quantized");
  const Model fp32 = Model::load(kResnet8);
  expect_error_naming([&] { fp32.export_qdq(temp_path("never.onnx")); }, kResnet8, "not quantized");

  const std::string path = temp_path("fp32.octet");
  Model(fp32).save(path);
  Model file = Model::load(path);
  std::remove(path.c_str());
  expect_error_naming([&] { file.graph(); }, path, "holds a compiled plan");
  expect_error_naming([&] { file.compile(); }, path, "compiled already");
  expect_error_naming([&] { (void)file.quantize(source); }, path, "holds a compiled plan");
}

TEST(PipelineModel, SessionRefusesInputsThatDoNotMatchNamingThem) {
  Model m = Model::load(kResnet8);
  ModelSession session(m, {1, 2});
  auto expect_refused = [&](std::vector<NamedTensor> inputs, const std::string& words) {
    try {
      session.run(inputs);
      ADD_FAILURE() << "accepted: " << words;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  };
  expect_refused({}, "input 'input_1' not given");
  expect_refused({{"image", pixels(1, 1)}}, "the model has no input 'image' (its inputs: 'input_1')");
  expect_refused({{"input_1", pixels(1, 1)}, {"input_1", pixels(1, 2)}}, "input 'input_1' given 2 times");
  expect_refused({{"input_1", pixels(1, 1, {3, 32, 32})}},
                 "input 'input_1' has shape [1,3,32,32]; the model takes [-1,32,32,3]");
  expect_refused({{"input_1", Tensor(DType::Int64, {1, 32, 32, 3})}}, "input 'input_1' is int64");
  expect_refused({{"input_1", pixels(3, 1)}}, "batch");   // more than max_batch 2
  EXPECT_EQ(session.run({{"input_1", pixels(2, 1)}}).at(0).tensor.dims, (std::vector<int64_t>{2, 10}));
}

TEST(PipelineModel, CalibrationBatchesMustMatchTheModel) {
  const Model m = Model::load(kResnet8);
  TensorBatches two_tensors({{pixels(1, 1), pixels(1, 2)}});
  try {
    (void)m.calibrate(two_tensors);
    ADD_FAILURE() << "a batch of two tensors for a one-input model was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("has 2 tensors; the model has one input ('input_1')"), std::string::npos)
        << e.what();
  }
  TensorBatches none({});
  EXPECT_THROW((void)m.calibrate(none), Error);
}

}  // namespace
}  // namespace octet
