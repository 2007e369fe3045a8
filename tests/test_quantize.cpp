// The quantization pipeline on the bundled ResNet8: MinMax parameters, calibration, the
// quantization pass's annotations, and the int8 runtime (every int8 ISA's plan bit-identical
// to the scalar one; accuracy and agreement with FP32 at the issue's thresholds).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>

#include "engine/pipeline/stages.h"
#include "engine/runtime/session.h"
#include "engine/runtime/steps/all.h"
#include "graph/passes/optimize.h"
#include "kernels/dispatch/isa.h"
#include "quant/calibrate.h"
#include "quant/quantize_graph.h"
#include "quant/scheme.h"
#include "tools/datasets/cifar_calibration.h"
#include "tools/reports/eval_compare.h"

namespace octet {
namespace {

using quant::Scheme;

TEST(QuantParams, AsymmetricFromRange) {
  QuantParams u = quant::asymmetric_params(-1.f, 3.f, DType::Uint8);
  EXPECT_FLOAT_EQ(u.scale, 4.f / 255.f);
  EXPECT_EQ(u.zero_point, 64);   // round(1 / (4/255)) = round(63.75)
  QuantParams s = quant::asymmetric_params(-1.f, 3.f, DType::Int8);
  EXPECT_FLOAT_EQ(s.scale, 4.f / 255.f);
  EXPECT_EQ(s.zero_point, 64 - 128);   // the same grid, offset by 128
  // The range always includes 0; a relu range starts the grid at the type's minimum.
  QuantParams r = quant::asymmetric_params(0.5f, 2.f, DType::Uint8);
  EXPECT_EQ(r.zero_point, 0);
  EXPECT_FLOAT_EQ(r.scale, 2.f / 255.f);
  EXPECT_EQ(quant::asymmetric_params(0.f, 6.f, DType::Int8).zero_point, -128);
  // Degenerate range: scale 1.
  EXPECT_FLOAT_EQ(quant::asymmetric_params(0.f, 0.f, DType::Uint8).scale, 1.f);
}

TEST(QuantParams, SymmetricWeights) {
  QuantParams w = quant::symmetric_int8_params(-0.5f, 0.25f);
  EXPECT_EQ(w.zero_point, 0);
  EXPECT_FLOAT_EQ(w.scale, 0.5f / 127.f);
  EXPECT_EQ(quant::quantize_value(-0.5f, w), -127);
  EXPECT_EQ(quant::quantize_value(0.25f, w), 64);   // 63.5 rounds half to even
}

// Ranges whose scale would be a denormal float (the .octet loader refuses those) get scale 1,
// as a zero range does; the smallest range with a normal scale keeps it (issue 17).
TEST(QuantParams, DenormalScalesBecomeOne) {
  const float tiny = 1e-39f;   // a denormal float
  const float smallest_normal = std::numeric_limits<float>::min();
  QuantParams a = quant::asymmetric_params(-tiny, tiny, DType::Uint8);
  EXPECT_FLOAT_EQ(a.scale, 1.f);
  EXPECT_EQ(a.zero_point, 0);   // round(0 - (-1e-39) / 1)
  EXPECT_EQ(quant::quantize_value(tiny, a), 0);
  EXPECT_FLOAT_EQ(quant::asymmetric_params(0.f, 1e-36f, DType::Int8).scale, 1.f);   // 1e-36/255
  EXPECT_FLOAT_EQ(quant::symmetric_int8_params(-tiny, tiny).scale, 1.f);
  EXPECT_FLOAT_EQ(quant::symmetric_int8_params(0.f, 1e-37f).scale, 1.f);   // 1e-37/127
  const float normal_range = smallest_normal * 255.f;
  EXPECT_FLOAT_EQ(quant::asymmetric_params(0.f, normal_range, DType::Uint8).scale, normal_range / 255.f);
  EXPECT_FLOAT_EQ(quant::symmetric_int8_params(0.f, smallest_normal * 127.f).scale, smallest_normal);
}

TEST(QuantParams, QuantizeRoundsHalfToEvenAndSaturates) {
  QuantParams p = quant::per_tensor_params(DType::Uint8, 1.f, 10);
  EXPECT_EQ(quant::quantize_value(2.5f, p), 12);
  EXPECT_EQ(quant::quantize_value(3.5f, p), 14);
  EXPECT_EQ(quant::quantize_value(-2.5f, p), 8);
  EXPECT_EQ(quant::quantize_value(1e9f, p), 255);
  EXPECT_EQ(quant::quantize_value(-1e9f, p), 0);
  EXPECT_EQ(quant::quantize_value(std::numeric_limits<float>::quiet_NaN(), p), 10);
  EXPECT_FLOAT_EQ(quant::dequantize_value(12, p), 2.f);
}

TEST(QuantScheme, Names) {
  for (Scheme s : {Scheme::Uint8, Scheme::Int8, Scheme::U8S8})
    EXPECT_EQ(quant::scheme_from_name(quant::scheme_name(s)), s);
  EXPECT_FALSE(quant::scheme_from_name("fp16"));
}

size_t per_class() { return std::getenv("OCTET_GOLDEN_LIMIT") ? 10 : 100; }

// The shared fixture: ResNet8, its calibration ranges over the issue's calibration set
// (first 100 images per class of the training subset), computed once.
class QuantizedResNet8 : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    prepared_ = new Graph(load_reference_graph(OCTET_DATA_DIR "/resnet8.onnx"));
    base_ = new Graph(quantization_base(*prepared_));
    const CifarSet train = read_cifar_file(OCTET_DATA_DIR "/cifar10-train-subset.bin");
    // The sanitizer build (OCTET_GOLDEN_LIMIT) calibrates on 10 images per class: its tests check
    // the pipeline's structure and bit-exactness, not accuracy, and the reference executor is slow there.
    calib_ = new CifarSet(cifar_select(train, calibration_indices(train, per_class())));
    ranges_ = new std::vector<quant::ValueRange>(calibrate_on_cifar(*base_, *calib_, ImageLayout::NHWC));
    test_ = new CifarSet(read_cifar_file(OCTET_DATA_DIR "/cifar10-test-first1000.bin"));
    unseen_ = new CifarSet(cifar_select(train, complement_indices(train, calibration_indices(train, 100))));
  }
  static void TearDownTestSuite() {
    delete prepared_;
    delete base_;
    delete calib_;
    delete ranges_;
    delete test_;
    delete unseen_;
  }
  static Graph* prepared_;
  static Graph* base_;
  static CifarSet* calib_;
  static CifarSet* test_;
  static CifarSet* unseen_;   // the 3,000 training images calibration did not use
  static std::vector<quant::ValueRange>* ranges_;
};
Graph* QuantizedResNet8::prepared_ = nullptr;
Graph* QuantizedResNet8::base_ = nullptr;
CifarSet* QuantizedResNet8::calib_ = nullptr;
CifarSet* QuantizedResNet8::test_ = nullptr;
CifarSet* QuantizedResNet8::unseen_ = nullptr;
std::vector<quant::ValueRange>* QuantizedResNet8::ranges_ = nullptr;

