// octet-run and --calib .npy, run as a user runs them: the binaries on ResNet8 with .npy files
// written here from the bundled CIFAR-10 images. Outputs are checked against ONNX Runtime's
// committed probabilities and octet's own session and reference executor; the timing, JSON
// and error paths through their printed text and exit status.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "engine/executor.h"
#include "engine/pipeline/model.h"
#include "engine/pipeline/model_session.h"
#include "shell_command.h"
#include "tools/datasets/cifar.h"
#include "tools/datasets/cifar_calibration.h"
#include "tools/datasets/npy.h"

namespace octet {
namespace {

const std::string kBin = OCTET_BINARY_DIR;
const std::string kRun = kBin + "/tools/octet-run";
const std::string kCompile = kBin + "/tools/octet-compile";
const std::string kModel = OCTET_DATA_DIR "/resnet8.onnx";
const std::string kTrain = OCTET_DATA_DIR "/cifar10-train-subset.bin";

using Result = testing::ShellResult;
using testing::sh;

std::string temp_dir() {
  static const std::string d = testing::process_temp_dir("octet_run_");
  return d;
}

// The first `count` images of the training subset as ResNet8 takes them ([N,32,32,3], NHWC).
Tensor train_images(size_t count) {
  const CifarSet set = read_cifar_file(kTrain, CifarFormat::Auto, count);
  return make_cifar_input(set, 0, count, ImageLayout::NHWC);
}

std::string write_images(const std::string& name, size_t count) {
  const std::string path = temp_dir() + "/" + name;
  write_npy(path, train_images(count));
  return path;
}

// ResNet8's output as octet-run writes it with `args`; its text must contain `expect`.
Tensor run_to_npy(const std::string& args, const std::string& expect) {
  const std::string out_dir = temp_dir() + "/out";
  std::remove((out_dir + "/dense.npy").c_str());
  const Result r = sh(kRun + " --model " + kModel + " " + args + " --output-dir " + out_dir);
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find(expect), std::string::npos) << r.out;
  return read_npy(out_dir + "/dense.npy");
}

TEST(OctetRun, NpyInputsInSeveralRunsMatchOnnxRuntimeAndTheSession) {
  const std::string x = write_images("five.npy", 5);
  const Tensor got = run_to_npy("--input " + x + " --batch 2", "runs     3 of batch 2");
  ASSERT_EQ(got.dims, (std::vector<int64_t>{5, 10}));

  // ONNX Runtime's probabilities for the same images (data/README.md).
  std::ifstream f(OCTET_DATA_DIR "/ort-1.30-fp32-train-subset.probs.f32", std::ios::binary);
  std::vector<float> ort(50);
  f.read(reinterpret_cast<char*>(ort.data()), 50 * sizeof(float));
  ASSERT_TRUE(f);
  // octet's session in this process, on the same five images at once.
  Model model = Model::load(kModel);
  ModelSession session(model, {1, 5});
  const Tensor mine = session.run({{"input_1", read_npy(x)}}).at(0).tensor;
  const float* g = got.data<float>();
  for (size_t i = 0; i < 50; ++i) {
    EXPECT_NEAR(g[i], ort[i], 1e-5) << "value " << i;
    EXPECT_NEAR(g[i], mine.data<float>()[i], 1e-5) << "value " << i;
  }
  for (size_t row = 0; row < 5; ++row)
    EXPECT_EQ(std::max_element(g + row * 10, g + row * 10 + 10) - (g + row * 10),
              std::max_element(ort.begin() + static_cast<long>(row) * 10, ort.begin() + static_cast<long>(row) * 10 + 10) -
                  (ort.begin() + static_cast<long>(row) * 10));
}

TEST(OctetRun, ReferenceMatchesTheReferenceExecutorExactly) {
  const std::string x = write_images("three.npy", 3);
  const Tensor got = run_to_npy("--input input_1=" + x + " --reference", "reference executor");
  const Tensor in = read_npy(x);
  const Tensor want = ReferenceExecutor(Model::load(kModel, {.recognise_qdq = false}).graph()).run({&in, 1}).at(0);
  EXPECT_EQ(got.dims, want.dims);
  EXPECT_EQ(got.bytes, want.bytes);
}

TEST(OctetRun, RandomBenchPrintsOrderedStatistics) {
  const Result r = sh(kRun + " --model " + kModel + " --random --seed 7 --batch 2 --bench 30 --warmup 3");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("input    input_1 [2,32,32,3] from random"), std::string::npos) << r.out;
  std::smatch m;
  const std::regex stats(R"(bench    30 runs of batch 2 after 3 warm-up: median ([0-9.]+) us, p10 ([0-9.]+) us, p90 ([0-9.]+) us, ([0-9]+) images/s)");
  ASSERT_TRUE(std::regex_search(r.out, m, stats)) << r.out;
  const double median = std::stod(m[1]), p10 = std::stod(m[2]), p90 = std::stod(m[3]), ips = std::stod(m[4]);
  EXPECT_GT(p10, 0);
  EXPECT_LE(p10, median);
  EXPECT_LE(median, p90);
  EXPECT_NEAR(ips, 2e6 / median, 1.0 + 2e6 / median * 1e-2);
  // The seed decides the inputs: the same seed, the same outputs. Equal up to rounding, not
  // bit for bit: each run autotunes its convs on timings, and two variants may sum in another
  // order.
  const auto printed_outputs = [](const std::string& s) {
    const size_t at = s.find("output");
    std::istringstream line(s.substr(s.find(':', at) + 1, s.find('\n', at) - s.find(':', at) - 1));
    std::vector<double> values;
    for (double v; line >> v;) values.push_back(v);
    return values;
  };
  const std::vector<double> first = printed_outputs(r.out);
  const std::vector<double> again = printed_outputs(sh(kRun + " --model " + kModel + " --random --seed 7 --batch 2").out);
  ASSERT_EQ(first.size(), 6u) << r.out;
  ASSERT_EQ(again.size(), first.size());
  for (size_t i = 0; i < first.size(); ++i) EXPECT_NEAR(again[i], first[i], 1e-5 * std::abs(first[i]) + 1e-9) << i;
  const std::vector<double> other = printed_outputs(sh(kRun + " --model " + kModel + " --random --seed 8 --batch 2").out);
  ASSERT_EQ(other.size(), first.size());
  double largest_change = 0;
  for (size_t i = 0; i < first.size(); ++i) largest_change = std::max(largest_change, std::abs(other[i] - first[i]));
  EXPECT_GT(largest_change, 1e-3);   // another seed, other inputs, other probabilities
}

