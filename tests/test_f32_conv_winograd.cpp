// Winograd F(4x4, 3x3) FP32 NHWC convolution (SSE2, AVX2, AVX-512) against the scalar NCHW
// reference conv_f32_ref, on random shapes: odd channel counts, output sizes that are not
// multiples of the 4x4 tile, asymmetric padding, residual + activations, batches, and row
// ranges computed in pieces.
//
// Tolerance: Winograd reorders the sum through the transforms, whose coefficients (up to 8 in
// A^T, 5 in B^T, 1/6 and 1/24 in G) amplify float rounding, and mixes all 36 inputs of a 6x6
// tile into each of its 16 outputs. The error therefore scales with the magnitude of the
// terms over the whole tile, not with one output's own terms (an output in the padding corner
// that sees a single tap still carries rounding from its tile neighbours). We require
//   |y - ref| <= kTol * max over the output channel of (|bias| + |residual| + sum |w| |x|)
// with kTol = 2e-5: measured worst ~3e-6 on these tests (~2e-6 of the output range on
// ResNet8's layers), so ~7x headroom for shapes where cancellation differs.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "kernels/dispatch/cpu_features.h"
#include "kernels/reference/conv.h"
#include "kernels/registry.h"

namespace octet::kernels {
namespace {

constexpr float kTol = 2e-5f;

struct Variant {
  const ConvF32Kernel* kernel;
  const char* isa;
};

// The Winograd variants of the kernel table, one per ISA; the test parameter indexes them.
const std::vector<const KernelVariant*>& winograd_variants() {
  static const std::vector<const KernelVariant*> out = [] {
    std::vector<const KernelVariant*> r;
    for (const KernelVariant* v : variants_of(KernelFamily::ConvF32))
      if (std::string_view(v->name).find("_winograd_") != std::string_view::npos) r.push_back(v);
    return r;
  }();
  return out;
}

struct Shape {
  int h, w, ci, co;
  int pad_top, pad_left, pad_bottom, pad_right;
};

ConvNhwcParams make_params(const Shape& s, Activation act = Activation::None) {
  ConvNhwcParams p;
  p.in_h = s.h;
  p.in_w = s.w;
  p.in_c = s.ci;
  p.out_c = s.co;
  p.kernel_h = p.kernel_w = 3;
  p.pad_top = s.pad_top;
  p.pad_left = s.pad_left;
  p.out_h = s.h + s.pad_top + s.pad_bottom - 2;
  p.out_w = s.w + s.pad_left + s.pad_right - 2;
  p.activation = act;
  p.clip_min = -0.25f;
  p.clip_max = 0.5f;
  return p;
}

std::vector<float> random_vector(size_t n, float lo, float hi, std::mt19937& rng) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

// NHWC -> NCHW for one image, and back.
std::vector<float> to_nchw(const std::vector<float>& x, int h, int w, int c) {
  std::vector<float> y(x.size());
  for (int i = 0; i < h * w; ++i)
    for (int k = 0; k < c; ++k) y[static_cast<size_t>(k) * h * w + i] = x[static_cast<size_t>(i) * c + k];
  return y;
}
std::vector<float> to_nhwc(const std::vector<float>& x, int h, int w, int c) {
  std::vector<float> y(x.size());
  for (int i = 0; i < h * w; ++i)
    for (int k = 0; k < c; ++k) y[static_cast<size_t>(i) * c + k] = x[static_cast<size_t>(k) * h * w + i];
  return y;
}

std::vector<float> abs_of(std::vector<float> v) {
  for (float& x : v) x = std::fabs(x);
  return v;
}

float activate(const ConvNhwcParams& p, float v) {
  if (p.activation == Activation::Relu) return v > 0.f ? v : 0.f;
  if (p.activation == Activation::Clip) return std::fmin(std::fmax(v, p.clip_min), p.clip_max);
  return v;
}

// Expected output (NHWC) and its per-output error scale |bias| + |residual| + sum |w||x|.
struct Expected {
  std::vector<float> y, scale;
  size_t channels;
};

Expected reference(const ConvNhwcParams& p, const std::vector<float>& x_nhwc, const std::vector<float>& w,
                   const std::vector<float>* bias, const std::vector<float>* residual) {
  ConvParams rp;
  rp.in_channels = p.in_c;
  rp.out_channels = p.out_c;
  rp.in = {1, p.in_h, p.in_w};
  rp.out = {1, p.out_h, p.out_w};
  rp.kernel = {1, 3, 3};
  rp.pad_begin = {0, p.pad_top, p.pad_left};
  const std::vector<float> x = to_nchw(x_nhwc, p.in_h, p.in_w, p.in_c);
  const size_t out_n = static_cast<size_t>(p.out_h) * p.out_w * p.out_c;
  std::vector<float> y(out_n), s(out_n);
  conv_f32_ref(rp, x.data(), w.data(), bias ? bias->data() : nullptr, y.data());
  const std::vector<float> abs_b = bias ? abs_of(*bias) : std::vector<float>();
  conv_f32_ref(rp, abs_of(x).data(), abs_of(w).data(), bias ? abs_b.data() : nullptr, s.data());
  Expected e{to_nhwc(y, p.out_h, p.out_w, p.out_c), to_nhwc(s, p.out_h, p.out_w, p.out_c),
             static_cast<size_t>(p.out_c)};
  for (size_t i = 0; i < out_n; ++i) {
    if (residual) {
      e.y[i] += (*residual)[i];
      e.scale[i] += std::fabs((*residual)[i]);
    }
    e.y[i] = activate(p, e.y[i]);
  }
  return e;
}

// Packs once and runs the whole image in one call (or in the given row pieces).
class Runner {
 public:
  Runner(const ConvF32Kernel& k, const ConvNhwcParams& p, const std::vector<float>& w, const std::vector<float>* bias)
      : k_(k), p_(p), packed_(k.packed_floats(p)), workspace_(k.workspace_floats(p) + kGuard, kCanary) {
    k.pack(p, w.data(), bias ? bias->data() : nullptr, packed_.data());
  }
  // Output rows computed in calls [cuts[i], cuts[i+1]); a canary after the output checks
  // that no call writes past it, and one after the workspace that it is large enough.
  std::vector<float> run(const std::vector<float>& x, const std::vector<float>* residual, std::vector<int> cuts = {}) {
    if (cuts.empty()) cuts = {0, p_.out_h};
    const size_t out_n = static_cast<size_t>(p_.out_h) * p_.out_w * p_.out_c;
    std::vector<float> y(out_n + kGuard, kCanary);
    for (size_t i = 0; i + 1 < cuts.size(); ++i)
      k_.run(p_, packed_.data(), x.data(), residual ? residual->data() : nullptr, y.data(), workspace_.data(),
             cuts[i], cuts[i + 1]);
    for (size_t i = out_n; i < y.size(); ++i) EXPECT_EQ(y[i], kCanary) << "output overrun at " << i;
    for (size_t i = workspace_.size() - kGuard; i < workspace_.size(); ++i)
      EXPECT_EQ(workspace_[i], kCanary) << "workspace overrun";
    y.resize(out_n);
    return y;
  }

