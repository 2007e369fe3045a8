// A quantized Gemm whose output stays float (the classifier before a float Softmax, or the
// graph output) end to end: the QDQ file DQ(x), DQ(W), DQ(bias int32) -> Gemm runs as one
// qu8_gemm_f32 step (no dequantize step, no float Gemm) and gives, bit for bit, ONNX Runtime's
// QGemm arithmetic y = float(acc) * float(s_x * s_w[j]) with acc the exact int32 sum, per
// tensor (B [K, N]) and per channel (transB), batch 1 and 7, every int8 ISA the same bytes;
// a Gemm with a float bias stays float, a Relu after it runs on its output; a .octet round trip
// and the validator's refusals.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "engine/runtime/model_file.h"
#include "engine/runtime/steps/all.h"
#include "qdq_test_util.h"
#include "quant/qdq_export.h"
#include "tests/expect_error.h"

namespace octet {
namespace {

using namespace qdq_test;

constexpr int64_t kK = 37, kN = 23;
const QuantParams kX = qp(DType::Uint8, 0.04f, 100);

Plan qdq_plan(const std::string& bytes, const CompileOptions& o = {}) {
  Graph g = import_onnx_bytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  quant::recognise_qdq(g);
  prepare_graph(g);
  return compile_for_runtime(g, o);
}

struct GemmModel {
  std::string bytes;
  std::vector<int32_t> w_codes;   // [N][K]
  std::vector<int32_t> bias_codes;
  std::vector<float> w_scales;    // [N]
};

// x [batch, K] (kX) -> Gemm with int8 weights (per tensor, B [K, N]; or per channel, B^T
// [N, K] with transB) and an int32 bias at s_x * s_w[j] -> y, float. relu: a Relu after the
// Gemm (fused into it); float_bias: the bias left unquantized.
GemmModel gemm_model(bool per_channel, bool relu = false, bool float_bias = false) {
  GemmModel m;
  std::mt19937 rng(per_channel ? 11 : 12);
  QuantParams wq = qp(DType::Int8, 0.011f, 0);
  if (per_channel) {
    for (int64_t j = 0; j < kN; ++j) wq.channel_scales.push_back(0.002f + 0.0007f * float(j));
    wq.scale = wq.channel_scales.back();   // per channel: the largest (graph/ir.h)
    wq.axis = 0;
  }
  for (int64_t j = 0; j < kN; ++j) m.w_scales.push_back(per_channel ? wq.channel_scales[size_t(j)] : wq.scale);
  Tensor b(DType::Float32, per_channel ? std::vector<int64_t>{kN, kK} : std::vector<int64_t>{kK, kN});
  m.w_codes.resize(size_t(kN * kK));
  for (int64_t j = 0; j < kN; ++j)
    for (int64_t i = 0; i < kK; ++i) {
      const int32_t c = int32_t(rng() % 255) - 127;
      m.w_codes[size_t(j * kK + i)] = c;
      b.data<float>()[per_channel ? j * kK + i : i * kN + j] = float(c) * m.w_scales[size_t(j)];
    }
  // The bias at scale s_x * s_w[j], as a QDQ file holds it (DQ of int32 codes).
  QuantParams bq = qp(DType::Int32, kX.scale * wq.scale, 0);
  if (per_channel) {
    for (int64_t j = 0; j < kN; ++j) bq.channel_scales.push_back(kX.scale * wq.channel_scales[size_t(j)]);
    bq.axis = 0;
  }
  Tensor c(DType::Float32, {kN});
  for (int64_t j = 0; j < kN; ++j) {
    m.bias_codes.push_back(int32_t(rng() % 40001) - 20000);
    c.data<float>()[j] = float(m.bias_codes.back()) * (per_channel ? bq.channel_scales[size_t(j)] : bq.scale);
  }
  if (float_bias) c.data<float>()[0] += 1e-3f;   // off the grid: a float bias
  Net n(13);
  const int x = n.input("x", {-1, kK}, kX);
  std::map<std::string, Attribute> attrs;
  if (per_channel) attrs["transB"] = integer(1);
  const int y = n.node(OpKind::Gemm, "fc",
                       {x, n.constant("fc.w", std::move(b), wq),
                        n.constant("fc.b", std::move(c), float_bias ? std::optional<QuantParams>{} : bq)},
                       relu ? "fc.y" : "y", {}, attrs);
  m.bytes = quant::export_qdq(n.done({relu ? n.node(OpKind::Relu, "relu", {y}, "y") : y}));
  return m;
}

template <typename P>
int count(const Plan& plan) {
  int k = 0;
  for (const Step& s : plan.steps) k += s.params_if<P>() != nullptr;
  return k;
}

TEST(Int8GemmFloatOutput, RunsAsOneStepWithOrtArithmetic) {
  for (bool per_channel : {false, true}) {
    SCOPED_TRACE(per_channel ? "per channel" : "per tensor");
    const GemmModel m = gemm_model(per_channel);
    const Plan plan = qdq_plan(m.bytes);
    EXPECT_EQ(count<QGemmF32Step>(plan), 1);
    EXPECT_EQ(count<GemmF32Step>(plan), 0);
    EXPECT_EQ(count<DequantizeStep>(plan), 0);
    for (int batch : {1, 7}) {
      SCOPED_TRACE(batch);
      const Tensor x = representable({batch, kK}, kX, 0, 255, 30 + uint32_t(batch));
      const std::vector<Tensor> got = run_plan(plan, {x});
      CompileOptions scalar;
      scalar.int8_isa = kernels::KernelIsa::Scalar;
      const std::vector<Tensor> got_scalar = run_plan(qdq_plan(m.bytes, scalar), {x});
      ASSERT_EQ(got.size(), 1u);
      EXPECT_TRUE(got[0].bytes == got_scalar[0].bytes) << "the int8 ISAs disagree";
      const std::vector<Tensor> ref = run_onnx(m.bytes, {x});   // DQ then a float Gemm
      for (int r = 0; r < batch; ++r)
        for (int64_t j = 0; j < kN; ++j) {
          int64_t acc = m.bias_codes[size_t(j)];
          for (int64_t i = 0; i < kK; ++i)
            acc += (quant::quantize_value(x.data<float>()[r * kK + i], kX) - kX.zero_point) * m.w_codes[size_t(j * kK + i)];
          const float want = float(int32_t(acc)) * (kX.scale * m.w_scales[size_t(j)]);
          const float y = got[0].data<float>()[r * kN + j];
          ASSERT_EQ(y, want) << "row " << r << " column " << j;
          EXPECT_NEAR(y, ref[0].data<float>()[r * kN + j], 1e-4 * (1.0 + std::fabs(want)));
        }
    }
  }
}

// A bias off the int32 grid (not what ONNX Runtime fuses into QGemm) stays a float Gemm over
// dequantized operands; a float Relu after the Gemm runs on its float output, as in ONNX
// Runtime (QGemm, then Relu).
TEST(Int8GemmFloatOutput, FloatBiasStaysFloatAndAReluFollows) {
  const Plan float_bias = qdq_plan(gemm_model(false, false, true).bytes);
  EXPECT_EQ(count<QGemmF32Step>(float_bias), 0);
  EXPECT_EQ(count<GemmF32Step>(float_bias), 1);
  const GemmModel m = gemm_model(false, true);
  const Plan relu = qdq_plan(m.bytes);
  EXPECT_EQ(count<QGemmF32Step>(relu), 1);
  EXPECT_EQ(count<GemmF32Step>(relu), 0);
  const Tensor x = representable({7, kK}, kX, 0, 255, 3);
  const std::vector<Tensor> got = run_plan(relu, {x}), ref = run_onnx(m.bytes, {x});
  int zeros = 0;
  for (int64_t i = 0; i < got[0].numel(); ++i) {
    const float y = got[0].data<float>()[i];
    EXPECT_GE(y, 0.f);
    zeros += y == 0.f;
    EXPECT_NEAR(y, ref[0].data<float>()[i], 1e-4 * (1.0 + std::fabs(y)));
  }
  EXPECT_GT(zeros, 0);
}

TEST(Int8GemmFloatOutput, ModelFileRoundTripAndValidation) {
  const GemmModel m = gemm_model(true);
  const Plan plan = qdq_plan(m.bytes);
  const Plan loaded = load_model_file(model_file_bytes(plan));
  ASSERT_EQ(loaded.steps.size(), plan.steps.size());
  const Tensor x = representable({3, kK}, kX, 0, 255, 5);
  EXPECT_TRUE(run_plan(loaded, {x})[0].bytes == run_plan(plan, {x})[0].bytes);
  int edited = 0;
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const auto* q = plan.steps[i].params_if<QGemmF32Step>();
    if (q == nullptr) continue;
    EXPECT_EQ(loaded.steps[i].type->describe(loaded.steps[i]), plan.steps[i].type->describe(plan.steps[i]));
    EXPECT_EQ(loaded.steps[i].params_if<QGemmF32Step>()->kernel, q->kernel);
    for (int edit = 0; edit < 4; ++edit) {
      Plan bad = load_model_file(model_file_bytes(plan));
      auto* p = bad.steps[i].params_if<QGemmF32Step>();
      if (edit == 0) p->weights_offset = align_up(bad.weights.size());
      if (edit == 1) p->gemm.n *= 2;             // the output outgrows its buffer
      if (edit == 2) p->gemm.input_zero_point = 256;
      if (edit == 3) p->m = 0;
      EXPECT_THROW(validate_plan(bad), Error) << "edit " << edit;
      ++edited;
    }
  }
  EXPECT_EQ(edited, 4);
}

}  // namespace
}  // namespace octet