TEST(OctetRun, JsonParsesAndDescribesTheRun) {
  const std::string x = write_images("four.npy", 4);
  const std::string check =
      "import json, sys; d = json.load(sys.stdin); "
      "assert d['inputs'] == [{'name': 'input_1', 'shape': [4, 32, 32, 3], 'source': '" + x + "'}], d; "
      "assert d['outputs'][0]['name'] == 'dense' and d['outputs'][0]['shape'] == [4, 10], d; "
      "t = d['timing']; assert t['runs'] == 5 and t['batch'] == 4 and t['p10_us'] <= t['median_us'] <= t['p90_us'], t; "
      "assert len(d['profile']) > 5 and abs(sum(s['share'] for s in d['profile']) - 1) < 1e-6, d['profile']; "
      "print('json ok')";
  const Result r = sh(kRun + " --model " + kModel + " --input " + x + " --bench 5 --profile --json | /usr/bin/python3 -c \"" +
                      check + "\"");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("json ok"), std::string::npos) << r.out;
}

TEST(OctetRun, ProfilePrintsOneRowPerStep) {
  const Result r = sh(kRun + " --model " + kModel + " --random --profile");
  ASSERT_EQ(r.status, 0) << r.out;
  const Model model = Model::load(kModel);
  Model compiled = model;
  const size_t steps = compiled.plan().steps.size();
  EXPECT_NE(r.out.find("profile  over 1 images"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(std::to_string(steps - 1) + " softmax"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("total"), std::string::npos) << r.out;
}

TEST(OctetRun, ErrorsNameTheInputAndTheShapes) {
  const std::string x = write_images("two.npy", 2);
  Result r = sh(kRun + " --model " + kModel + " --input image=" + x);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("octet-run: error: --input image=" + x + ": the model has no input 'image' (its inputs: 'input_1')"),
            std::string::npos) << r.out;
  const std::string nchw = temp_dir() + "/nchw.npy";
  Tensor t(DType::Float32, {2, 3, 32, 32});
  write_npy(nchw, t);
  r = sh(kRun + " --model " + kModel + " --input " + nchw);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("shape [2,3,32,32], but input 'input_1' takes [-1,32,32,3]"), std::string::npos) << r.out;
  r = sh(kRun + " --model " + kModel + " --input " + temp_dir() + "/absent.npy");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("absent.npy: no such file"), std::string::npos) << r.out;
  r = sh(kRun + " --model " + kModel);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("give either --input NAME=x.npy (one per input) or --random"), std::string::npos) << r.out;
  r = sh(kRun + " --model " + kModel + " --random --profile --reference");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("--profile times the compiled plan's steps"), std::string::npos) << r.out;
  r = sh(kRun + " --model " + kModel + " --random --conv-chains some");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("--conv-chains: unknown value 'some' (pays, all or off)"), std::string::npos) << r.out;
  r = sh(kRun + " --model " + kModel + " --random --conv-pool every");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("--conv-pool: unknown value 'every' (pays, all or off)"), std::string::npos) << r.out;
  // The fusion flags choose how an ONNX model compiles: a .octet plan's steps are fixed.
  const std::string plan = temp_dir() + "/fused.octet";
  ASSERT_EQ(sh(kCompile + " " + kModel + " --no-autotune -o " + plan).status, 0);
  r = sh(kRun + " --model " + plan + " --random --conv-pool off");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("is a compiled .octet plan, whose steps are fixed"), std::string::npos) << r.out;
  EXPECT_EQ(sh(kRun + " --model " + plan + " --random").status, 0);
}