 private:
  static constexpr size_t kGuard = 64;
  static constexpr float kCanary = -12345.f;
  const ConvF32Kernel& k_;
  ConvNhwcParams p_;
  std::vector<float> packed_, workspace_;
};

// Max of |y - ref| / (channel's max scale) over the outputs; fails on any output beyond
// kTol times that (NaN included).
double check(const std::vector<float>& y, const Expected& e, const std::string& what) {
  EXPECT_EQ(y.size(), e.y.size());
  if (y.size() != e.y.size() || y.empty()) return 0.0;
  const size_t co = e.channels;
  std::vector<double> channel_scale(co, 1e-30);
  for (size_t i = 0; i < y.size(); ++i) channel_scale[i % co] = std::fmax(channel_scale[i % co], e.scale[i]);
  double worst = 0.0;
  int reported = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    const double err = std::fabs(static_cast<double>(y[i]) - e.y[i]);
    const double scale = channel_scale[i % co];
    if (!(err <= kTol * scale) && reported++ < 5)
      ADD_FAILURE() << what << ": output " << i << " got " << y[i] << " want " << e.y[i] << " (channel scale "
                    << scale << ")";
    worst = std::fmax(worst, err / scale);
  }
  return worst;
}

std::string describe(const Shape& s) {
  char buf[128];
  std::snprintf(buf, sizeof buf, "%dx%dx%d->%d pads t%d l%d b%d r%d", s.h, s.w, s.ci, s.co, s.pad_top, s.pad_left,
                s.pad_bottom, s.pad_right);
  return buf;
}

class WinogradConv : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    const KernelVariant& v = *winograd_variants()[static_cast<size_t>(GetParam())];
    v_ = {v.conv, isa_name(v.isa)};
    if (!v.supported()) GTEST_SKIP() << "CPU lacks " << v_.isa << " (" << cpu_features().describe() << ")";
  }
  Variant v_{};
};

