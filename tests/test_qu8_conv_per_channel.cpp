// int8 NHWC convolution with per-channel weights (QConvParams::channel_scales, one float
// requantisation scale per output channel): every qu8_conv variant this CPU runs against the
// scalar oracle qconv_nhwc, bit for bit (tests/qu8_conv_test_util.h), on random shapes (odd
// channel counts, stride 2, asymmetric padding, batch 1 and 7), with and without the residual
// Add, at scales from saturating to vanishing. The scales are checked by hand too: each
// channel scales its own outputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>

#include "qu8_conv_test_util.h"

namespace octet::qu8_conv_test {
namespace {

// Scales s_c = s * f_c, f_c in [2^-spread, 1] (per-channel weight scales).
void per_channel_scales(Case& c, std::mt19937& rng, double s, double spread) {
  std::uniform_real_distribution<double> f(-spread, 0.0);
  c.scales.assign(size_t(c.q.shape.out_c), 0.f);
  for (float& v : c.scales) v = float(s * std::exp2(f(rng)));
}

// The oracle itself: channel co's output is its accumulator times its own scale.
TEST(QConvReference, PerChannelScales) {
  QConvParams q;
  q.shape = shape(1, 1, 1, 3, 1, 1, 1, 1, 0, 0, 0, 0);
  const float scales[3] = {0.5f, 0.25f, 0.f};
  q.channel_scales = scales;
  q.scale = 1.f;   // not read with channel_scales
  q.output_zero_point = 10;
  const int8_t w[3] = {1, 1, 1};
  const int32_t bias[3] = {12, 10, 12};
  const uint8_t x = 0;
  uint8_t y[3] = {};
  kernels::qconv_nhwc(q, &x, w, bias, nullptr, y);
  EXPECT_EQ(int(y[0]), 16);   // 10 + 12 / 2
  EXPECT_EQ(int(y[1]), 12);   // 10 + 2.5, half to even
  EXPECT_EQ(int(y[2]), 10);
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
    c.residual = i % 2 == 1;   // round-first with the residual Add
    if (c.residual) {
      c.q.conv_zero_point = pick(0, 255);
      c.q.residual_zero_point = pick(0, 255);
      std::mt19937 r2(c.seed);
      sensible_round_first(c.q, r2);
    }
    if (i % 8 == 1) {   // a Relu-like clamp
      c.q.output_min = c.q.output_zero_point;
    }
    const double kk = double(k) * k * in_c;
    per_channel_scales(c, rng, 60.0 / (std::sqrt(kk) * 128 * 74), 1 + i % 4);
    check(c);
  }
}

// Scales from 2^-40 (every output at the zero point) to 2^4 (most saturate), each channel its
// own, with and without the residual Add.
TEST(QConvVariants, PerChannelScaleRange) {
  std::mt19937 rng(99);
  for (int32_t e = -40; e <= 4; ++e) {
    Case c;
    c.seed = 80000 + uint32_t(e + 40);
    c.q.shape = shape(5, 9, 19, 37, 3, 3, 2, 1, 0, 1, 1, 0);
    c.q.input_zero_point = 60;
    c.q.output_zero_point = int32_t(rng() % 256);
    c.residual = e % 3 == 0;
    if (c.residual) {
      c.q.conv_zero_point = int32_t(rng() % 256);
      c.q.residual_zero_point = int32_t(rng() % 256);
      sensible_round_first(c.q, rng);
    }
    per_channel_scales(c, rng, std::exp2(e), 4);
    c.batch = e % 10 == 0 ? 7 : 1;
    check(c);
  }
}

// ResNet8's layers with per-channel scales spread over 2^-3, residual blocks round-first.
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
      c.residual = true;
      c.q.conv_zero_point = 140;
      std::mt19937 r2(c.seed);
      sensible_round_first(c.q, r2);
    }
    const double kk = double(l.k) * l.k * l.in_c;
    per_channel_scales(c, rng, 60.0 / (std::sqrt(kk) * 128 * 74), 3);
    check(c);
  }
}

}  // namespace
}  // namespace octet::qu8_conv_test
