// FP32 NHWC direct and 1x1 convolutions (kernels/f32/conv_direct_*, conv_1x1_*) against the
// scalar NCHW reference conv_f32_ref, for every variant this CPU runs (the others are
// reported as skipped): random shapes over the edge cases (odd channel counts, strides,
// dilation, asymmetric padding, batch, row ranges computed in pieces), every ResNet8 layer,
// residual and each activation, the supports() answers, and a single-threaded GMAC/s
// report for the ResNet8 shapes.
//
// Tolerance: |got - want| <= 1e-5 * (sum of |w| |x| over the taps + |bias| + |residual|)
// + 1e-6. Both sides accumulate in float; only the order differs (the kernels sum
// (kh, kw, ci) from the bias, the reference (ci, kh, kw) then adds the bias), so the error
// is a few ulps of the absolute sum.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <time.h>

#include "kernels/reference/conv.h"
#include "tests/conv_reference_util.h"
#include "kernels/registry.h"

namespace octet {
namespace {

using kernels::Activation;
using kernels::ConvF32Kernel;
using kernels::ConvNhwcParams;

struct Variant {
  const ConvF32Kernel* kernel;
  kernels::KernelIsa isa;
  bool pointwise;   // the 1x1 family
};

// The direct and 1x1 variants of the kernel table (Winograd has its own test).
const std::vector<Variant>& all_variants() {
  static const std::vector<Variant> out = [] {
    std::vector<Variant> r;
    for (const kernels::KernelVariant* v : kernels::variants_of(kernels::KernelFamily::ConvF32)) {
      const std::string_view name = v->name;
      if (name.find("_direct_") != std::string_view::npos) r.push_back({v->conv, v->isa, false});
      if (name.find("_1x1_") != std::string_view::npos) r.push_back({v->conv, v->isa, true});
    }
    return r;
  }();
  return out;
}

// Variants of one family this CPU runs; prints the ones it skips.
std::vector<Variant> runnable(bool pointwise) {
  std::vector<Variant> out;
  for (const Variant& v : all_variants()) {
    if (v.pointwise != pointwise) continue;
    if (kernels::cpu_runs(v.isa)) {
      out.push_back(v);
    } else {
      std::printf("[  SKIPPED ] %s: CPU lacks the ISA\n", v.kernel->name);
    }
  }
  return out;
}

struct Case {
  int32_t batch = 1;
  ConvNhwcParams p;
  int32_t pad_bottom = 0, pad_right = 0;
  bool bias = true;
  bool residual = false;
};

// Fills out_h/out_w from the padding; false if the output would be empty.
bool finish_shape(Case& c) {
  ConvNhwcParams& p = c.p;
  const int32_t span_h = (p.kernel_h - 1) * p.dilation_h + 1;
  const int32_t span_w = (p.kernel_w - 1) * p.dilation_w + 1;
  const int32_t h = p.in_h + p.pad_top + c.pad_bottom - span_h;
  const int32_t w = p.in_w + p.pad_left + c.pad_right - span_w;
  if (h < 0 || w < 0) return false;
  p.out_h = h / p.stride_h + 1;
  p.out_w = w / p.stride_w + 1;
  return true;
}

std::string describe(const Case& c) {
  const ConvNhwcParams& p = c.p;
  char buf[320];
  std::snprintf(buf, sizeof buf,
                "N%d %dx%dx%d -> %dx%dx%d k%dx%d s%dx%d d%dx%d pad t%d l%d b%d r%d bias%d res%d act%d [%g,%g]", c.batch,
                p.in_h, p.in_w, p.in_c, p.out_h, p.out_w, p.out_c, p.kernel_h, p.kernel_w, p.stride_h, p.stride_w,
                p.dilation_h, p.dilation_w, p.pad_top, p.pad_left, c.pad_bottom, c.pad_right, c.bias, c.residual,
                static_cast<int>(p.activation), p.clip_min, p.clip_max);
  return buf;
}

struct Data {
  std::vector<float> input;      // NHWC, batch images
  std::vector<float> weight;     // OIHW
  std::vector<float> bias;       // empty if none
  std::vector<float> residual;   // NHWC output shape, empty if none
};

Data random_data(const Case& c, std::mt19937& rng) {
  const ConvNhwcParams& p = c.p;
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  Data d;
  d.input.resize(size_t(c.batch) * p.in_h * p.in_w * p.in_c);
  d.weight.resize(size_t(p.out_c) * p.in_c * p.kernel_h * p.kernel_w);
  for (float& v : d.input) v = u(rng);
  for (float& v : d.weight) v = u(rng);
  if (c.bias) {
    d.bias.resize(p.out_c);
    for (float& v : d.bias) v = u(rng);
  }
  if (c.residual) {
    d.residual.resize(size_t(c.batch) * p.out_h * p.out_w * p.out_c);
    for (float& v : d.residual) v = u(rng);
  }
  return d;
}

// Reference in NCHW, returned in NHWC without residual or activation.
std::vector<float> reference_nhwc(const Case& c, const std::vector<float>& in_nhwc, const std::vector<float>& weight,
                                  const float* bias) {
  const ConvNhwcParams& p = c.p;
  const kernels::ConvParams rp = kernel_test::reference_conv_params(p, c.batch);
  const size_t in_hw = size_t(p.in_h) * p.in_w, out_hw = size_t(p.out_h) * p.out_w;
  std::vector<float> in_nchw(in_nhwc.size());
  for (int32_t n = 0; n < c.batch; ++n)
    for (size_t i = 0; i < in_hw; ++i)
      for (int32_t ch = 0; ch < p.in_c; ++ch)
        in_nchw[(n * size_t(p.in_c) + ch) * in_hw + i] = in_nhwc[(n * in_hw + i) * p.in_c + ch];
  std::vector<float> out_nchw(size_t(c.batch) * p.out_c * out_hw);
  kernels::conv_f32_ref(rp, in_nchw.data(), weight.data(), bias, out_nchw.data());
  std::vector<float> out(out_nchw.size());
  for (int32_t n = 0; n < c.batch; ++n)
    for (size_t i = 0; i < out_hw; ++i)
      for (int32_t ch = 0; ch < p.out_c; ++ch)
        out[(n * out_hw + i) * p.out_c + ch] = out_nchw[(n * size_t(p.out_c) + ch) * out_hw + i];
  return out;
}

float activate(float v, const ConvNhwcParams& p) {
  const auto unit = [](float x) { return x < 0.f ? 0.f : (x > 1.f ? 1.f : x); };
  switch (p.activation) {
    case Activation::Relu: return v < 0.f ? 0.f : v;
    case Activation::Clip: return v < p.clip_min ? p.clip_min : (v > p.clip_max ? p.clip_max : v);
    case Activation::Sigmoid: return 1.f / (1.f + std::exp(-v));
    case Activation::HardSigmoid: return unit(p.alpha * v + p.beta);
    case Activation::HardSwish: return v * unit(v / 6.f + 0.5f);
    case Activation::SiLU: return v / (1.f + std::exp(-v));
    default: return v;
  }
}

// How much an activation may magnify the sum's rounding error (its largest slope: HardSwish
// 1.5 at x = 3, SiLU 1.1), and the error of the vector exp.
float activation_slack(const ConvNhwcParams& p) {
  const bool clamp = p.activation == Activation::None || p.activation == Activation::Relu ||
                     p.activation == Activation::Clip;
  return clamp ? 1.f : 2.f;
}

constexpr size_t kGuard = 67;   // sentinel floats after each buffer the kernel writes
constexpr float kSentinel = 12345.f;

// Runs the kernel over each image, computing the output rows in the pieces [cuts[i], cuts[i+1]).
// `in_place` passes the residual in the output buffer (the engine may fuse an Add that way).
std::vector<float> run_kernel(const ConvF32Kernel& k, const Case& c, const Data& d, const std::vector<int32_t>& cuts,
                              bool in_place = false) {
  const ConvNhwcParams& p = c.p;
  std::vector<float> packed(k.packed_floats(p) + kGuard, kSentinel);
  k.pack(p, d.weight.data(), c.bias ? d.bias.data() : nullptr, packed.data());
  for (size_t i = packed.size() - kGuard; i < packed.size(); ++i) EXPECT_EQ(packed[i], kSentinel) << "pack overrun";
  std::vector<float> ws(k.workspace_floats(p) + kGuard, kSentinel);
  const size_t in_img = size_t(p.in_h) * p.in_w * p.in_c, out_img = size_t(p.out_h) * p.out_w * p.out_c;
  std::vector<float> out(out_img * c.batch + kGuard, kSentinel);
  if (in_place && c.residual) std::copy(d.residual.begin(), d.residual.end(), out.begin());
  for (int32_t n = 0; n < c.batch; ++n) {
    const float* res = nullptr;
    if (c.residual) res = in_place ? out.data() + n * out_img : d.residual.data() + n * out_img;
    for (size_t i = 0; i + 1 < cuts.size(); ++i) {
      k.run(p, packed.data(), d.input.data() + n * in_img, res, out.data() + n * out_img, ws.data(), cuts[i],
            cuts[i + 1]);
    }
  }
  for (size_t i = ws.size() - kGuard; i < ws.size(); ++i) EXPECT_EQ(ws[i], kSentinel) << "workspace overrun";
  for (size_t i = out.size() - kGuard; i < out.size(); ++i) EXPECT_EQ(out[i], kSentinel) << "output overrun";
  out.resize(out_img * c.batch);
  return out;
}

// Compares one variant with the reference; returns false (after reporting) on mismatch.
bool check(const ConvF32Kernel& k, const Case& c, const Data& d, const std::vector<int32_t>& cuts,
           bool in_place = false) {
  const ConvNhwcParams& p = c.p;
  const std::vector<float> want_raw = reference_nhwc(c, d.input, d.weight, c.bias ? d.bias.data() : nullptr);
  // Scale of the sum: the same convolution over absolute values.
  std::vector<float> abs_in(d.input), abs_w(d.weight), abs_b(d.bias);
  for (float& v : abs_in) v = std::fabs(v);
  for (float& v : abs_w) v = std::fabs(v);
  for (float& v : abs_b) v = std::fabs(v);
  const std::vector<float> scale = reference_nhwc(c, abs_in, abs_w, c.bias ? abs_b.data() : nullptr);
  const std::vector<float> got = run_kernel(k, c, d, cuts, in_place);
  if (got.size() != want_raw.size()) {
    ADD_FAILURE() << k.name << " output size";
    return false;
  }
  int bad = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const float res = c.residual ? d.residual[i] : 0.f;
    const float want = activate(want_raw[i] + res, p);
    const float tol = (1e-5f * (scale[i] + std::fabs(res)) + 1e-6f) * activation_slack(p);
    if (!(std::fabs(got[i] - want) <= tol)) {
      if (++bad <= 5) {
        const size_t ch = i % p.out_c, px = i / p.out_c;
        ADD_FAILURE() << k.name << " " << describe(c) << ": pixel " << px << " (ow " << px % p.out_w << ") channel "
                      << ch << ": got " << got[i] << " want " << want << " tol " << tol;
      }
    }
  }
  return bad == 0;
}

std::vector<int32_t> whole(const Case& c) { return {0, c.p.out_h}; }

// Random cut of [0, out_h) into 1 to 4 pieces.
std::vector<int32_t> random_cuts(const Case& c, std::mt19937& rng) {
  std::vector<int32_t> cuts = {0};
  const int32_t pieces = std::uniform_int_distribution<int32_t>(1, 4)(rng);
  for (int32_t i = 1; i < pieces; ++i) {
    const int32_t at = std::uniform_int_distribution<int32_t>(cuts.back(), c.p.out_h)(rng);
    cuts.push_back(at);
  }
  cuts.push_back(c.p.out_h);
  return cuts;
}

void random_epilogue(Case& c, std::mt19937& rng) {
  // Every activation a conv epilogue takes (the tiles pick their store loop by it).
  const Activation fused[] = {Activation::None,        Activation::Relu,      Activation::Clip, Activation::Sigmoid,
                              Activation::HardSigmoid, Activation::HardSwish, Activation::SiLU};
  c.p.activation = fused[std::uniform_int_distribution<int>(0, 6)(rng)];
  c.p.clip_min = -0.5f;
  c.p.clip_max = 0.75f;
  c.p.alpha = 0.2f;
  c.p.beta = 0.5f;
  c.residual = std::uniform_int_distribution<int>(0, 2)(rng) == 0;
  c.bias = std::uniform_int_distribution<int>(0, 4)(rng) != 0;
}

template <class T>
T pick(std::mt19937& rng, std::initializer_list<T> options) {
  const size_t i = std::uniform_int_distribution<size_t>(0, options.size() - 1)(rng);
  return options.begin()[i];
}

Case random_direct_case(std::mt19937& rng) {
  for (;;) {
    Case c;
    ConvNhwcParams& p = c.p;
    c.batch = pick(rng, {1, 1, 1, 2, 7});
    p.in_c = pick(rng, {1, 3, 5, 16, 17, 32, 33});
    p.out_c = pick(rng, {1, 3, 5, 8, 16, 17, 32, 33, 48, 64});
    p.kernel_h = pick(rng, {1, 2, 3, 3, 3, 5});
    p.kernel_w = pick(rng, {1, 2, 3, 3, 3, 5});
    p.stride_h = pick(rng, {1, 1, 2, 3});
    p.stride_w = pick(rng, {1, 1, 2, 3});
    p.dilation_h = pick(rng, {1, 1, 1, 2});
    p.dilation_w = pick(rng, {1, 1, 1, 2});
    p.in_h = std::uniform_int_distribution<int32_t>(1, 13)(rng);
    p.in_w = std::uniform_int_distribution<int32_t>(1, 40)(rng);
    p.pad_top = pick(rng, {0, 0, 1, 2});
    p.pad_left = pick(rng, {0, 0, 1, 2});
    c.pad_bottom = pick(rng, {0, 0, 1, 2});
    c.pad_right = pick(rng, {0, 0, 1, 2});
    random_epilogue(c, rng);
    if (finish_shape(c)) return c;
  }
}

Case random_pointwise_case(std::mt19937& rng) {
  Case c;
  ConvNhwcParams& p = c.p;
  c.batch = pick(rng, {1, 1, 2, 7});
  p.in_c = pick(rng, {1, 3, 5, 16, 17, 32, 33, 64});
  p.out_c = pick(rng, {1, 3, 5, 16, 17, 32, 33, 64, 10});
  p.stride_h = pick(rng, {1, 1, 2, 3});
  p.stride_w = pick(rng, {1, 1, 2, 3});
  p.in_h = std::uniform_int_distribution<int32_t>(1, 17)(rng);
  p.in_w = std::uniform_int_distribution<int32_t>(1, 40)(rng);
  random_epilogue(c, rng);
  finish_shape(c);
  return c;
}

Case make_case(int32_t in_hw, int32_t in_c, int32_t out_c, int32_t k, int32_t stride, int32_t pt, int32_t pl,
               int32_t pb, int32_t pr) {
  Case c;
  c.p.in_h = c.p.in_w = in_hw;
  c.p.in_c = in_c;
  c.p.out_c = out_c;
  c.p.kernel_h = c.p.kernel_w = k;
  c.p.stride_h = c.p.stride_w = stride;
  c.p.pad_top = pt;
  c.p.pad_left = pl;
  c.pad_bottom = pb;
  c.pad_right = pr;
  finish_shape(c);
  return c;
}

struct Resnet8Layer {
  const char* name;
  Case c;
};

// The convolutions of ResNet8 (CIFAR-10), with their ONNX pads [top, left, bottom, right].
std::vector<Resnet8Layer> resnet8_layers() {
  return {
      {"conv 32x32x3->16 3x3 s1", make_case(32, 3, 16, 3, 1, 1, 1, 1, 1)},
      {"conv 32x32x16->16 3x3 s1", make_case(32, 16, 16, 3, 1, 1, 1, 1, 1)},
      {"conv 32x32x16->32 3x3 s2 pads 0,0,1,1", make_case(32, 16, 32, 3, 2, 0, 0, 1, 1)},
      {"shortcut 32x32x16->32 1x1 s2", make_case(32, 16, 32, 1, 2, 0, 0, 0, 0)},
      {"conv 16x16x32->32 3x3 s1", make_case(16, 32, 32, 3, 1, 1, 1, 1, 1)},
      {"conv 16x16x32->64 3x3 s2 pads 0,0,1,1", make_case(16, 32, 64, 3, 2, 0, 0, 1, 1)},
      {"shortcut 16x16x32->64 1x1 s2", make_case(16, 32, 64, 1, 2, 0, 0, 0, 0)},
      {"conv 8x8x64->64 3x3 s1", make_case(8, 64, 64, 3, 1, 1, 1, 1, 1)},
  };
}

// ---- supports() ----

TEST(F32ConvDirect, SupportsAnswers) {
  Case c3 = make_case(8, 16, 16, 3, 1, 1, 1, 1, 1);
  Case c1 = make_case(8, 16, 16, 1, 2, 0, 0, 0, 0);
  // Both kinds are in the table, with SSE2, which every x86-64 runs.
  ASSERT_FALSE(runnable(false).empty());
  ASSERT_FALSE(runnable(true).empty());
  for (const Variant& v : all_variants()) {
    // supports() is plain code: it can be asked on any CPU.
    const auto& k = *v.kernel;
    EXPECT_EQ(k.row_tile, 1) << k.name;
    EXPECT_TRUE(k.supports(c1.p)) << k.name;
    EXPECT_EQ(k.supports(c3.p), !v.pointwise) << k.name;
    ConvNhwcParams p = c1.p;
    p.pad_top = 1;
    EXPECT_EQ(k.supports(p), !v.pointwise) << k.name << " 1x1 with top padding";
    p = c1.p;
    p.pad_left = 1;
    EXPECT_EQ(k.supports(p), !v.pointwise) << k.name << " 1x1 with left padding";
    // 1x1 whose bottom/right padding is read (out 5x5 from a 4x4 input at stride 1).
    Case padded = make_case(4, 16, 16, 1, 1, 0, 0, 1, 1);
    ASSERT_EQ(padded.p.out_h, 5);
    EXPECT_EQ(k.supports(padded.p), !v.pointwise) << k.name << " 1x1 reading bottom/right padding";
    p = c3.p;
    p.dilation_h = 2;
    p.stride_w = 3;
    EXPECT_EQ(k.supports(p), !v.pointwise) << k.name;
    p = c3.p;
    p.stride_h = 0;
    EXPECT_FALSE(k.supports(p)) << k.name << " stride 0";
    p = c3.p;
    p.in_c = 0;
    EXPECT_FALSE(k.supports(p)) << k.name << " no input channels";
    if (v.pointwise) {
      EXPECT_EQ(k.workspace_floats(c1.p), 0u) << k.name;
    }
  }
}

// ---- correctness ----

TEST(F32ConvDirect, RandomShapesAgainstReference) {
  for (const Variant& v : runnable(false)) {
    std::mt19937 rng(1234);
    int failures = 0;
    for (int i = 0; i < 300 && failures < 3; ++i) {
      const Case c = random_direct_case(rng);
      ASSERT_TRUE(v.kernel->supports(c.p)) << describe(c);
      const Data d = random_data(c, rng);
      if (!check(*v.kernel, c, d, random_cuts(c, rng))) ++failures;
    }
  }
}

TEST(F32Conv1x1, RandomShapesAgainstReference) {
  for (const Variant& v : runnable(true)) {
    std::mt19937 rng(99);
    int failures = 0;
    for (int i = 0; i < 200 && failures < 3; ++i) {
      const Case c = random_pointwise_case(rng);
      ASSERT_TRUE(v.kernel->supports(c.p)) << describe(c);
      const Data d = random_data(c, rng);
      if (!check(*v.kernel, c, d, random_cuts(c, rng))) ++failures;
    }
  }
}

// 1x1 shapes in several chunks of pixels, each over every block: small weights (chunks of
// 64 pixels) and large ones (over 128 Ki packed floats: chunks within the pass budget, 64 Ki
// input floats, next block prefetched); stride 1 (one run of pixels) and 2 (row by row);
// batch 1 and 7.
TEST(F32Conv1x1, ChunkedShapes) {
  std::vector<Case> cases = {
      make_case(20, 700, 37, 1, 1, 0, 0, 0, 0),
      make_case(7, 2048, 72, 1, 1, 0, 0, 0, 0),
      make_case(15, 333, 33, 1, 2, 0, 0, 0, 0),
  };
  cases[0].residual = true;
  cases[0].p.activation = Activation::Relu;
  cases[2].batch = 7;
  for (bool pointwise : {false, true}) {
    for (const Variant& v : runnable(pointwise)) {
      std::mt19937 rng(21);
      for (const Case& c : cases) {
        const Data d = random_data(c, rng);
        EXPECT_TRUE(check(*v.kernel, c, d, random_cuts(c, rng))) << v.kernel->name << " " << describe(c);
      }
    }
  }
}

// call_rows: one row where the packed weights are small (they stay in L2 from call to call);
// with large ones the rows of one pass of 64 Ki input floats (general path: 14x14x256 3x3
// reads 16 padded rows of 256 channels per pass, capped at out_h; 56x56x256 3x3 s2: 64 Ki /
// (2 x 57 x 256) = 2 rows) or of one chunk of pixels (1x1 GEMM path: 64 Ki floats are 32
// pixels of 2048 channels, cut to whole rows: 4 rows of 7).
TEST(F32ConvDirect, CallRowsCoverAPassOfRows) {
  for (bool pointwise : {false, true}) {
    for (const Variant& v : all_variants()) {
      if (v.pointwise != pointwise) continue;
      const auto& k = *v.kernel;
      ASSERT_NE(k.call_rows, nullptr) << k.name;
      EXPECT_EQ(k.call_rows(make_case(56, 64, 64, 1, 1, 0, 0, 0, 0).p), 1) << k.name;
      EXPECT_EQ(k.call_rows(make_case(7, 2048, 512, 1, 1, 0, 0, 0, 0).p), 4) << k.name;
      EXPECT_EQ(k.call_rows(make_case(56, 2048, 64, 1, 1, 0, 0, 0, 0).p), 1) << k.name;   // 32 pixels: < a row
      EXPECT_EQ(k.call_rows(make_case(14, 1024, 2048, 1, 2, 0, 0, 0, 0).p), 2) << k.name;   // 64 Ki / (2 x 14 x 1024)
      if (pointwise) continue;
      EXPECT_EQ(k.call_rows(make_case(56, 64, 64, 3, 1, 1, 1, 1, 1).p), 1) << k.name;
      EXPECT_EQ(k.call_rows(make_case(14, 256, 256, 3, 1, 1, 1, 1, 1).p), 14) << k.name;
      EXPECT_EQ(k.call_rows(make_case(56, 256, 256, 3, 2, 1, 1, 1, 1).p), 2) << k.name;
    }
  }
}

TEST(F32ConvDirect, EdgeCases) {
  std::vector<Case> cases = {
      make_case(9, 1, 1, 3, 1, 1, 1, 1, 1),      // single channels
      make_case(9, 3, 5, 3, 2, 0, 0, 1, 1),      // stride 2, pads only bottom/right
      make_case(10, 17, 33, 3, 1, 0, 1, 2, 0),   // asymmetric padding
      make_case(7, 33, 17, 5, 2, 2, 2, 2, 2),
      make_case(3, 5, 16, 5, 1, 2, 2, 2, 2),     // kernel wider than the input
      make_case(1, 16, 16, 3, 1, 1, 1, 1, 1),    // 1x1 image: only the centre tap
      make_case(40, 4, 16, 3, 1, 1, 1, 1, 1),    // long rows: several pixel tiles
  };
  Case dil = make_case(12, 5, 17, 3, 1, 2, 2, 2, 2);
  dil.p.dilation_h = 2;
  dil.p.dilation_w = 2;
  finish_shape(dil);
  cases.push_back(dil);
  Case batch7 = make_case(6, 16, 32, 3, 1, 1, 1, 1, 1);
  batch7.batch = 7;
  batch7.residual = true;
  cases.push_back(batch7);
  // Large weights (over 128 Ki packed floats: blocks over passes of rows, next block
  // prefetched) with inputs past the pass budget (64 Ki floats): several passes of rows, each
  // over every block of output channels; and 7x7 maps with many channels (ResNet50's last
  // stage, with a partial last block).
  Case passes = make_case(40, 160, 100, 3, 2, 1, 0, 1, 2);
  passes.residual = true;
  passes.p.activation = Activation::Relu;
  cases.push_back(passes);
  cases.push_back(make_case(7, 300, 72, 3, 1, 1, 1, 1, 1));
  for (const Variant& v : runnable(false)) {
    std::mt19937 rng(7);
    for (const Case& c : cases) {
      const Data d = random_data(c, rng);
      EXPECT_TRUE(check(*v.kernel, c, d, whole(c))) << v.kernel->name << " " << describe(c);
    }
  }
}

// Row pieces stitch into exactly the one-call result (every row split gives the same bits).
TEST(F32ConvDirect, RowPiecesStitchExactly) {
  for (bool pointwise : {false, true}) {
    for (const Variant& v : runnable(pointwise)) {
      std::mt19937 rng(5);
      Case c = pointwise ? make_case(11, 17, 33, 1, 1, 0, 0, 0, 0) : make_case(11, 17, 33, 3, 2, 0, 1, 2, 1);
      c.residual = true;
      c.p.activation = Activation::Relu;
      const Data d = random_data(c, rng);
      const std::vector<float> one = run_kernel(*v.kernel, c, d, whole(c));
      std::vector<int32_t> rows = {0};
      for (int32_t r = 1; r <= c.p.out_h; ++r) rows.push_back(r);
      EXPECT_EQ(run_kernel(*v.kernel, c, d, rows), one) << v.kernel->name << " one row per call";
      EXPECT_EQ(run_kernel(*v.kernel, c, d, {0, 2, 2, 5, c.p.out_h}), one) << v.kernel->name << " uneven pieces";
      EXPECT_TRUE(check(*v.kernel, c, d, rows)) << v.kernel->name;
    }
  }
}

TEST(F32ConvDirect, ResidualAndActivations) {
  for (bool pointwise : {false, true}) {
    for (const Variant& v : runnable(pointwise)) {
      std::mt19937 rng(11);
      for (int32_t out_c : {5, 16, 33}) {
        Case c = pointwise ? make_case(9, 16, out_c, 1, 1, 0, 0, 0, 0) : make_case(9, 16, out_c, 3, 1, 1, 1, 1, 1);
        for (Activation a : {Activation::None, Activation::Relu, Activation::Clip, Activation::Sigmoid,
                             Activation::HardSigmoid, Activation::HardSwish, Activation::SiLU}) {
          for (bool res : {false, true}) {
            c.p.activation = a;
            c.p.clip_min = -0.25f;
            c.p.clip_max = 0.5f;
            c.p.alpha = 0.25f;
            c.p.beta = 0.375f;
            c.residual = res;
            const Data d = random_data(c, rng);
            EXPECT_TRUE(check(*v.kernel, c, d, whole(c))) << v.kernel->name << " " << describe(c);
          }
        }
        // Residual read from the output buffer itself.
        c.residual = true;
        c.p.activation = Activation::Relu;
        const Data d = random_data(c, rng);
        EXPECT_TRUE(check(*v.kernel, c, d, whole(c), /*in_place=*/true)) << v.kernel->name << " in-place residual";
      }
      // A ReLU that actually clips: every output is >= 0 and some were negative before.
      Case c = make_case(5, 3, 16, 1, 1, 0, 0, 0, 0);
      c.p.activation = Activation::Relu;
      const Data d = random_data(c, rng);
      const std::vector<float> got = run_kernel(*v.kernel, c, d, whole(c));
      int zeros = 0;
      for (float x : got) {
        EXPECT_GE(x, 0.f);
        zeros += x == 0.f;
      }
      EXPECT_GT(zeros, 0) << v.kernel->name;
    }
  }
}

TEST(F32ConvDirect, Resnet8Layers) {
  for (bool pointwise : {false, true}) {
    for (const Variant& v : runnable(pointwise)) {
      std::mt19937 rng(8);
      for (const Resnet8Layer& layer : resnet8_layers()) {
        Case c = layer.c;
        if (!v.kernel->supports(c.p)) {
          EXPECT_TRUE(pointwise) << v.kernel->name << " " << layer.name;
          continue;
        }
        for (bool res : {false, true}) {
          c.residual = res;
          c.p.activation = res ? Activation::Relu : Activation::None;
          c.batch = res ? 2 : 1;
          const Data d = random_data(c, rng);
          EXPECT_TRUE(check(*v.kernel, c, d, res ? random_cuts(c, rng) : whole(c)))
              << v.kernel->name << " " << layer.name;
        }
      }
    }
  }
}

// ---- speed (reported, not asserted: the machine is shared; the timed case is checked) ----

// CPU time of this thread: other processes on the shared cores do not count against us.
double thread_seconds() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
}

