// The int8 activations and Mul (issue 15): Sigmoid, HardSigmoid, HardSwish, Tanh, LeakyRelu as
// 256-entry tables (qu8_lookup), SiLU written as Mul(x, Sigmoid(x)) as one table, and the int8
// Mul (qu8_mul) same-shape and squeeze-excitation broadcast. Models quantized u8s8, exported as
// QDQ, run by the optimised runtime against the reference executor running the QDQ file with
// Q/DQ as real operators: a chain of tables is bit-exact with it (the tables are the QDQ
// file's arithmetic), a Mul within two codes (ONNX Runtime's QLinearMul arithmetic, rounding
// the float product of the centred codes, vs the float Mul of dequantized values then Q).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/int8_coverage.h"
#include "engine/pipeline/calibration.h"
#include "kernels/dispatch/isa.h"
#include "qdq_test_util.h"
#include "quant/qdq_export.h"

namespace octet {
namespace {

using namespace qdq_test;

Attribute real(float v) {
  Attribute a;
  a.kind = Attribute::Kind::Float;
  a.f = v;
  return a;
}

Graph quantized(Graph g, const Tensor& calib_input) {
  prepare_graph(g);
  const Graph base = quantization_base(g);
  TensorBatches calib({{calib_input}});
  return quantize_model(base, calibrate(base, calib), quant::Scheme::U8S8, {});
}

// Kernel names of the plan's steps, in order.
std::vector<std::string> step_kernels(const Plan& plan) {
  std::vector<std::string> out;
  for (const Step& s : plan.steps) out.push_back(s.kernel_name());
  return out;
}

// The plan compiled from QDQ file bytes, as octet-run compiles one.
Plan qdq_plan(const std::string& bytes) {
  Graph g = import_onnx_bytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  quant::recognise_qdq(g);
  prepare_graph(g);
  return compile_for_runtime(g);
}

int count(const std::vector<std::string>& v, const std::string& prefix) {
  int k = 0;
  for (const std::string& s : v) k += s.rfind(prefix, 0) == 0;
  return k;
}

// x -> Sigmoid -> Tanh -> HardSigmoid(0.3, 0.4) -> LeakyRelu(0.1) -> HardSwish -> SiLU.
Graph activation_chain() {
  Net n(14);
  const int x = n.input("x", {-1, 5, 3, 7});
  const int s = n.node(OpKind::Sigmoid, "sigmoid", {x}, "s");
  const int t = n.node(OpKind::Tanh, "tanh", {s}, "t");
  const int h = n.node(OpKind::HardSigmoid, "hard_sigmoid", {t}, "h", {},
                       {{"alpha", real(0.3f)}, {"beta", real(0.4f)}});
  const int l = n.node(OpKind::LeakyRelu, "leaky", {n.node(OpKind::Sub, "centre", {h, n.constant("half", uniform({1}, 1, 0.5f, 0.5f))}, "c")},
                       "l", {}, {{"alpha", real(0.1f)}});
  const int w = n.node(OpKind::HardSwish, "hard_swish", {l}, "w");
  const int g = n.node(OpKind::Sigmoid, "silu_gate", {w}, "g");
  return n.done({n.node(OpKind::Mul, "silu", {w, g}, "y")});
}

TEST(Int8Activations, ChainRunsOnTablesBitExactWithTheReference) {
  const Graph q = quantized(activation_chain(), uniform({16, 5, 3, 7}, 3, -4.f, 4.f));
  // Only the Sub (a constant operand) stays float; the SiLU's Sigmoid output is not rounded.
  EXPECT_EQ(float_compute_summary(q), "1 node: Sub x1 (centre)");
  EXPECT_FALSE(q.value(find_node(q, "silu_gate")->outputs[0]).quant.has_value());
  EXPECT_TRUE(q.value(find_node(q, "silu")->outputs[0]).quant.has_value());
  const std::string bytes = quant::export_qdq(q);
  {
    const Plan plan = qdq_plan(bytes);
    EXPECT_EQ(count(step_kernels(plan), "qu8_lookup"), 6) << "sigmoid, tanh, hard_sigmoid, leaky, hard_swish, silu";
    for (const Step& st : plan.steps) {
      const std::string kernel = st.kernel_name();
      if (st.name != "centre" && kernel != "quantize" && kernel != "dequantize") {
        EXPECT_EQ(kernel, "qu8_lookup") << st.name;
      }
    }
  }
  for (int batch : {1, 7}) {
    const std::vector<Tensor> inputs{uniform({batch, 5, 3, 7}, 40 + uint32_t(batch), -5.f, 5.f)};
    const std::vector<Tensor> want = run_onnx(bytes, inputs);
    CompileOptions scalar;
    scalar.int8_isa = kernels::KernelIsa::Scalar;
    for (const CompileOptions& options : {CompileOptions{}, scalar}) {
      const std::vector<Tensor> got = run_qdq_optimised(bytes, inputs, options);
      ASSERT_EQ(got.size(), 1u);
      for (int64_t k = 0; k < got[0].numel(); ++k)
        ASSERT_EQ(got[0].data<float>()[k], want[0].data<float>()[k]) << "element " << k << " batch " << batch;
    }
  }
}

// conv -> SiLU -> squeeze-excitation (global pool, conv, Sigmoid, Mul by the [N,C,1,1] gate)
// -> a same-shape Mul with another conv's output.
Graph se_block() {
  Net n(14);
  const int x = n.input("x", {-1, 3, 9, 9});
  auto conv = [&](const std::string& name, int in, std::vector<int64_t> w_dims, uint32_t seed) {
    const int w = n.constant(name + ".w", uniform(w_dims, seed, -0.6f, 0.6f));
    const int b = n.constant(name + ".b", uniform({w_dims[0]}, seed + 1, -0.3f, 0.3f));
    return n.node(OpKind::Conv, name, {in, w, b}, name + ".y");
  };
  const int c1 = conv("conv1", x, {7, 3, 1, 1}, 3);
  const int act = n.node(OpKind::Mul, "silu", {n.node(OpKind::Sigmoid, "silu_gate", {c1}, "sg"), c1}, "a");
  const int pooled = n.node(OpKind::GlobalAveragePool, "se_pool", {act}, "p");
  const int gate = n.node(OpKind::Sigmoid, "se_sigmoid", {conv("se_fc", pooled, {7, 7, 1, 1}, 5)}, "gate");
  const int scaled = n.node(OpKind::Mul, "se_mul", {gate, act}, "scaled");
  const int other = conv("other", x, {7, 3, 1, 1}, 9);
  return n.done({n.node(OpKind::Mul, "same_mul", {scaled, other}, "y")});
}

TEST(Int8Activations, SqueezeExcitationAndSameShapeMulRunInt8) {
  const Graph q = quantized(se_block(), uniform({16, 3, 9, 9}, 7, -1.f, 1.f));
  EXPECT_EQ(float_compute_summary(q), "none");
  const std::string bytes = quant::export_qdq(q);
  const std::vector<std::string> kernels = step_kernels(qdq_plan(bytes));
  EXPECT_EQ(count(kernels, "qu8_mul"), 2) << "se_mul (broadcast) and same_mul";
  EXPECT_EQ(count(kernels, "qu8_lookup"), 2) << "silu and se_sigmoid";
  EXPECT_EQ(count(kernels, "f32_"), 0);
  for (int batch : {1, 7}) {
    SCOPED_TRACE("batch " + std::to_string(batch));
    const std::vector<Tensor> inputs{uniform({batch, 3, 9, 9}, 60 + uint32_t(batch), -1.2f, 1.2f)};
    expect_optimised_near_reference(bytes, inputs, q.value(q.outputs[0]).quant->scale, 2.0, 0.8);
  }
}

// Two Gemm outputs [N, 5] multiplied (plain 2-D storage, no NHWC), then Tanh: int8 throughout.
TEST(Int8Activations, SameShapeMulOfPlainTensors) {
  Net n(14);
  const int x = n.input("x", {-1, 6});
  auto gemm = [&](const std::string& name, uint32_t seed) {
    return n.node(OpKind::Gemm, name, {x, n.constant(name + ".b", uniform({6, 5}, seed, -0.8f, 0.8f))}, name + ".y");
  };
  const int product = n.node(OpKind::Mul, "mul", {gemm("left", 21), gemm("right", 23)}, "m");
  const Graph q = quantized(n.done({n.node(OpKind::Tanh, "tanh", {product}, "y")}), uniform({32, 6}, 9, -1.f, 1.f));
  EXPECT_EQ(float_compute_summary(q), "none");
  const std::string bytes = quant::export_qdq(q);
  const std::vector<std::string> kernels = step_kernels(qdq_plan(bytes));
  EXPECT_EQ(count(kernels, "qu8_mul"), 1);
  EXPECT_EQ(count(kernels, "qu8_lookup"), 1);
  for (int batch : {1, 7}) {
    SCOPED_TRACE("batch " + std::to_string(batch));
    expect_optimised_near_reference(bytes, {uniform({batch, 6}, 80 + uint32_t(batch), -1.f, 1.f)},
                                    q.value(q.outputs[0]).quant->scale, 2.0, 0.7);
  }
}

}  // namespace
}  // namespace octet