TEST_F(QuantizedResNet8, CalibrationSetIsFirstHundredPerClass) {
  ASSERT_EQ(calib_->size(), 10 * per_class());
  const auto counts = cifar_class_counts(*calib_);
  for (int64_t c : counts) EXPECT_EQ(c, static_cast<int64_t>(per_class()));
}

TEST_F(QuantizedResNet8, CalibratedInputRangeIsPixels) {
  const quant::ValueRange& r = (*ranges_)[static_cast<size_t>(base_->inputs[0])];
  ASSERT_TRUE(r.seen);
  EXPECT_EQ(r.min, 0.f);
  EXPECT_EQ(r.max, 255.f);
}

TEST_F(QuantizedResNet8, AnnotatesWeightsActivationsAndMergesRelu) {
  for (Scheme scheme : {Scheme::Uint8, Scheme::Int8, Scheme::U8S8}) {
    SCOPED_TRACE(quant::scheme_name(scheme));
    Graph q = quantize_model(*base_, *ranges_, scheme);
    const DType act = quant::activation_dtype(scheme);
    // Raw pixels 0..255: scale 1, exact.
    const QuantParams& in = *q.value(q.inputs[0]).quant;
    EXPECT_EQ(in.scale, 1.f);
    EXPECT_EQ(in.zero_point, act == DType::Uint8 ? 0 : -128);
    int convs = 0, relus = 0;
    for (const Node& n : q.nodes) {
      if (n.op == OpKind::Conv || n.op == OpKind::Gemm) {
        ++convs;
        const Value& w = q.value(n.inputs[1]);
        ASSERT_TRUE(w.quant) << n.name;
        EXPECT_EQ(w.quant->dtype, quant::weight_dtype(scheme));
        if (quant::weights_symmetric(scheme)) {
          EXPECT_EQ(w.quant->zero_point, 0);
        }
        ASSERT_TRUE(q.value(n.inputs[0]).quant) << n.name;
        // The classifier's logits stay float (dequantized at the boundary before Softmax).
        EXPECT_EQ(q.value(n.outputs[0]).quant.has_value(), n.op == OpKind::Conv) << n.name;
        EXPECT_EQ(q.value(n.inputs[0]).quant->dtype, act);
        if (n.has_input(2)) {
          const QuantParams& b = *q.value(n.inputs[2]).quant;
          EXPECT_EQ(b.dtype, DType::Int32);
          EXPECT_FLOAT_EQ(b.scale, q.value(n.inputs[0]).quant->scale * w.quant->scale);
        }
      }
      if (n.op == OpKind::Relu) {
        ++relus;
        // Merged: the producer's output carries the Relu's range, whose zero point codes 0.0.
        ASSERT_TRUE(q.value(n.inputs[0]).quant && q.value(n.outputs[0]).quant);
        EXPECT_EQ(*q.value(n.inputs[0]).quant, *q.value(n.outputs[0]).quant);
        EXPECT_EQ(q.value(n.outputs[0]).quant->zero_point, act == DType::Uint8 ? 0 : -128);
      }
    }
    EXPECT_EQ(convs, 10);   // 9 convolutions and the classifier
    EXPECT_EQ(relus, 7);
    // Softmax output stays float.
    EXPECT_FALSE(q.value(q.outputs[0]).quant);
  }
}