TEST(F32ConvDirect, Resnet8Throughput) {
  std::printf("GMAC/s per thread CPU second, one image per call (AVX-512 FMA peak ~58-63 here):\n");
  for (const Resnet8Layer& layer : resnet8_layers()) {
    std::string line;
    for (bool pointwise : {false, true}) {
      for (const Variant& v : runnable(pointwise)) {
        if (!v.kernel->supports(layer.c.p)) continue;
        Case c = layer.c;
        c.p.activation = Activation::Relu;
        std::mt19937 rng(3);
        const Data d = random_data(c, rng);
        const auto& k = *v.kernel;
        std::vector<float> packed(k.packed_floats(c.p)), ws(k.workspace_floats(c.p) + 1);
        std::vector<float> out(size_t(c.p.out_h) * c.p.out_w * c.p.out_c);
        k.pack(c.p, d.weight.data(), d.bias.data(), packed.data());
        const double macs = double(out.size()) * c.p.in_c * c.p.kernel_h * c.p.kernel_w;
        auto once = [&] { k.run(c.p, packed.data(), d.input.data(), nullptr, out.data(), ws.data(), 0, c.p.out_h); };
        once();
        double best = 1e30;
        for (int rep = 0; rep < 5; ++rep) {
          int iters = 0;
          const double t0 = thread_seconds();
          double secs = 0;
          do {
            for (int i = 0; i < 10; ++i) once();
            iters += 10;
            secs = thread_seconds() - t0;
          } while (secs < 0.01);
          best = std::min(best, secs / iters);
        }
        char buf[96];
        std::snprintf(buf, sizeof buf, "  %s %.1f", k.name + 14, macs / best * 1e-9);
        line += buf;
        EXPECT_TRUE(check(k, c, d, whole(c))) << k.name << " " << layer.name;
      }
    }
    std::printf("  %-40s%s\n", layer.name, line.c_str());
  }
}