// --max-memory and --max-cost reach the compiler, the session and the reference executor:
// ResNet8 (about 1.1 MiB planned, 1.25e7 MACs per image) is refused under smaller limits.
TEST(OctetRun, ResourceLimitsRefuseOnBothExecutors) {
  // 400K: below what ResNet8 needs whichever conv kernels the compiler's timing picks (the
  // graph alone needs 497 KiB; the session 0.6-1.1 MiB, Winograd's packed weights being 4x
  // the direct kernel's, and the sanitizer build's timings pick differently).
  Result r = sh(kRun + " --model " + kModel + " --random --max-memory 400K");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("over the memory limit of 400.0 KiB"), std::string::npos) << r.out;
  for (const char* executor : {"", " --reference"}) {
    r = sh(kRun + " --model " + kModel + " --random --max-cost 1e6" + executor);
    EXPECT_EQ(r.status, 1) << executor;
    EXPECT_NE(r.out.find("over the cost limit of 1e+06 per image"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("(Conv, opset 15)"), std::string::npos) << r.out;
  }
  r = sh(kRun + " --model " + kModel + " --random --reference --max-memory 64K");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("over the memory limit of 64.0 KiB"), std::string::npos) << r.out;
  EXPECT_EQ(sh(kRun + " --model " + kModel + " --random --max-memory 2M --max-cost 2e7").status, 0);
}