TEST_P(WinogradConv, SupportsOnly3x3Stride1Dilation1) {
  const ConvF32Kernel& k = *v_.kernel;
  ConvNhwcParams p = make_params({8, 8, 4, 4, 1, 1, 1, 1});
  EXPECT_TRUE(k.supports(p));
  EXPECT_EQ(k.row_tile, 4);
  ConvNhwcParams q = p;
  q.stride_h = q.stride_w = 2;
  q.out_h = q.out_w = 4;
  EXPECT_FALSE(k.supports(q));
  q = p;
  q.stride_w = 2;
  EXPECT_FALSE(k.supports(q));
  q = p;
  q.dilation_h = q.dilation_w = 2;
  EXPECT_FALSE(k.supports(q));
  q = p;
  q.kernel_h = q.kernel_w = 5;
  EXPECT_FALSE(k.supports(q));
  q = p;
  q.kernel_h = q.kernel_w = 1;
  EXPECT_FALSE(k.supports(q));
  q = p;
  q.kernel_w = 1;
  EXPECT_FALSE(k.supports(q));
}

// call_rows: one strip where U stays in L2 and a strip already has >= 4 tiles; the whole
// image on ResNet50's 28x28x128, 14x14x256 and 7x7x512 layers (U 2.4, 9.4 and 38 MB, read
// once per call); never more than out_h.
TEST_P(WinogradConv, CallRowsCoverAGroupOfStrips) {
  const ConvF32Kernel& k = *v_.kernel;
  ASSERT_NE(k.call_rows, nullptr);
  EXPECT_EQ(k.call_rows(make_params({56, 56, 64, 64, 1, 1, 1, 1})), 4);
  EXPECT_EQ(k.call_rows(make_params({8, 8, 64, 64, 1, 1, 1, 1})), 8);   // 2 tiles a strip: 2 strips
  EXPECT_EQ(k.call_rows(make_params({28, 28, 128, 128, 1, 1, 1, 1})), 28);
  EXPECT_EQ(k.call_rows(make_params({14, 14, 256, 256, 1, 1, 1, 1})), 14);
  EXPECT_EQ(k.call_rows(make_params({7, 7, 512, 512, 1, 1, 1, 1})), 7);
  // U of 9.4 MB, 14 tiles a strip: the 2 strips whose V and M fit 2 MB.
  EXPECT_EQ(k.call_rows(make_params({56, 56, 256, 256, 1, 1, 1, 1})), 8);
}

TEST_P(WinogradConv, RandomShapesMatchReference) {
  const ConvF32Kernel& k = *v_.kernel;
  std::mt19937 rng(1234 + GetParam());
  const int channels[] = {1, 3, 5, 17, 33};
  const int sizes[][2] = {{1, 1}, {2, 3}, {7, 9}, {8, 8}, {5, 12}, {13, 6}};
  const int pads[][4] = {{1, 1, 1, 1}, {0, 0, 0, 0}, {0, 0, 1, 1}, {1, 0, 0, 2}, {2, 2, 2, 2}};
  double worst = 0.0;
  int cases = 0;
  for (int ci : channels) {
    for (int co : channels) {
      for (const auto& hw : sizes) {
        for (const auto& pd : pads) {
          // Sample the cross product (every channel pair, a third of the geometries).
          if ((ci * 7 + co * 3 + hw[0] + hw[1] * 5 + pd[0] + pd[3] * 2) % 3 != 0) continue;
          const Shape s{hw[0], hw[1], ci, co, pd[0], pd[1], pd[2], pd[3]};
          const ConvNhwcParams p = make_params(s);
          if (p.out_h <= 0 || p.out_w <= 0) continue;
          ASSERT_TRUE(k.supports(p));
          const auto x = random_vector(static_cast<size_t>(s.h) * s.w * ci, -1.f, 1.f, rng);
          const auto w = random_vector(static_cast<size_t>(co) * ci * 9, -1.f, 1.f, rng);
          const auto b = random_vector(co, -1.f, 1.f, rng);
          const bool with_bias = cases % 2 == 0;
          Runner r(k, p, w, with_bias ? &b : nullptr);
          const Expected e = reference(p, x, w, with_bias ? &b : nullptr, nullptr);
          worst = std::fmax(worst, check(r.run(x, nullptr), e, describe(s)));
          ++cases;
        }
      }
    }
  }
  EXPECT_GT(cases, 100);
  std::printf("[%s] %d shapes, max |err| / scale = %.3g\n", v_.isa, cases, worst);
}