TEST_F(QuantizedResNet8, CompilesToInt8Steps) {
  Plan plan = compile_for_runtime(quantize_model(*base_, *ranges_, Scheme::U8S8));
  int qconv = 0, quantize = 0, dequantize = 0, gemm = 0, qgemm = 0;
  for (const Step& s : plan.steps) {
    qconv += s.type == &QConvStep::kType;
    gemm += s.type == &GemmF32Step::kType;
    qgemm += s.type == &QGemmF32Step::kType;
    quantize += s.type == &QuantizeStep::kType;
    dequantize += s.type == &DequantizeStep::kType;
    EXPECT_NE(s.type, &ConvF32Step::kType) << "a float conv in the int8 plan: " << s.name;
  }
  EXPECT_EQ(qconv, 9);
  EXPECT_EQ(gemm, 0);
  EXPECT_EQ(qgemm, 1);        // the classifier: int8 weights, float output for the Softmax
  EXPECT_EQ(quantize, 1);     // the input pixels
  EXPECT_EQ(dequantize, 0);   // the classifier reads the pooled features' codes
  EXPECT_NE(plan.qvector, nullptr);
}

// Whole-model cross-check of the kernels: the plans of every int8 ISA give bit-identical
// outputs to the scalar plan, for every scheme (the uint8 scheme exercises the weight zero point).
TEST_F(QuantizedResNet8, EveryIsaPlanMatchesScalarBitForBit) {
  const CifarSet images = cifar_select(*test_, std::vector<size_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
  Tensor in = make_cifar_input(images, 0, images.size(), ImageLayout::NHWC);
  for (Scheme scheme : {Scheme::Uint8, Scheme::Int8, Scheme::U8S8}) {
    SCOPED_TRACE(quant::scheme_name(scheme));
    const Graph q = quantize_model(*base_, *ranges_, scheme);
    std::vector<std::vector<float>> outs;
    for (kernels::KernelIsa isa : {kernels::KernelIsa::Scalar, kernels::KernelIsa::Avx2, kernels::KernelIsa::Vnni}) {
      CompileOptions o;
      o.int8_isa = isa;
      Plan plan = compile_for_runtime(q, o);
      Session session(plan, SessionOptions{2, static_cast<int>(images.size())});
      std::vector<float> y(images.size() * 10);
      const float* x = in.data<float>();
      float* yp = y.data();
      session.run(static_cast<int>(images.size()), std::span<const float* const>(&x, 1), std::span<float* const>(&yp, 1));
      outs.push_back(y);
    }
    for (size_t i = 1; i < outs.size(); ++i)
      for (size_t j = 0; j < outs[0].size(); ++j) ASSERT_EQ(outs[i][j], outs[0][j]) << "isa " << i << " element " << j;
  }
}

// The issue's accuracy bar on the 1,000 test images: every scheme >= 87.0 % and >= 98.0 %
// top-1 agreement with FP32.
TEST_F(QuantizedResNet8, AccuracyAndAgreementOnTestImages) {
  if (std::getenv("OCTET_GOLDEN_LIMIT")) GTEST_SKIP() << "the sanitizer build (OCTET_GOLDEN_LIMIT) skips the accuracy runs";
  const std::vector<int> fp32 = predict(compile_for_runtime(*prepared_), *test_, ImageLayout::NHWC, 50, 2);
  for (Scheme scheme : {Scheme::Uint8, Scheme::Int8, Scheme::U8S8}) {
    EvalCounts counts;
    const std::vector<int> q =
        predict(compile_for_runtime(quantize_model(*base_, *ranges_, scheme)), *test_, ImageLayout::NHWC, 50, 2, &counts);
    const double acc = *counts.accuracy();
    const double agree = *agreement(q, fp32);
    std::printf("%s: accuracy %.2f %%, agreement with FP32 %.2f %%\n", std::string(quant::scheme_name(scheme)).c_str(),
                acc * 100, agree * 100);
    EXPECT_GE(acc, 0.870) << quant::scheme_name(scheme);
    EXPECT_GE(agree, 0.980) << quant::scheme_name(scheme);
  }
}

}  // namespace
}  // namespace octet