// ---- the narrow 1x1 kernels (kernels/f32/conv_1x1_pairs_avx512.cpp: 8, 16 or 24 output channels) ----

std::vector<const ConvF32Kernel*> runnable_pairs() {
  std::vector<const ConvF32Kernel*> out;
  for (const kernels::KernelVariant* v : kernels::variants_of(kernels::KernelFamily::ConvF32)) {
    if (std::string_view(v->name).find("_1x1pairs_") == std::string_view::npos) continue;
    if (kernels::cpu_runs(v->isa)) {
      out.push_back(v->conv);
    } else {
      std::printf("[  SKIPPED ] %s: CPU lacks the ISA\n", v->name);
    }
  }
  return out;
}

TEST(F32Conv1x1Pairs, SupportsAnswers) {
  for (const kernels::KernelVariant* v : kernels::variants_of(kernels::KernelFamily::ConvF32)) {
    if (std::string_view(v->name).find("_1x1pairs_") == std::string_view::npos) continue;
    const ConvF32Kernel& k = *v->conv;
    EXPECT_TRUE(k.supports(make_case(8, 16, 8, 1, 1, 0, 0, 0, 0).p)) << k.name;
    EXPECT_TRUE(k.supports(make_case(8, 33, 24, 1, 1, 0, 0, 0, 0).p)) << k.name;
    EXPECT_TRUE(k.supports(make_case(8, 16, 16, 1, 1, 0, 0, 0, 0).p)) << k.name;
    EXPECT_FALSE(k.supports(make_case(8, 16, 32, 1, 1, 0, 0, 0, 0).p)) << k.name << " 32 output channels";
    EXPECT_FALSE(k.supports(make_case(8, 8, 8, 1, 1, 0, 0, 0, 0).p)) << k.name << " 8 -> 8";
    EXPECT_FALSE(k.supports(make_case(8, 8, 24, 1, 1, 0, 0, 0, 0).p)) << k.name << " 8 -> 24";
    EXPECT_FALSE(k.supports(make_case(8, 16, 8, 1, 2, 0, 0, 0, 0).p)) << k.name << " stride 2";
    EXPECT_FALSE(k.supports(make_case(8, 16, 8, 3, 1, 1, 1, 1, 1).p)) << k.name << " 3x3";
    EXPECT_FALSE(k.supports(make_case(4, 16, 8, 1, 1, 0, 0, 1, 1).p)) << k.name << " reads bottom/right padding";
    EXPECT_FALSE(k.supports(make_case(8, 16, 8, 1, 1, 1, 0, 0, 0).p)) << k.name << " top padding";
  }
}

