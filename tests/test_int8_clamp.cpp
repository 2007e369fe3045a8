// The int8 output clamp the compiler derives (engine/compile_int8.cpp: [0, 255], the zero
// point for a merged Relu, the codes of a Clip's bounds), checked end to end: small quantized
// graphs driven by inputs large enough to saturate, the optimised session's output codes
// compared with the reference executor running the same model as a QDQ file (what
// `octet-eval --reference` runs). Where the reference reaches a clamp bound the plan must
// give that bound exactly, and the plan may not reach a bound the reference does not; away
// from the bounds the roundings (fixed-point vs float) may differ by a code (two with a
// residual Add). A clamp
// off by one code, or a Relu/Clip clamp taken from the wrong zero point, fails here.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "engine/runtime/session.h"
#include "quant/qdq_export.h"
#include "tests/qdq_test_util.h"
#include "engine/pipeline/stages.h"

namespace octet {
namespace {

using namespace qdq_test;

const QuantParams kX = qp(DType::Uint8, 1.f / 32, 128);   // [-4, 3.97]: inputs of +-6 saturate
const QuantParams kW = qp(DType::Int8, 0.01f, 0);

struct Case {
  std::string name;
  Graph graph;
  QuantParams out;   // the graph output's parameters
  int32_t lo = 0, hi = 255;   // the clamp the reference's operators imply
  int32_t tolerance = 1;      // codes away from the bounds: two roundings per requantisation
};

int conv(Net& n, int x, const std::string& name, const std::string& out, const QuantParams& q, uint32_t seed) {
  const QuantParams bias = qp(DType::Int32, kX.scale * kW.scale, 0);
  const int w = n.constant(name + ".w", representable({3, 2, 3, 3}, kW, -127, 127, seed), kW);
  const int b = n.constant(name + ".b", representable({3}, bias, -600, 600, seed + 1), bias);
  return n.node(OpKind::Conv, name, {x, w, b}, out, q, {{"pads", ints({1, 1, 1, 1})}});
}

Tensor scalar(float v) { return Tensor::from<float>({}, {v}); }

std::vector<Case> cases() {
  std::vector<Case> out;
  {
    Net n;
    const QuantParams y = qp(DType::Uint8, 0.08f, 128);
    const int c = conv(n, n.input("x", {-1, 2, 6, 6}, kX), "conv", "y", y, 1);
    out.push_back({"Conv", n.done({c}), y, 0, 255});
  }
  {   // a Relu merged into the conv's range; zero point 20, so the clamp is not code 0
    Net n;
    const QuantParams y = qp(DType::Uint8, 0.06f, 20);
    const int c = conv(n, n.input("x", {-1, 2, 6, 6}, kX), "conv", "y_relu_input", y, 3);
    out.push_back({"ConvRelu", n.done({n.node(OpKind::Relu, "y_Relu", {c}, "y", y)}), y, 20, 255});
  }
  {   // Clip(0, 6) inside the output grid [-2, 10.75]: codes 40 and 160
    Net n;
    const QuantParams y = qp(DType::Uint8, 0.05f, 40);
    const int c = conv(n, n.input("x", {-1, 2, 6, 6}, kX), "conv", "y_clip_input", y, 5);
    const int clip = n.node(OpKind::Clip, "y_Clip", {c, n.constant("lo", scalar(0.f)), n.constant("hi", scalar(6.f))},
                            "y", y);
    out.push_back({"ConvClip", n.done({clip}), y, 40, 160});
  }
  {   // a residual Add fused into the conv's epilogue
    Net n;
    const QuantParams c_q = qp(DType::Uint8, 0.1f, 100), y = qp(DType::Uint8, 0.06f, 120);
    const int x = n.input("x", {-1, 2, 6, 6}, kX);
    const int c = conv(n, x, "conv", "c", c_q, 7);
    const int a = conv(n, x, "skip", "s", qp(DType::Uint8, 0.08f, 110), 9);
    // Three roundings on each path (c, s, then the sum): up to two codes apart.
    out.push_back({"ConvAdd", n.done({n.node(OpKind::Add, "add", {c, a}, "y", y)}), y, 0, 255, 2});
  }
  return out;
}

TEST(Int8OutputClamp, SaturatedCodesMatchTheReferenceExecutorExactly) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    const int batch = 3;
    const Tensor x = uniform({batch, 2, 6, 6}, 42, -6.f, 6.f);
    const Tensor want = run_onnx(quant::export_qdq(c.graph), {x}).at(0);

    CompileOptions options;
    options.autotune = false;
    const Plan plan = compile_for_runtime(c.graph, options);
    Session session(plan, {1, batch});
    std::vector<float> got(static_cast<size_t>(want.numel()));
    const float* in = x.data<float>();
    float* outp = got.data();
    session.run(batch, std::span<const float* const>(&in, 1), std::span<float* const>(&outp, 1));

    auto code = [&](float v) { return static_cast<int32_t>(std::nearbyint(v / c.out.scale)) + c.out.zero_point; };
    int at_lo = 0, at_hi = 0, off_by_one = 0;
    for (int64_t i = 0; i < want.numel(); ++i) {
      const int32_t r = code(want.data<float>()[i]), p = code(got[static_cast<size_t>(i)]);
      ASSERT_GE(r, c.lo) << "element " << i;
      ASSERT_LE(r, c.hi) << "element " << i;
      at_lo += r == c.lo;
      at_hi += r == c.hi;
      if (r == c.lo || r == c.hi || p == c.lo || p == c.hi)
        EXPECT_EQ(p, r) << "element " << i << ": reference code " << r << ", plan code " << p;
      else
        EXPECT_LE(std::abs(p - r), c.tolerance) << "element " << i;
      off_by_one += p != r;
    }
    // The inputs do drive both bounds (so a wrong bound could not go unnoticed).
    EXPECT_GE(at_lo, want.numel() / 50) << "outputs at the lower bound";
    EXPECT_GE(at_hi, want.numel() / 50) << "outputs at the upper bound";
    EXPECT_LE(off_by_one, want.numel() / 10);
  }
}

}  // namespace
}  // namespace octet
