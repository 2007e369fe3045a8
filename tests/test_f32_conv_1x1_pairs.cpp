// The narrow FP32 1x1 kernels (kernels/f32/conv_1x1_pairs_avx512.cpp: 8, 16 or 24 output
// channels, 1x1, stride 1, unpadded) against the scalar NCHW reference, for every variant this
// CPU runs: the supports() answers, random shapes (odd and even input channels, images smaller
// and larger than a tile, row pieces, batch 1, 2 and 7, every activation, residual also in
// place) and an infinite input in the odd last channel. Stride and padding do not apply:
// supports() refuses them. Helpers and tolerance: tests/conv_f32_test_util.h.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <string_view>
#include <vector>

#include "kernels/registry.h"
#include "tests/conv_f32_test_util.h"

namespace octet {
namespace {

using namespace conv_f32_test;

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
