// The compiled model file (.octet): compile -> save -> load gives a plan whose outputs are
// bit-identical to the in-memory plan's, for FP32 and every quantization scheme (and every
// int8 kernel ISA this CPU runs); the int8 ResNet8 file fits in 90 KB; thousands of
// truncations and byte flips never crash the loader, and whatever it accepts runs safely;
// the C and C++ APIs give the same numbers, also from many sessions on many threads.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <thread>

#include <unistd.h>

#include "engine/pipeline/stages.h"
#include "engine/runtime/model_file.h"
#include "engine/runtime/session.h"
#include "engine/runtime/steps/qconv.h"
#include "engine/runtime/steps/qconv_channel.h"
#include "octet/octet.h"
#include "octet/octet.hpp"
#include "quant/qdq_export.h"
#include "tests/model_file_test_util.h"
#include "tools/datasets/cifar.h"
#include "tools/datasets/cifar_calibration.h"

namespace octet {
namespace {

const std::string kModel = std::string(OCTET_DATA_DIR) + "/resnet8.onnx";
constexpr int kImages = 8;

// kImages test images as the model's input (NHWC, raw pixels).
const std::vector<float>& images() {
  static const std::vector<float> v = [] {
    const CifarSet set = read_cifar_file(std::string(OCTET_DATA_DIR) + "/cifar10-test-first1000.bin", CifarFormat::Auto, kImages);
    const Tensor t = make_cifar_input(set, 0, kImages, ImageLayout::NHWC);
    return std::vector<float>(t.values<float>().begin(), t.values<float>().end());
  }();
  return v;
}

std::vector<float> run_plan(const Plan& plan, int threads = 1) {
  Session s(plan, SessionOptions{.threads = threads, .max_batch = kImages});
  std::vector<float> out(static_cast<size_t>(kImages * plan.outputs[0].floats_per_image()));
  const float* in[1] = {images().data()};
  float* o[1] = {out.data()};
  s.run(kImages, in, o);
  return out;
}

void expect_bit_identical(const std::vector<float>& a, const std::vector<float>& b) {
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)), 0);
}