TEST_P(WinogradConv, ResidualAndActivations) {
  const ConvF32Kernel& k = *v_.kernel;
  std::mt19937 rng(99);
  const Shape shapes[] = {{9, 7, 5, 17, 1, 1, 1, 1}, {16, 16, 32, 32, 1, 1, 1, 1}, {6, 10, 16, 3, 0, 1, 1, 0}};
  for (const Shape& s : shapes) {
    for (Activation act : {Activation::None, Activation::Relu, Activation::Clip}) {
      const ConvNhwcParams p = make_params(s, act);
      const auto x = random_vector(static_cast<size_t>(s.h) * s.w * s.ci, -1.f, 1.f, rng);
      const auto w = random_vector(static_cast<size_t>(s.co) * s.ci * 9, -0.3f, 0.3f, rng);
      const auto b = random_vector(s.co, -0.5f, 0.5f, rng);
      const auto res = random_vector(static_cast<size_t>(p.out_h) * p.out_w * s.co, -1.f, 1.f, rng);
      Runner r(k, p, w, &b);
      const std::vector<float> y = r.run(x, &res);
      check(y, reference(p, x, w, &b, &res), describe(s));
      // The activation really clamps something on these values.
      if (act == Activation::Relu) {
        size_t zeros = 0;
        for (float v : y) zeros += v == 0.f;
        EXPECT_GT(zeros, y.size() / 10);
      }
      if (act == Activation::Clip) {
        size_t at_max = 0;
        for (float v : y) {
          EXPECT_GE(v, p.clip_min);
          EXPECT_LE(v, p.clip_max);
          at_max += v == p.clip_max;
        }
        EXPECT_GT(at_max, 0u);
      }
    }
  }
}

TEST_P(WinogradConv, BatchOfSevenImagesSharesPackedWeights) {
  const ConvF32Kernel& k = *v_.kernel;
  std::mt19937 rng(7);
  const Shape s{11, 10, 17, 33, 1, 1, 1, 1};
  const ConvNhwcParams p = make_params(s, Activation::Relu);
  const auto w = random_vector(static_cast<size_t>(s.co) * s.ci * 9, -0.5f, 0.5f, rng);
  const auto b = random_vector(s.co, -0.5f, 0.5f, rng);
  Runner r(k, p, w, &b);
  for (int n = 0; n < 7; ++n) {
    const auto x = random_vector(static_cast<size_t>(s.h) * s.w * s.ci, -1.f, 1.f, rng);
    check(r.run(x, nullptr), reference(p, x, w, &b, nullptr), "image " + std::to_string(n));
  }
}