std::vector<char> file_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// issue 15: --quantize names the nodes that stay float (ResNet8: its Softmax, after the int8
// Gemm's float output), and --save-qdq writes the quantized model as a QDQ file whose run gives
// octet's outputs to float rounding.
TEST(OctetRun, QuantizeReportsFloatNodesAndSavesTheQdqFile) {
  const std::string images = write_images("qdq_images.npy", 16);
  const std::string qdq = temp_dir() + "/resnet8.qdq.onnx";
  std::remove(qdq.c_str());
  const Tensor in_memory = run_to_npy("--input " + images + " --quantize u8s8 --calib " + images + " --save-qdq " + qdq,
                                      "float    1 node: Softmax x1 (model_1/dense_1/Softmax) (no int8 kernel");
  const std::string out_dir = temp_dir() + "/qdq_out";
  const Result r = sh(kRun + " --model " + qdq + " --input " + images + " --output-dir " + out_dir);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("(qdq)"), std::string::npos) << r.out;
  const Tensor from_file = read_npy(out_dir + "/dense.npy");
  ASSERT_EQ(from_file.dims, in_memory.dims);
  for (int64_t i = 0; i < in_memory.numel(); ++i)
    EXPECT_NEAR(from_file.data<float>()[i], in_memory.data<float>()[i], 1e-5) << "element " << i;
  const Result misuse = sh(kRun + " --model " + kModel + " --random --save-qdq " + qdq);
  EXPECT_EQ(misuse.status, 2);
  EXPECT_NE(misuse.out.find("--save-qdq needs --quantize"), std::string::npos) << misuse.out;
}

// issue 15, item 1: the same images as .npy give the same .octet file, byte for byte, as the
// CIFAR-10 path. The .npy holds the CIFAR selection (first 4 per class) and 20 images more,
// which --calib-count leaves out. (Few images: the test checks the data path, and it calibrates
// four times, which is slow in the sanitizer build.)
TEST(CalibFromNpy, GivesTheSameOctetFileAsTheSameCifarImages) {
  const CifarSet file = read_cifar_file(kTrain);
  std::vector<size_t> indices = calibration_indices(file, 4);
  const std::vector<size_t> rest = complement_indices(file, indices);
  indices.insert(indices.end(), rest.begin(), rest.begin() + 20);
  const CifarSet chosen = cifar_select(file, indices);
  const std::string calib = temp_dir() + "/calib.npy";
  write_npy(calib, make_cifar_input(chosen, 0, chosen.size(), ImageLayout::NHWC));

  const std::string from_cifar = temp_dir() + "/cifar.octet", from_npy = temp_dir() + "/npy.octet";
  const std::string common = kCompile + " " + kModel + " --scheme u8s8 --no-autotune ";
  const Result a = sh(common + "-o " + from_cifar + " --calib-per-class 4");
  ASSERT_EQ(a.status, 0) << a.out;
  EXPECT_NE(a.out.find("calib   40 images of " + kTrain + " (first 4 per class)"), std::string::npos) << a.out;
  const Result b = sh(common + "-o " + from_npy + " --calib " + calib + " --calib-count 40");
  ASSERT_EQ(b.status, 0) << b.out;
  EXPECT_NE(b.out.find("calib   40 samples of " + calib), std::string::npos) << b.out;
  const std::vector<char> bytes = file_bytes(from_cifar);
  ASSERT_GT(bytes.size(), 1000u);
  EXPECT_TRUE(bytes == file_bytes(from_npy)) << "the .octet files differ";

  // All 60 rows calibrate differently: --calib-count was what made them equal.
  const std::string all_rows = temp_dir() + "/all.octet";
  ASSERT_EQ(sh(common + "-o " + all_rows + " --calib " + calib).status, 0);
  EXPECT_FALSE(bytes == file_bytes(all_rows));

  const Result bad = sh(common + "-o " + temp_dir() + "/x.octet --calib " + calib + " --calib-per-class 3");
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.out.find("with .npy files use --calib-count"), std::string::npos) << bad.out;
}

}  // namespace
}  // namespace octet