// The quantized plans, calibrated on 2 images per class (bit-exactness does not depend on
// the calibration's quality), keyed "uint8", "int8", "u8s8", "int8 per-channel" and
// "u8s8 per-channel", each also with int8 kernels capped at every ISA this CPU has.
struct QuantPlans {
  std::vector<std::pair<std::string, Plan>> plans;
};
const QuantPlans& quant_plans() {
  static const QuantPlans* q = [] {
    auto* out = new QuantPlans;
    const CifarSet train = read_cifar_file(std::string(OCTET_DATA_DIR) + "/cifar10-train-subset.bin");
    const CifarSet calib = cifar_select(train, calibration_indices(train, 2));
    const Graph base = quantization_base(load_runtime_graph(kModel));
    const auto ranges = calibrate_on_cifar(base, calib, ImageLayout::NHWC);
    using quant::Scheme;
    const std::pair<Scheme, bool> kinds[] = {{Scheme::Uint8, false}, {Scheme::Int8, false}, {Scheme::U8S8, false},
                                             {Scheme::Int8, true},   {Scheme::U8S8, true}};
    for (const auto& [scheme, per_channel] : kinds) {
      quant::QuantizeOptions options;
      options.per_channel = per_channel;
      const Graph g = quantize_model(base, ranges, scheme, options);
      const std::string key = std::string(quant::scheme_name(scheme)) + (per_channel ? " per-channel" : "");
      // The same quantized model as a QDQ file, which compiles residual blocks differently
      // (QConvParams::round_before_residual).
      const std::string qdq = testing::TempDir() + "/octet_model_file_" + std::to_string(::getpid()) + ".qdq.onnx";
      {
        const std::string bytes = quant::export_qdq(g);
        std::ofstream(qdq, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      }
      out->plans.emplace_back(key + "/qdq", load_plan(qdq));
      std::remove(qdq.c_str());
      using kernels::KernelIsa;
      const std::optional<KernelIsa> caps[] = {std::nullopt, KernelIsa::Scalar, KernelIsa::Avx2, KernelIsa::Vnni};
      for (const std::optional<KernelIsa>& isa : caps) {
        CompileOptions o;
        o.int8_isa = isa;
        out->plans.emplace_back(key + (isa ? std::string("/") + kernels::isa_name(*isa) : ""), compile_for_runtime(g, o));
      }
    }
    return out;
  }();
  return *q;
}

const Plan& fp32_plan() {
  static const Plan p = load_plan(kModel);
  return p;
}

TEST(ModelFile, Fp32RoundTripIsBitIdentical) {
  const Plan& plan = fp32_plan();
  const std::vector<uint8_t> bytes = model_file_bytes(plan, {"test", "resnet8.onnx", "fp32"});
  ModelFileMeta meta;
  const Plan loaded = load_model_file(bytes, {}, &meta);
  EXPECT_EQ(meta.scheme, "fp32");
  EXPECT_EQ(meta.source, "resnet8.onnx");
  EXPECT_EQ(loaded.describe(), plan.describe());
  ASSERT_EQ(loaded.weights.size(), plan.weights.size());
  EXPECT_EQ(std::memcmp(loaded.weights.data(), plan.weights.data(), plan.weights.size()), 0);
  const std::vector<float> want = run_plan(plan);
  expect_bit_identical(run_plan(loaded), want);
  expect_bit_identical(run_plan(loaded, 2), want);
  // And saved twice, the same bytes.
  EXPECT_EQ(model_file_bytes(loaded, {"test", "resnet8.onnx", "fp32"}), bytes);
  std::printf("resnet8.octet FP32: %zu bytes\n", bytes.size());
}

TEST(ModelFile, EveryQuantizationSchemeAndIsaRoundTripsBitIdentical) {
  for (const auto& [name, plan] : quant_plans().plans) {
    SCOPED_TRACE(name);
    const std::vector<uint8_t> bytes = model_file_bytes(plan, {"test", "resnet8.onnx", name});
    const Plan loaded = load_model_file(bytes);
    EXPECT_EQ(loaded.describe(), plan.describe());
    EXPECT_NE(loaded.qvector, nullptr);
    if (name.ends_with("/qdq")) {
      bool rounded = false;
      for (const Step& st : loaded.steps)
        if (const auto* q = st.params_if<QConvStep>()) rounded = rounded || q->conv.round_before_residual;
        else if (const auto* c = st.params_if<QConvChannelStep>()) rounded = rounded || c->conv.round_before_residual;
      EXPECT_TRUE(rounded) << "the QDQ plan has residual blocks that round first";
    }
    expect_bit_identical(run_plan(loaded), run_plan(plan));
    // The size budget: ResNet8 int8 in at most 90 KB (decimal, the stricter reading),
    // with the VNNI kernels (int8 weights). The AVX2 and scalar variants pack weights as
    // int16 pairs, about twice the size.
    const bool vnni = plan.describe().find("qu8_conv_nhwc_direct_vnni") != std::string::npos;
    if (vnni) {
      EXPECT_LE(bytes.size(), 90000u);
    }
    std::printf("resnet8.octet %s: %zu bytes%s\n", name.c_str(), bytes.size(), vnni ? " (vnni)" : "");
  }
}

// Per-channel weights: every int8 ISA gives the same bytes as the widest, the plan holds
// per-channel conv steps (and the per-tensor plans none), and a per-channel plan differs
// from the per-tensor one of the same scheme. (The "/qdq" plans round residual blocks first:
// another model.)
TEST(ModelFile, PerChannelPlansAgreeAcrossIsas) {
  std::map<std::string, std::vector<float>> outputs;
  for (const auto& [name, plan] : quant_plans().plans) {
    int channel_steps = 0;
    for (const Step& st : plan.steps) channel_steps += st.params_if<QConvChannelStep>() != nullptr;
    EXPECT_EQ(channel_steps > 0, name.find("per-channel") != std::string::npos) << name;
    outputs[name] = run_plan(plan);
  }
  for (const std::string scheme : {"int8 per-channel", "u8s8 per-channel"}) {
    for (const char* isa : {"/scalar", "/avx2", "/vnni"})
      if (outputs.count(scheme + isa)) expect_bit_identical(outputs.at(scheme + isa), outputs.at(scheme));
  }
  expect_bit_identical(outputs.at("int8 per-channel"), outputs.at("u8s8 per-channel"));
  EXPECT_NE(outputs.at("u8s8 per-channel"), outputs.at("u8s8"));
}

// The loader checks each per-channel requantisation scale: a NaN is refused.
TEST(ModelFile, RefusesAPerChannelScaleThatIsNotANumber) {
  const Plan* plan = nullptr;
  for (const auto& [name, p] : quant_plans().plans)
    if (name == "u8s8 per-channel") plan = &p;
  ASSERT_NE(plan, nullptr);
  const QConvChannelStep* step = nullptr;
  for (const Step& st : plan->steps)
    if (!step) step = st.params_if<QConvChannelStep>();
  ASSERT_NE(step, nullptr);
  std::vector<uint8_t> bytes = model_file_bytes(*plan);
  EXPECT_EQ(load_error(bytes), "");
  // Find the scales in the file by their bytes (the weights are stored as they are).
  const uint8_t* m = plan->weights.data() + step->scales_offset;
  const size_t n = sizeof(float) * size_t(step->conv.shape.out_c);
  auto at = std::search(bytes.begin(), bytes.end(), m, m + n);
  ASSERT_NE(at, bytes.end());
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::memcpy(&*at, &nan, sizeof nan);
  fix_crc(bytes);
  EXPECT_NE(load_error(bytes).find("per-channel requantisation scale is not a finite number"), std::string::npos)
      << load_error(bytes);
}

TEST(ModelFile, SaveAndReadFile) {
  const std::string path = testing::TempDir() + "/octet_model_file_test_" + std::to_string(::getpid()) + ".octet";
  save_model_file(fp32_plan(), path);
  expect_bit_identical(run_plan(read_model_file(path)), run_plan(fp32_plan()));
  std::remove(path.c_str());
  try {
    read_model_file(path + ".missing");
    FAIL() << "no error";
  } catch (const ModelFileIoError& e) {
    EXPECT_NE(std::string(e.what()).find("no such file"), std::string::npos) << e.what();
  }
}

TEST(ModelFile, ClearErrors) {
  const std::vector<uint8_t> good = model_file_bytes(quant_plans().plans[0].second);
  auto has = [](const std::string& msg, const char* want) {
    EXPECT_NE(msg.find(want), std::string::npos) << "message: '" << msg << "', expected '" << want << "'";
  };
  has(load_error({}), "truncated");
  has(load_error(std::span(good).first(100)), "truncated");
  has(load_error(std::span(good).first(good.size() - 1)), "truncated");
  std::vector<uint8_t> b = good;
  b[0] = 'X';
  has(load_error(b), "bad magic");
  b = good;
  b[8] = 99;
  has(load_error(b), "format version 99");
  b = good;
  b[good.size() / 2] ^= 1;
  has(load_error(b), "checksum");
  b = good;
  b.push_back(0);
  has(load_error(b), "trailing");
  // A kernel this runtime does not know, with a valid checksum.
  b = good;
  const std::string k = "qu8_conv_nhwc_";
  auto it = std::search(b.begin(), b.end(), k.begin(), k.end());
  ASSERT_NE(it, b.end());
  it[4] = 'X';
  fix_crc(b);
  has(load_error(b), "unknown kernel 'qu8_Xonv");
}

// Runs a plan the loader accepted, when small enough to be quick: validate_plan promised that
// this reads and writes nothing out of bounds (ASan checks it in tools/octet-sanitize).
void run_accepted(const Plan& plan) {
  if (plan.arena_bytes_per_image > (1u << 24) || plan.workspace_bytes > (1u << 24) || plan.macs_per_image() > (1 << 26))
    return;
  Session s(plan, SessionOptions{.threads = 1, .max_batch = 1});
  std::vector<std::vector<float>> in, out;
  std::vector<const float*> ip;
  std::vector<float*> op;
  for (const Port& p : plan.inputs) in.emplace_back(static_cast<size_t>(p.floats_per_image()), 1.f);
  for (const Port& p : plan.outputs) out.emplace_back(static_cast<size_t>(p.floats_per_image()), 0.f);
  for (auto& v : in) ip.push_back(v.data());
  for (auto& v : out) op.push_back(v.data());
  s.run(1, ip, op);
}

// Thousands of truncations and byte flips of valid files: the loader refuses with an
// octet::Error or accepts a plan that runs safely; it never crashes or throws anything else.
TEST(ModelFile, TruncationsAndByteFlipsNeverCrashTheLoader) {
  std::mt19937 rng(42);
  // The sanitizer build (tools/octet-sanitize sets OCTET_GOLDEN_LIMIT) makes 600 flip trials per
  // file instead of 3000: each accepted plan runs, which ASan makes slow, and the libFuzzer
  // target fuzz_model_file explores the same loader under the same sanitizers.
  const int trials = std::getenv("OCTET_GOLDEN_LIMIT") ? 600 : 3000;
  int refused = 0, accepted = 0;
  for (const Plan* plan : {&fp32_plan(), &quant_plans().plans[0].second}) {   // FP32, uint8 QDQ
    const std::vector<uint8_t> good = model_file_bytes(*plan);
    uint64_t weights_offset;
    std::memcpy(&weights_offset, good.data() + 40, 8);
    // Every truncation within the header and graph section, and a sample of the rest.
    for (size_t n = 0; n < good.size(); n += (n < weights_offset + 64 ? 1 : 997)) {
      for (bool checksum : {true, false}) {
        EXPECT_NE(load_error(std::span(good).first(n), checksum), "") << "truncated to " << n;
        ++refused;
      }
    }
    // Byte flips, mostly in the graph section (the weights are just numbers).
    for (int trial = 0; trial < trials; ++trial) {
      std::vector<uint8_t> b = good;
      const int flips = 1 + static_cast<int>(rng() % 3);
      for (int f = 0; f < flips; ++f) {
        const size_t at = trial % 10 == 0 ? rng() % b.size() : rng() % weights_offset;
        b[at] = trial % 2 ? static_cast<uint8_t>(rng()) : static_cast<uint8_t>(b[at] ^ (1u << (rng() % 8)));
      }
      if (b == good) continue;
      // With the checksum, every change is caught.
      EXPECT_NE(load_error(b, true), "") << "trial " << trial;
      // Without it, the structural checks decide.
      try {
        const Plan p = load_model_file(b, {.verify_checksum = false});
        run_accepted(p);
        ++accepted;
      } catch (const Error&) {
        ++refused;
      }
    }
  }
  std::printf("corrupted files: %d refused, %d accepted (and run)\n", refused, accepted);
  EXPECT_GT(refused, 2000);
}

// ---- The C API and the C++ layer over it.

TEST(ModelFileApi, CApiMatchesTheInMemoryPlan) {
  const std::vector<uint8_t> bytes = model_file_bytes(fp32_plan());
  octet_model* m = nullptr;
  ASSERT_EQ(octet_model_load_bytes(bytes.data(), bytes.size(), &m), OCTET_OK) << octet_last_error();
  ASSERT_EQ(octet_model_input_count(m), 1u);
  ASSERT_EQ(octet_model_output_count(m), 1u);
  EXPECT_EQ(std::string(octet_model_input_name(m, 0)), fp32_plan().inputs[0].name);
  EXPECT_EQ(octet_model_input_name(m, 1), nullptr);
  int64_t dims[8];
  size_t rank = 0;
  ASSERT_EQ(octet_model_input_shape(m, 0, dims, 8, &rank), OCTET_OK);
  ASSERT_EQ(rank, 4u);
  EXPECT_EQ(dims[1], 32);
  EXPECT_EQ(dims[3], 3);
  EXPECT_EQ(octet_model_input_elements(m, 0), 3072u);
  EXPECT_EQ(octet_model_output_elements(m, 0), 10u);
  octet_dtype dt{};
  EXPECT_EQ(octet_model_output_dtype(m, 0, &dt), OCTET_OK);
  EXPECT_EQ(dt, OCTET_FLOAT32);
  EXPECT_EQ(octet_model_output_shape(m, 5, dims, 8, &rank), OCTET_INVALID_ARGUMENT);

  octet_session_options o{.threads = 2, .max_batch = kImages, .max_memory_bytes = 0, .max_cost_per_image = 0};
  octet_session* s = nullptr;
  ASSERT_EQ(octet_session_create(m, &o, &s), OCTET_OK) << octet_last_error();
  octet_model_free(m);   // the session keeps what it needs
  std::vector<float> out(kImages * 10);
  const float* in[1] = {images().data()};
  float* op[1] = {out.data()};
  ASSERT_EQ(octet_session_run(s, kImages, in, 1, op, 1), OCTET_OK) << octet_last_error();
  expect_bit_identical(out, run_plan(fp32_plan()));
  // Errors are statuses with messages, never exceptions.
  EXPECT_EQ(octet_session_run(s, kImages + 1, in, 1, op, 1), OCTET_INVALID_ARGUMENT);
  EXPECT_NE(std::string(octet_last_error()).find("batch"), std::string::npos);
  EXPECT_EQ(octet_session_run(s, 1, in, 2, op, 1), OCTET_INVALID_ARGUMENT);
  EXPECT_EQ(octet_session_run(s, 1, nullptr, 1, op, 1), OCTET_INVALID_ARGUMENT);
  octet_session_free(s);

  EXPECT_EQ(octet_model_load_bytes(bytes.data(), 10, &m), OCTET_INVALID_MODEL);
  EXPECT_EQ(m, nullptr);
  EXPECT_NE(std::string(octet_last_error()).find("truncated"), std::string::npos);
  EXPECT_EQ(octet_model_load_file("/nonexistent/x.octet", &m), OCTET_IO_ERROR);
  EXPECT_EQ(octet_model_load_file(nullptr, &m), OCTET_INVALID_ARGUMENT);
  octet_session_options bad{.threads = 0, .max_batch = 1, .max_memory_bytes = 0, .max_cost_per_image = 0};
  ASSERT_EQ(octet_model_load_bytes(bytes.data(), bytes.size(), &m), OCTET_OK);
  EXPECT_EQ(octet_session_create(m, &bad, &s), OCTET_INVALID_ARGUMENT);
  EXPECT_NE(std::string(octet_last_error()).find("threads"), std::string::npos);
  octet_model_free(m);
}

TEST(ModelFileApi, OneModelManySessionsOnManyThreads) {
  const Plan& plan = quant_plans().plans[0].second;
  const std::vector<uint8_t> bytes = model_file_bytes(plan);
  const runtime::Model model = runtime::Model::load(bytes.data(), bytes.size());
  ASSERT_EQ(model.inputs().size(), 1u);
  EXPECT_EQ(model.inputs()[0].elements(), 3072u);
  EXPECT_EQ(model.outputs()[0].shape.size(), 2u);
  EXPECT_NE(model.description().find("qu8_conv"), std::string::npos);
  const std::vector<float> want = run_plan(plan);
  std::vector<std::vector<float>> got(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      runtime::Session s(model, {.threads = 1 + t % 2, .max_batch = kImages});
      got[t].assign(want.size(), 0.f);
      for (int rep = 0; rep < 5; ++rep) s.run(kImages, images().data(), got[t].data());
    });
  // And one session shared by two threads: runs are serialised.
  runtime::Session shared(model, {.threads = 1, .max_batch = kImages});
  std::vector<float> s1(want.size()), s2(want.size());
  std::thread a([&] { for (int i = 0; i < 5; ++i) shared.run(kImages, images().data(), s1.data()); });
  std::thread b([&] { for (int i = 0; i < 5; ++i) shared.run(kImages, images().data(), s2.data()); });
  a.join(), b.join();
  for (auto& th : threads) th.join();
  for (const auto& g : got) expect_bit_identical(g, want);
  expect_bit_identical(s1, want);
  expect_bit_identical(s2, want);
}

TEST(ModelFileApi, CppErrorsCarryTheStatus) {
  const std::vector<uint8_t> junk(200, 7);
  try {
    runtime::Model::load(junk.data(), junk.size());
    FAIL() << "no error";
  } catch (const runtime::Error& e) {
    EXPECT_EQ(e.status(), OCTET_INVALID_MODEL);
    EXPECT_NE(std::string(e.what()).find("bad magic"), std::string::npos) << e.what();
  }
  const std::vector<uint8_t> bytes = model_file_bytes(fp32_plan());
  const runtime::Model model = runtime::Model::load(bytes.data(), bytes.size());
  runtime::Session s(model);
  std::vector<float> out(10);
  EXPECT_THROW(s.run(2, images().data(), out.data()), runtime::Error);
}

}  // namespace
}  // namespace octet