// Random shapes: odd and even input channels, images smaller than a tile (staged through the
// workspace) and larger (the last tile moved back), row pieces, batch 1 and 7, every
// activation, residual (also in place).
TEST(F32Conv1x1Pairs, RandomShapesAgainstReference) {
  for (const ConvF32Kernel* k : runnable_pairs()) {
    std::mt19937 rng(77);
    int failures = 0;
    for (int i = 0; i < 300 && failures < 3; ++i) {
      Case c;
      ConvNhwcParams& p = c.p;
      c.batch = pick(rng, {1, 1, 2, 7});
      p.out_c = pick(rng, {8, 16, 24});
      p.in_c = p.out_c != 24 ? pick(rng, {16, 17, 31, 32, 48, 65}) : pick(rng, {32, 33, 47, 72, 96});
      p.in_h = std::uniform_int_distribution<int32_t>(1, 9)(rng);
      p.in_w = std::uniform_int_distribution<int32_t>(1, 30)(rng);
      random_epilogue(c, rng);
      finish_shape(c);
      ASSERT_TRUE(k->supports(p)) << describe(c);
      const Data d = random_data(c, rng);
      if (!check(*k, c, d, random_cuts(c, rng))) ++failures;
      if (c.residual && !check(*k, c, d, whole(c), /*in_place=*/true)) ++failures;
    }
  }
}

