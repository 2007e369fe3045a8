// Standalone activations run inside the compiled plan on the vector kernel's activation
// (engine/runtime/steps/activation_f32.h): the plan gives the reference executor's results
// (Relu and Clip bit for bit, the smooth ones within 1e-5), runs no reference step, and
// survives a .octet round trip.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <limits>

#include "engine/compile.h"
#include "engine/executor.h"
#include "engine/runtime/model_file.h"
#include "engine/runtime/session.h"
#include "engine/runtime/steps/activation_f32.h"
#include "optimize_test_util.h"

namespace octet {
namespace {

using namespace opt_test;

std::vector<float> run_plan(const Plan& plan, const Tensor& x) {
  const int batch = static_cast<int>(x.dims[0]);
  Session s(plan, SessionOptions{2, batch});
  std::vector<float> out(static_cast<size_t>(batch * plan.outputs[0].floats_per_image()));
  const float* in = x.data<float>();
  float* o = out.data();
  s.run(batch, std::span<const float* const>(&in, 1), std::span<float* const>(&o, 1));
  return out;
}

// x -> MaxPool -> Relu -> Clip: no conv for the Relu or the Clip to fuse into.
Graph pool_relu_clip(int opset) {
  Builder b(opset);
  const int x = b.input("x", {-1, 5, 7, 7});
  const int pool = b.node(OpKind::MaxPool, "pool", {x}, {{"kernel_shape", ints({2, 2})}});
  const int relu = b.node(OpKind::Relu, "relu", {pool});
  const int clip = opset >= 11 ? b.node(OpKind::Clip, "clip", {relu, b.constant("lo", scalar(-0.5f)),
                                                                 b.constant("hi", scalar(0.25f))})
                               : b.node(OpKind::Clip, "clip", {relu}, {{"min", flt(-0.5f)}, {"max", flt(0.25f)}});
  b.output(clip);
  return b.prepared();
}

TEST(ActivationStep, StandaloneReluAndClipRunOnTheVectorKernel) {
  for (int opset : {10, 13}) {
    SCOPED_TRACE(opset);
    const Graph g = pool_relu_clip(opset);
    const Plan plan = compile_plan(g);
    std::vector<std::string> kernels;
    for (const Step& s : plan.steps) kernels.push_back(s.kernel_name());
    EXPECT_EQ(kernels, (std::vector<std::string>{"nchw_to_nhwc", "max_pool", "f32_relu", "f32_clip", "nhwc_to_nchw"}));
    EXPECT_EQ(plan.describe().find("reference"), std::string::npos) << plan.describe();

    const Tensor x = random_tensor({3, 5, 7, 7}, 5, -1.f, 1.f);
    const Tensor want = ReferenceExecutor(g).run(std::span<const Tensor>(&x, 1)).at(0);
    const std::vector<float> got = run_plan(plan, x);
    ASSERT_EQ(static_cast<int64_t>(got.size()), want.numel());
    EXPECT_EQ(std::memcmp(got.data(), want.data<float>(), got.size() * sizeof(float)), 0);
    // The clamp bites on both sides: some outputs are 0 (Relu) and some 0.25 (Clip).
    EXPECT_GT(std::count(got.begin(), got.end(), 0.f), 0);
    EXPECT_GT(std::count(got.begin(), got.end(), 0.25f), 0);

    // The .octet file keeps the step (and its bounds).
    const Plan loaded = load_model_file(model_file_bytes(plan));
    EXPECT_EQ(run_plan(loaded, x), got);
  }
}

// x -> MaxPool, then two chains: Sigmoid -> HardSigmoid -> HardSwish, and Tanh -> LeakyRelu,
// with non-default HardSigmoid and LeakyRelu constants chosen so that every piece of the
// piecewise ones is taken: HardSigmoid(alpha 6, beta -2) maps Sigmoid's (0, 1) onto 0 below
// 1/3, 1 above 1/2 and the ramp between; Tanh of a negative max feeds LeakyRelu's slope.
Graph pool_then_activations() {
  Builder b(14);
  const int x = b.input("x", {-1, 5, 7, 7});
  const int pool = b.node(OpKind::MaxPool, "pool", {x}, {{"kernel_shape", ints({2, 2})}});
  const int sig = b.node(OpKind::Sigmoid, "sigmoid", {pool});
  const int hsig = b.node(OpKind::HardSigmoid, "hard_sigmoid", {sig}, {{"alpha", flt(6.f)}, {"beta", flt(-2.f)}});
  const int hswish = b.node(OpKind::HardSwish, "hard_swish", {hsig});
  const int tanh = b.node(OpKind::Tanh, "tanh", {pool});
  const int leaky = b.node(OpKind::LeakyRelu, "leaky_relu", {tanh}, {{"alpha", flt(0.3f)}});
  b.output(hswish);
  b.output(leaky);
  return b.prepared();
}

TEST(ActivationStep, StandaloneActivationsRunOnTheVectorKernel) {
  const Graph g = pool_then_activations();
  const Plan plan = compile_plan(g);
  std::vector<std::string> kernels;
  for (const Step& s : plan.steps) kernels.push_back(s.kernel_name());
  for (const char* k : {"f32_sigmoid", "f32_hard_sigmoid", "f32_hard_swish", "f32_tanh", "f32_leaky_relu"})
    EXPECT_EQ(std::count(kernels.begin(), kernels.end(), k), 1) << k << " in " << plan.describe();
  EXPECT_NE(plan.describe().find("alpha 0.300000"), std::string::npos) << plan.describe();

  const Tensor x = random_tensor({3, 5, 7, 7}, 11, -4.f, 4.f);
  const std::vector<Tensor> want = ReferenceExecutor(g).run(std::span<const Tensor>(&x, 1));
  ASSERT_EQ(want.size(), 2u);
  const Plan loaded = load_model_file(model_file_bytes(plan));
  for (const Plan* p : {&plan, &loaded}) {
    const int batch = 3;
    Session s(*p, SessionOptions{2, batch});
    std::vector<float> out0(static_cast<size_t>(batch * p->outputs[0].floats_per_image()));
    std::vector<float> out1(static_cast<size_t>(batch * p->outputs[1].floats_per_image()));
    const float* in = x.data<float>();
    float* outs[2] = {out0.data(), out1.data()};
    s.run(batch, std::span<const float* const>(&in, 1), std::span<float* const>(outs, 2));
    ASSERT_EQ(static_cast<int64_t>(out0.size()), want[0].numel());
    ASSERT_EQ(static_cast<int64_t>(out1.size()), want[1].numel());
    // Vector exp and tanh: a few ulp, which HardSigmoid's slope of 6 magnifies.
    for (size_t i = 0; i < out0.size(); ++i) EXPECT_NEAR(out0[i], want[0].data<float>()[i], 1e-5f) << i;
    for (size_t i = 0; i < out1.size(); ++i) EXPECT_NEAR(out1[i], want[1].data<float>()[i], 1e-6f) << i;
    // Each piece bites: HardSigmoid clamps to 0 and to 1 (so HardSwish gives 0 and 1 * 2/3),
    // and LeakyRelu sees negative inputs (tanh of a negative max).
    EXPECT_GT(std::count(out0.begin(), out0.end(), 0.f), 0);
    EXPECT_GT(std::count_if(out0.begin(), out0.end(), [](float v) { return v > 0.f && v < 0.6f; }), 0);
    EXPECT_GT(std::count_if(out1.begin(), out1.end(), [](float v) { return v < 0.f; }), 0);
  }
}

TEST(ActivationStep, TheValidatorRefusesUnorderedClipBounds) {
  Plan plan = compile_plan(pool_relu_clip(13));
  for (Step& s : plan.steps)
    if (auto* p = s.params_if<ActivationF32Step>(); p && p->activation.act == kernels::Activation::Clip)
      std::swap(p->activation.lo, p->activation.hi);
  try {
    validate_plan(plan);
    ADD_FAILURE() << "unordered bounds accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("clip bounds out of order"), std::string::npos) << e.what();
  }
}

TEST(ActivationStep, TheValidatorRefusesUnknownCodesAndNonFiniteConstants) {
  auto expect_refused = [](const std::function<void(ActivationF32Step&)>& corrupt, const std::string& what) {
    Plan plan = compile_plan(pool_then_activations());
    for (Step& s : plan.steps)
      if (auto* p = s.params_if<ActivationF32Step>(); p && p->activation.act == kernels::Activation::LeakyRelu)
        corrupt(*p);
    try {
      validate_plan(plan);
      ADD_FAILURE() << what << " accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  expect_refused([](ActivationF32Step& p) { p.activation.act = static_cast<kernels::Activation>(9); },
                 "unknown activation");
  expect_refused([](ActivationF32Step& p) { p.activation.act = kernels::Activation::None; }, "unknown activation");
  expect_refused([](ActivationF32Step& p) { p.activation.alpha = std::numeric_limits<float>::infinity(); },
                 "alpha or beta is not a finite number");
}

}  // namespace
}  // namespace octet
