// FP32 NHWC depthwise convolutions (kernels/f32/dwconv_*) against the scalar NCHW reference
// conv_f32_ref with groups == channels, for every variant this CPU runs (the others are
// reported as skipped): random shapes over the edge cases (odd channel counts 1, 3, 17, 33,
// the 3x3 and 5x5 fast paths and other sizes, stride 2, dilation 2, asymmetric padding,
// batch 1 and 7), bias, residual and each activation, rows computed in two pieces as two
// threads do, and the supports() answers.
//
// Tolerance: |got - want| <= 1e-5 * (sum of |w| |x| over the taps + |bias| + |residual|)
// + 1e-6: both sides accumulate in float, only the order differs.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "kernels/reference/conv.h"
#include "tests/conv_f32_test_util.h"
#include "tests/conv_reference_util.h"
#include "tests/kernel_variants_util.h"

namespace octet {
namespace {

using kernels::Activation;
using kernels::ConvNhwcParams;
using kernel_test::VariantParam;

// The case, its description, output shape and activation: tests/conv_f32_test_util.h.
using conv_f32_test::activate;
using conv_f32_test::Case;
using conv_f32_test::describe;
using conv_f32_test::finish_shape;

// Runs `kernel` on every image of c (rows in two pieces, as two threads would) and checks
// each output against the reference; returns the number of mismatches.
int check_case(const kernels::DwConvF32Kernel& kernel, const Case& c, std::mt19937& rng) {
  const ConvNhwcParams& p = c.p;
  const int32_t C = p.in_c;
  const size_t in_hw = size_t(p.in_h) * p.in_w, out_hw = size_t(p.out_h) * p.out_w;
  const size_t taps = size_t(p.kernel_h) * p.kernel_w;
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  std::vector<float> in(c.batch * in_hw * C), weight(C * taps), bias(c.bias ? C : 0);
  std::vector<float> residual(c.residual ? c.batch * out_hw * C : 0);
  for (auto* v : {&in, &weight, &bias, &residual})
    for (float& x : *v) x = u(rng);

  // Reference: NCHW, groups == channels.
  const kernels::ConvParams rp = kernel_test::reference_conv_params(p, c.batch, /*groups=*/C);
  const std::vector<float> in_nchw = kernel_test::nhwc_to_nchw(in, c.batch, p.in_h, p.in_w, C);
  std::vector<float> want_nchw(c.batch * out_hw * C);
  kernels::conv_f32_ref(rp, in_nchw.data(), weight.data(), c.bias ? bias.data() : nullptr, want_nchw.data());

  std::vector<float> packed(kernel.packed_floats(p));
  kernel.pack(p, weight.data(), c.bias ? bias.data() : nullptr, packed.data());
  std::vector<float> got(c.batch * out_hw * C, std::nanf(""));
  const int32_t split = p.out_h / 2;
  for (int32_t n = 0; n < c.batch; ++n) {
    const float* x = in.data() + n * in_hw * C;
    const float* r = c.residual ? residual.data() + n * out_hw * C : nullptr;
    float* y = got.data() + n * out_hw * C;
    kernel.run(p, packed.data(), x, r, y, split, p.out_h);
    kernel.run(p, packed.data(), x, r, y, 0, split);
  }

  int bad = 0;
  for (int32_t n = 0; n < c.batch; ++n) {
    for (int32_t oh = 0; oh < p.out_h; ++oh) {
      for (int32_t ow = 0; ow < p.out_w; ++ow) {
        for (int32_t ch = 0; ch < C; ++ch) {
          // Magnitude bound of the sum for the tolerance.
          double mag = c.bias ? std::fabs(bias[ch]) : 0.0;
          for (int32_t kh = 0; kh < p.kernel_h; ++kh)
            for (int32_t kw = 0; kw < p.kernel_w; ++kw) {
              const int32_t ih = oh * p.stride_h - p.pad_top + kh * p.dilation_h;
              const int32_t iw = ow * p.stride_w - p.pad_left + kw * p.dilation_w;
              if (ih < 0 || ih >= p.in_h || iw < 0 || iw >= p.in_w) continue;
              mag += std::fabs(weight[ch * taps + kh * p.kernel_w + kw] * in[((n * p.in_h + ih) * p.in_w + iw) * C + ch]);
            }
          const size_t o = (n * out_hw + size_t(oh) * p.out_w + ow) * C + ch;
          float want = want_nchw[(n * C + ch) * out_hw + size_t(oh) * p.out_w + ow];
          if (c.residual) {
            want += residual[o];
            mag += std::fabs(residual[o]);
          }
          want = activate(want, p);
          if (!(std::fabs(got[o] - want) <= 1e-5 * mag + 1e-6) && ++bad <= 3)
            ADD_FAILURE() << kernel.name << " " << describe(c) << ": image " << n << " (" << oh << "," << ow << ","
                          << ch << ") got " << got[o] << " want " << want;
        }
      }
    }
  }
  return bad;
}

class F32DwConv : public ::testing::TestWithParam<VariantParam> {
 protected:
  void SetUp() override {
    if (!GetParam().v->supported()) GTEST_SKIP() << "CPU lacks " << kernels::isa_name(GetParam().v->isa);
  }
  const kernels::DwConvF32Kernel& kernel() const { return *GetParam().v->dwconv; }
};

TEST_P(F32DwConv, MatchesTheReferenceOnRandomShapes) {
  std::mt19937 rng(1234);
  auto pick = [&](std::initializer_list<int32_t> xs) { return xs.begin()[rng() % xs.size()]; };
  int cases = 0;
  while (cases < 150) {
    Case c;
    ConvNhwcParams& p = c.p;
    c.batch = pick({1, 1, 7});
    p.in_c = p.out_c = pick({1, 3, 8, 16, 17, 24, 33, 40, 64});
    const int32_t k = pick({3, 3, 5, 5, 1, 2, 7});
    p.kernel_h = k;
    p.kernel_w = rng() % 6 == 0 ? pick({1, 3, 5}) : k;   // sometimes not square
    p.in_h = 1 + int32_t(rng() % 13);
    p.in_w = 1 + int32_t(rng() % 13);
    p.stride_h = pick({1, 2});
    p.stride_w = rng() % 4 == 0 ? pick({1, 2}) : p.stride_h;
    p.dilation_h = pick({1, 1, 2});
    p.dilation_w = rng() % 4 == 0 ? pick({1, 2}) : p.dilation_h;
    p.pad_top = int32_t(rng() % 3);
    p.pad_left = int32_t(rng() % 3);
    c.pad_bottom = int32_t(rng() % 3);
    c.pad_right = int32_t(rng() % 3);
    c.bias = rng() % 4 != 0;
    c.residual = rng() % 3 == 0;
    p.activation = static_cast<Activation>(rng() % 3);
    p.clip_min = -0.25f;
    p.clip_max = 0.5f;
    if (!finish_shape(c)) continue;
    ASSERT_TRUE(kernel().supports(p)) << describe(c);
    ASSERT_EQ(check_case(kernel(), c, rng), 0) << describe(c);
    ++cases;
  }
}

// The layer shapes of MobileNetV2 and DS-CNN that take the fast paths end to end, and the 5x5
// ones of EfficientNet-B0 and MobileNetV3 on 7x7 maps (every register block there crosses the
// padding; 40 channels end in a partial vector on AVX-512). Row widths 7, 14, 28 and 56 (whole
// register blocks of 7), 13 (blocks of 7, 4 and 2 and a single pixel), 5 and 12 (a block of 5
// after none or one of 7, at stride 1 and 2); 8, 24 and 40
// channels end in an 8-channel tail (ymm vectors on AVX-512), 20 in a 4-channel one (a masked
// vector).
TEST_P(F32DwConv, MatchesTheReferenceOnModelShapes) {
  std::mt19937 rng(99);
  struct Shape {
    int32_t h, w, c, k, s, pad_begin, pad_end;
  };
  for (const Shape& s : {Shape{28, 28, 144, 3, 1, 1, 1}, Shape{28, 28, 144, 3, 2, 1, 1}, Shape{14, 14, 96, 5, 1, 2, 2},
                         Shape{25, 5, 64, 3, 1, 1, 1}, Shape{24, 24, 8, 3, 2, 0, 1}, Shape{7, 7, 40, 5, 1, 2, 2},
                         Shape{14, 14, 40, 5, 2, 2, 2}, Shape{14, 14, 144, 5, 1, 2, 2}, Shape{28, 28, 40, 5, 1, 2, 2},
                         Shape{56, 56, 24, 3, 2, 1, 1}, Shape{14, 14, 24, 3, 1, 1, 1}, Shape{14, 14, 8, 5, 1, 2, 2},
                         Shape{13, 13, 20, 3, 1, 1, 1}, Shape{13, 13, 20, 5, 1, 2, 2}, Shape{13, 14, 24, 3, 2, 1, 0},
                         Shape{10, 12, 40, 5, 1, 2, 2}, Shape{9, 9, 24, 3, 2, 1, 1}}) {
    Case c;
    c.p.in_h = s.h;
    c.p.in_w = s.w;
    c.p.in_c = c.p.out_c = s.c;
    c.p.kernel_h = c.p.kernel_w = s.k;
    c.p.stride_h = c.p.stride_w = s.s;
    c.p.pad_top = c.p.pad_left = s.pad_begin;
    c.pad_bottom = c.pad_right = s.pad_end;
    c.p.activation = Activation::Clip;
    c.p.clip_min = 0.f;
    c.p.clip_max = 6.f;
    ASSERT_TRUE(finish_shape(c));
    EXPECT_EQ(check_case(kernel(), c, rng), 0) << describe(c);
  }
}

TEST_P(F32DwConv, RefusesAChannelMultiplier) {
  ConvNhwcParams p;
  p.in_h = p.in_w = p.out_h = p.out_w = 4;
  p.kernel_h = p.kernel_w = 3;
  p.pad_top = p.pad_left = 1;
  p.in_c = p.out_c = 8;
  EXPECT_TRUE(kernel().supports(p));
  p.out_c = 16;
  EXPECT_FALSE(kernel().supports(p));
}

INSTANTIATE_TEST_SUITE_P(Isa, F32DwConv, ::testing::ValuesIn(kernel_test::variant_params(kernels::KernelFamily::DwConvF32)),
                         kernel_test::isa_param_name);

}  // namespace
}  // namespace octet