// An infinite input in the last channel of an odd in_c (the step the kernel takes alone):
// the outputs it reaches are infinite with the reference's sign, not NaN (a broadcast of the
// channel into both lanes of its pair made the zero weight's lane 0 * inf).
TEST(F32Conv1x1Pairs, InfiniteInputInTheOddLastChannel) {
  for (const ConvF32Kernel* k : runnable_pairs()) {
    for (int32_t out_c : {8, 16, 24}) {
      std::mt19937 rng(5);
      Case c = make_case(5, 33, out_c, 1, 1, 0, 0, 0, 0);
      Data d = random_data(c, rng);
      d.input[static_cast<size_t>(7) * 33 + 32] = INFINITY;   // pixel 7, channel 32
      const std::vector<float> want = reference_nhwc(c, d.input, d.weight, d.bias.data());
      const std::vector<float> got = run_kernel(*k, c, d, whole(c), false);
      for (int32_t o = 0; o < out_c; ++o) {
        const size_t i = static_cast<size_t>(7) * out_c + o;
        ASSERT_TRUE(std::isinf(want[i]));
        EXPECT_EQ(got[i], want[i]) << k->name << " out_c " << out_c << " channel " << o;
      }
      EXPECT_TRUE(std::isfinite(got[6 * out_c])) << k->name;   // the pixel before: unaffected
    }
  }
}

}  // namespace
}  // namespace octet
