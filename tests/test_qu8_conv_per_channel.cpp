// int8 NHWC convolution with per-channel weights (QConvParams::channel_multipliers, one
// requantisation multiplier per output channel sharing one shift): every qu8_conv variant this
// CPU runs against the scalar oracle qconv_nhwc, bit for bit (tests/qu8_conv_test_util.h), on
// random shapes (odd channel counts, stride 2, asymmetric padding, batch 1 and 7), with and
// without the residual and the intermediate rounding, at shifts on each epilogue path. The
// multipliers are checked by hand too: each channel scales its own outputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>

#include "qu8_conv_test_util.h"

namespace octet::qu8_conv_test {
namespace {

// Multipliers M_c = M * f_c, f_c in [2^-spread, 1] (per-channel weight scales), one shift.
void per_channel_requant(Case& c, std::mt19937& rng, double m, double spread) {
  const int32_t n = c.q.shape.out_c;
  std::vector<double> reals(static_cast<size_t>(n));
  std::uniform_real_distribution<double> f(-spread, 0.0);
  for (double& r : reals) r = m * std::exp2(f(rng));
  c.multipliers.assign(size_t(n), 0);
  ASSERT_TRUE(kernels::make_requant_channels(reals.data(), n, &c.q.requant, c.multipliers.data()));
}

// The oracle itself: channel co's output is its accumulator times its own multiplier.
TEST(QConvReference, PerChannelMultipliers) {
  QConvParams q;
  q.shape = shape(1, 1, 1, 3, 1, 1, 1, 1, 0, 0, 0, 0);
  const int32_t mult[3] = {1 << 30, 1 << 29, 0};   // M = 1/2, 1/4, 0 at shift 31
  q.requant = {1 << 30, 31};
  q.channel_multipliers = mult;
  q.output_zero_point = 10;
  const int8_t w[3] = {1, 1, 1};
  const int32_t bias[3] = {12, 12, 12};
  const uint8_t x = 0;
  uint8_t y[3] = {};
  kernels::qconv_nhwc(q, &x, w, bias, nullptr, y);
  EXPECT_EQ(int(y[0]), 16);   // 10 + 12 / 2
  EXPECT_EQ(int(y[1]), 13);   // 10 + 12 / 4
  EXPECT_EQ(int(y[2]), 10);
}

TEST(QConvRequant, ChannelsShareTheLargestShift) {
  const double reals[3] = {0.001, 0.004, 0.0005};
  kernels::Requant largest;
  int32_t m[3];
  ASSERT_TRUE(kernels::make_requant_channels(reals, 3, &largest, m));
  kernels::Requant alone;
  ASSERT_TRUE(kernels::make_requant(0.004, &alone));
  EXPECT_EQ(largest.shift, alone.shift);
  EXPECT_EQ(largest.multiplier, alone.multiplier);
  EXPECT_EQ(m[1], alone.multiplier);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(std::ldexp(double(m[i]), -largest.shift), reals[i], reals[i] * 1e-8);
  const double bad[2] = {0.5, -1.0};
  EXPECT_FALSE(kernels::make_requant_channels(bad, 2, &largest, m));
}

// Random layers: odd and even channel counts (tails of every vector width), stride 1 and 2,
// asymmetric padding, dilation, batch 1 and 7, split rows, residual and round-first.
TEST(QConvVariants, PerChannelRandomShapes) {
  std::mt19937 rng(4242);
  auto pick = [&](int32_t lo, int32_t hi) { return std::uniform_int_distribution<int32_t>(lo, hi)(rng); };
  for (int i = 0; i < 60; ++i) {
    Case c;
    c.seed = 70000 + uint32_t(i);
    const int32_t k = pick(0, 2) * 2 + 1, s = pick(1, 2), d = i % 7 == 3 ? 2 : 1;
    const int32_t in_c = i % 3 == 0 ? pick(1, 5) : pick(1, 70), out_c = i % 2 ? pick(1, 80) | 1 : pick(1, 40) * 2;
    const int32_t hw = pick((k - 1) * d + 1, 13);
    c.q.shape = shape(hw, pick((k - 1) * d + 1, 13), in_c, out_c, k, k, s, s, pick(0, k / 2), pick(0, k / 2),
                      pick(0, k / 2), pick(0, k / 2), d, d);
    c.batch = i % 4 == 0 ? 7 : 1;
    c.split = i % 5 == 0 ? c.q.shape.out_h / 2 : -1;
    c.q.input_zero_point = pick(0, 255);
    c.q.weight_zero_point = i % 6 == 5 ? pick(-128, 127) : 0;   // the kernels take any zw
    c.q.output_zero_point = pick(0, 255);
    c.bias = i % 9 != 4;
    const int mode = i % 3;   // plain, residual, round-first
    c.residual = mode != 0;
    if (mode == 2) {
      std::mt19937 r2(c.seed);
      sensible_round_first(c.q, r2);
      c.q.conv_zero_point = pick(0, 255);
    } else {
      c.q.residual_multiplier = int32_t(rng() >> 2);
      c.q.residual_zero_point = pick(0, 255);
    }
    if (i % 8 == 1) {   // a Relu-like clamp
      c.q.output_min = c.q.output_zero_point;
    }
    const double kk = double(k) * k * in_c;
    per_channel_requant(c, rng, 60.0 / (std::sqrt(kk) * 128 * 74), 1 + i % 4);
    if (mode == 1) {   // the residual multiplier on the same shift
      // Held below 2^31: past a shift of 31, 0.7 * 2^shift is no int32 (a cast of it is UB).
      c.q.residual_multiplier = int32_t(std::min(std::ldexp(0.7, c.q.requant.shift), 2147483647.0));
    }
    check(c);
  }
}

// Shifts from 1 to 62: the hi32 path (s >= 33), the fast path on either side of 32 and the
// general one (M > 1/2), each with its own multiplier per channel.
TEST(QConvVariants, PerChannelShifts) {
  std::mt19937 rng(99);
  for (int32_t shift = 1; shift <= 62; ++shift) {
    Case c;
    c.seed = 80000 + uint32_t(shift);
    c.q.shape = shape(5, 9, 19, 37, 3, 3, 2, 1, 0, 1, 1, 0);
    c.q.requant.shift = shift;
    c.multipliers.resize(37);
    const int32_t bits = shift % 2 ? std::min(shift, 31) - 1 : 31;
    for (int32_t& m : c.multipliers) m = bits > 0 ? int32_t(rng() >> (32 - bits)) : 0;
    c.q.requant.multiplier = *std::max_element(c.multipliers.begin(), c.multipliers.end());
    c.q.input_zero_point = 60;
    c.q.output_zero_point = int32_t(rng() % 256);
    c.residual = shift % 3 == 0;
    c.q.residual_multiplier = int32_t(rng() >> 12);
    c.q.residual_zero_point = int32_t(rng() % 256);
    c.batch = shift % 10 == 0 ? 7 : 1;
    check(c);
  }
}

// ResNet8's layers with per-channel multipliers spread over 2^-3, residual blocks round-first.
TEST(QConvVariants, PerChannelResNet8Layers) {
  std::mt19937 rng(5);
  uint32_t seed = 90000;
  for (const Layer& l : kResNet8) {
    Case c;
    c.seed = ++seed;
    c.q.shape = l.shape();
    c.q.input_zero_point = 128;
    c.q.output_zero_point = 3;
    c.q.output_min = 3;
    if (l.residual_block()) {
      std::mt19937 r2(c.seed);
      sensible_round_first(c.q, r2);
      c.residual = true;
      c.q.conv_zero_point = 140;
    }
    const double kk = double(l.k) * l.k * l.in_c;
    per_channel_requant(c, rng, 60.0 / (std::sqrt(kk) * 128 * 74), 3);
    check(c);
  }
}

}  // namespace
}  // namespace octet::qu8_conv_test