// The last two shapes have transformed weights past L2 (36 * 129 * co_pad floats, over 2 MB on
// every ISA), so the kernel groups many strips per call: the first of them is one group of 5
// strips, the second (28 strips of 2 tiles) two groups; 131 output channels leave a narrow
// last column block of U on every ISA.
TEST_P(WinogradConv, RowRangesStitchTogether) {
  const ConvF32Kernel& k = *v_.kernel;
  std::mt19937 rng(5);
  const Shape shapes[] = {{14, 9, 5, 17, 1, 1, 1, 1},
                          {13, 13, 3, 16, 0, 0, 1, 1},
                          {32, 32, 16, 16, 1, 1, 1, 1},
                          {19, 13, 129, 131, 1, 0, 2, 1},
                          {110, 8, 129, 131, 1, 1, 1, 1}};
  for (const Shape& s : shapes) {
    const ConvNhwcParams p = make_params(s, Activation::Relu);
    const auto x = random_vector(static_cast<size_t>(s.h) * s.w * s.ci, -1.f, 1.f, rng);
    const auto w = random_vector(static_cast<size_t>(s.co) * s.ci * 9, -0.5f, 0.5f, rng);
    const auto b = random_vector(s.co, -0.5f, 0.5f, rng);
    const auto res = random_vector(static_cast<size_t>(p.out_h) * p.out_w * s.co, -1.f, 1.f, rng);
    Runner r(k, p, w, &b);
    const std::vector<float> whole = r.run(x, &res);
    check(whole, reference(p, x, w, &b, &res), describe(s));
    // Every row tile on its own, then uneven pieces (row_tile multiples, last one to out_h).
    std::vector<int> each;
    for (int oh = 0; oh < p.out_h; oh += k.row_tile) each.push_back(oh);
    each.push_back(p.out_h);
    EXPECT_EQ(r.run(x, &res, each), whole) << describe(s);
    std::vector<int> uneven = {0, k.row_tile, 3 * k.row_tile < p.out_h ? 3 * k.row_tile : p.out_h, p.out_h};
    EXPECT_EQ(r.run(x, &res, uneven), whole) << describe(s);
  }
}

// ResNet8's 3x3 stride-1 layers with realistic magnitudes: the first layer sees raw pixels
// 0..255, later ones post-ReLU activations ~0..5; weights He-scaled. Reports the max error
// relative to the output range, the figure that matters for the model's probabilities.
TEST_P(WinogradConv, ResNet8LayersAccuracy) {
  const ConvF32Kernel& k = *v_.kernel;
  std::mt19937 rng(2024);
  struct Layer {
    Shape s;
    float in_max;
  };
  const Layer layers[] = {{{32, 32, 3, 16, 1, 1, 1, 1}, 255.f},
                          {{32, 32, 16, 16, 1, 1, 1, 1}, 5.f},
                          {{16, 16, 32, 32, 1, 1, 1, 1}, 5.f},
                          {{8, 8, 64, 64, 1, 1, 1, 1}, 5.f}};
  for (const Layer& l : layers) {
    const Shape& s = l.s;
    const ConvNhwcParams p = make_params(s);
    const float wr = std::sqrt(6.f / (9.f * s.ci));
    const auto x = random_vector(static_cast<size_t>(s.h) * s.w * s.ci, 0.f, l.in_max, rng);
    const auto w = random_vector(static_cast<size_t>(s.co) * s.ci * 9, -wr, wr, rng);
    const auto b = random_vector(s.co, -0.1f, 0.1f, rng);
    Runner r(k, p, w, &b);
    const std::vector<float> y = r.run(x, nullptr);
    const Expected e = reference(p, x, w, &b, nullptr);
    const double worst_scaled = check(y, e, describe(s));
    double max_abs = 0.0, max_ref = 0.0, max_rel_big = 0.0;
    for (size_t i = 0; i < y.size(); ++i) max_ref = std::fmax(max_ref, std::fabs(e.y[i]));
    for (size_t i = 0; i < y.size(); ++i) {
      const double err = std::fabs(static_cast<double>(y[i]) - e.y[i]);
      max_abs = std::fmax(max_abs, err);
      // Relative error on outputs that are not near-cancellations (|ref| >= 1% of range).
      if (std::fabs(e.y[i]) >= 0.01 * max_ref) max_rel_big = std::fmax(max_rel_big, err / std::fabs(e.y[i]));
    }
    std::printf("[%s] %-36s max|ref| %8.3f  max|err| %.3g  (%.3g of range)  max rel %.3g  max err/scale %.3g\n",
                v_.isa, describe(s).c_str(), max_ref, max_abs, max_abs / max_ref, max_rel_big, worst_scaled);
    EXPECT_LE(max_abs / max_ref, 1e-5) << describe(s);
  }
}

INSTANTIATE_TEST_SUITE_P(Isa, WinogradConv, ::testing::Range(0, static_cast<int>(winograd_variants().size())),
                         [](const ::testing::TestParamInfo<int>& i) {
                           return std::string(isa_name(winograd_variants()[static_cast<size_t>(i.param)]->isa));
                         });

}  // namespace
}  // namespace octet::kernels