namespace octet {
namespace {

// The same on the 3,000 training images not used for calibration: agreement >= 98.5 %.
TEST_F(QuantizedResNet8, AgreementOnImagesCalibrationDidNotSee) {
  if (std::getenv("OCTET_GOLDEN_LIMIT")) GTEST_SKIP() << "the sanitizer build (OCTET_GOLDEN_LIMIT) skips the accuracy runs";
  ASSERT_EQ(unseen_->size(), 3000u);
  const std::vector<int> fp32 = predict(compile_for_runtime(*prepared_), *unseen_, ImageLayout::NHWC, 50, 2);
  for (Scheme scheme : {Scheme::Uint8, Scheme::Int8, Scheme::U8S8}) {
    const std::vector<int> q =
        predict(compile_for_runtime(quantize_model(*base_, *ranges_, scheme)), *unseen_, ImageLayout::NHWC, 50, 2);
    const double agree = *agreement(q, fp32);
    std::printf("%s: agreement with FP32 on unseen training images %.2f %%\n",
                std::string(quant::scheme_name(scheme)).c_str(), agree * 100);
    EXPECT_GE(agree, 0.985) << quant::scheme_name(scheme);
  }
}

}  // namespace
}  // namespace octet

namespace octet {
namespace {

// The issue's target for the best configuration: u8s8 with per-channel int8 weights and
// entropy (KL) calibrated activations reaches top-1 agreement with FP32 >= 99.0 % and accuracy
// within 0.2 points of FP32 on both the 1,000 test images and the 3,000 training images
// calibration did not use. (The int8 scheme's Adds round on int8 codes as ONNX Runtime's do,
// which lands it at 98.80 % on the test images: docs/quantization.md, "Results on ResNet8".)
TEST_F(QuantizedResNet8, PerChannelEntropyMeetsTheIssueTarget) {
  if (std::getenv("OCTET_GOLDEN_LIMIT")) GTEST_SKIP() << "the sanitizer build (OCTET_GOLDEN_LIMIT) skips the accuracy runs";
  const Plan fp32_plan = compile_for_runtime(*prepared_);
  quant::QuantizeOptions options;
  options.per_channel = true;
  options.calibration.method = quant::Method::Entropy;
  std::vector<Scheme> schemes{Scheme::U8S8};
  std::vector<Plan> plans;
  for (Scheme scheme : schemes) plans.push_back(compile_for_runtime(quantize_model(*base_, *ranges_, scheme, options)));
  for (const CifarSet* set : {test_, unseen_}) {
    EvalCounts fp32_counts;
    const std::vector<int> fp32 = predict(fp32_plan, *set, ImageLayout::NHWC, 50, 2, &fp32_counts);
    for (size_t s = 0; s < schemes.size(); ++s) {
      EvalCounts q_counts;
      const std::vector<int> q = predict(plans[s], *set, ImageLayout::NHWC, 50, 2, &q_counts);
      const double agree = *agreement(q, fp32), delta = *q_counts.accuracy() - *fp32_counts.accuracy();
      const std::string where = std::string(quant::scheme_name(schemes[s])) + ", " + std::to_string(set->size()) + " images";
      std::printf("%s, per-channel entropy: agreement with FP32 %.2f %%, accuracy %.2f %% (FP32 %.2f %%)\n", where.c_str(),
                  agree * 100, *q_counts.accuracy() * 100, *fp32_counts.accuracy() * 100);
      EXPECT_GE(agree, 0.990) << where;
      EXPECT_LE(std::abs(delta), 0.002 + 1e-9) << where;
    }
  }
}

}  // namespace
}  // namespace octet
