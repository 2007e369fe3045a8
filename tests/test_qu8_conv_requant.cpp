// int8 NHWC convolution (kernels/int8/conv_*), the float requantisation epilogue
// (requantize_float, kernels/int8/requant.h): every qu8_conv variant this CPU runs against the
// scalar oracle qconv_nhwc, bit for bit (tests/qu8_conv_test_util.h), at scales from vanishing
// to saturating, on rounding ties, with extreme zero points and values, and on reductions that
// wrap the int32 accumulator, Relu and Clip clamps. The oracle's rounding is checked by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include "qu8_conv_test_util.h"

namespace octet::qu8_conv_test {
namespace {

// 1x1 single tap: y = clamp(zy + round_half_to_even(float(acc) * scale)).
TEST(QConvReference, RoundsHalfToEvenAndClamps) {
  QConvParams q;
  q.shape = shape(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0);
  q.scale = 0.5f;
  q.output_zero_point = 10;
  const int8_t w = 1;
  auto y = [&](int32_t bias) {
    const uint8_t x = 0;
    uint8_t out = 0;
    kernels::qconv_nhwc(q, &x, &w, &bias, nullptr, &out);
    return int(out);
  };
  EXPECT_EQ(y(5), 12);    // 2.5 -> 2
  EXPECT_EQ(y(7), 14);    // 3.5 -> 4
  EXPECT_EQ(y(-5), 8);    // -2.5 -> -2
  EXPECT_EQ(y(-7), 6);    // -3.5 -> -4
  EXPECT_EQ(y(1000), 255);
  EXPECT_EQ(y(-1000), 0);
  EXPECT_EQ(y(2147483647), 255);   // float(acc) * scale, clamped in float before converting
  q.output_min = 10;   // Relu: lo = zy
  EXPECT_EQ(y(-5), 10);
  q.output_min = 0;
  q.output_max = 13;   // Clip
  EXPECT_EQ(y(7), 13);
  // The product is one float rounding: 16777217 converts to 16777216 first, so * 2^-25
  // gives 0.5 exactly, which rounds to 0, not to 1.
  q.output_max = 255;
  q.scale = std::ldexp(1.f, -25);
  q.output_zero_point = 0;
  EXPECT_EQ(y(16777217), 0);
  EXPECT_EQ(y(16777219), 1);   // 16777220 * 2^-25 = 0.50000012
}

// Scales from 2^-40 to 2^6: outputs round to the zero point at one end and saturate at the
// other; every variant's float arithmetic must match throughout.
TEST(QConvVariants, ScaleRange) {
  std::mt19937 rng(77);
  for (int32_t e = -40; e <= 6; ++e) {
    Case c;
    c.seed = 5000 + uint32_t(e + 40);
    c.q.shape = shape(5, 9, 19, 21, 3, 3, 1, 2, 1, 1, 1, 0);
    c.q.scale = std::ldexp(std::uniform_real_distribution<float>(1.f, 2.f)(rng), e);
    c.q.input_zero_point = 77;
    c.q.weight_zero_point = e % 3 == 0 ? -9 : 0;
    c.q.output_zero_point = int32_t(rng() % 256);
    check(c);
  }
}

// The epilogue's clamps at extreme scales (up to FLT_MAX, where float(acc) * scale overflows
// to +-inf, and past 2^31, where a conversion without the high clamp would give INT_MIN), on
// every store path of the VNNI variant: four vectors at a time as one 64-byte store (16, 32
// and 64 channels) or one masked store per pixel (8: one vector with idle lanes; 80 = 64 + 16
// and 96 = 64 + 32: whole vectors of pixels that are not adjacent; a Concat slice), the
// paired tiles' stores (21, 24 and 88 = 64 + 24), 48 (three vectors: one at a time); low
// clamps 0, the zero point and another code; with and without an output table.
TEST(QConvVariants, ClampsAtExtremeScalesOnEveryStorePath) {
  uint32_t seed = 7000;
  std::mt19937 rng(7);
  for (float scale : {std::ldexp(1.f, -40), 0.f, 1.f, std::ldexp(1.f, 20), std::ldexp(1.5f, 40),
                      std::ldexp(1.f, 100), std::numeric_limits<float>::max()})
    for (int32_t out_c : {8, 16, 21, 24, 32, 48, 64, 80, 88, 96})
      for (int32_t zy : {0, 77, 255})
        for (int clamp = 0; clamp < 3; ++clamp) {
          Case c;
          c.seed = ++seed;
          c.q.shape = shape(4, 5, 19, out_c, 3, 3, 1, 1, 1, 1, 1, 1);
          c.q.scale = scale;
          c.q.input_zero_point = 77;
          c.q.output_zero_point = zy;
          c.q.output_min = clamp == 0 ? 0 : clamp == 1 ? zy : 13;
          c.q.output_max = clamp == 2 ? 200 : 255;
          if (c.q.output_min > c.q.output_max) c.q.output_min = c.q.output_max;
          if (seed % 3 == 0) {   // a Concat slice, through a table half the time
            c.out_offset = 3;
            c.out_stride = out_c + 8;
            if (seed % 2 == 0)
              for (int v = 0; v < 256; ++v) c.table.push_back(uint8_t(rng()));
          }
          check(c);
        }
}

// The unclamped epilogue (VNNI kind 3, conv_direct_impl.h): taken where |bias| + K * 255 * 128
// times the scale stays under 2^30 and the output range is [0, 255]; the stores' saturation
// then clamps. Inputs and weights pinned at their extremes make the largest accumulators of
// both signs, with scales just under and just over the bound (the clamped epilogue), on the
// store paths of four vectors at a time (16, 64 channels: one store; 96: a masked store per
// pixel) and of the paired tiles (21, 24).
TEST(QConvVariants, UnclampedEpilogueAtItsBound) {
  uint32_t seed = 7500;
  for (int32_t out_c : {16, 21, 24, 64, 96})
    for (double side : {0.97, 1.03})
      for (int32_t zy : {0, 128, 255}) {
        Case c;
        c.seed = ++seed;
        c.q.shape = shape(3, 6, 13, out_c, 3, 3, 1, 1, 1, 1, 1, 1);
        const double k = 3.0 * 3.0 * ((13 + 3) / 4 * 4);   // the packed steps' slots, an upper bound
        c.q.scale = float(side * 1073741824.0 / (k * 255.0 * 128.0 + 2e6));
        c.q.input_zero_point = 0;
        c.q.output_zero_point = zy;
        c.x_lo = 250;
        c.x_hi = 255;
        c.w_lo = seed % 2 ? -128 : 120;
        c.w_hi = seed % 2 ? -120 : 127;
        check(c);
      }
}

// Power-of-two scales (2^-j): exact halves are frequent, on both signs, so a rounding that is
// not half to even shows.
TEST(QConvVariants, RoundingTies) {
  for (int32_t j = 1; j <= 10; ++j) {
    Case c;
    c.seed = 6000 + uint32_t(j);
    c.q.shape = shape(4, 8, 5, 20, 3, 3, 1, 1, 1, 1, 1, 1);
    c.q.scale = std::ldexp(1.f, -j);
    c.q.input_zero_point = 128;
    c.q.weight_zero_point = j % 2 ? 0 : 1;
    c.q.output_zero_point = 128;
    c.x_lo = 120;   // small accumulators, both signs: many land on a tie
    c.x_hi = 136;
    c.w_lo = -4;
    c.w_hi = 4;
    c.bias = false;
    check(c);
  }
}

// Extreme zero points with inputs and weights pinned at their extremes, where the folded
// corrections and the window sums are largest.
TEST(QConvVariants, ExtremeZeroPoints) {
  uint32_t seed = 9000;
  for (int32_t zx : {0, 255})
    for (int32_t zw : {-128, 0, 127})
      for (int32_t zy : {0, 255})
        for (int values = 0; values < 3; ++values) {
          Case c;
          c.seed = ++seed;
          c.q.shape = shape(6, 7, 35, 18, 3, 3, 1, 1, 1, 1, 1, 1);
          c.q.input_zero_point = zx;
          c.q.weight_zero_point = zw;
          c.q.output_zero_point = zy;
          if (values == 0) {   // all x = 255 - zx, all w = extreme away from zw
            c.x_lo = c.x_hi = 255 - zx;
            c.w_lo = c.w_hi = zw > 0 ? -128 : 127;
          } else if (values == 1) {
            c.x_lo = c.x_hi = zx;   // every tap equals the zero point: acc = bias
          }
          seeded_requant(c);
          check(c);
        }
}

// A reduction long enough to overflow int32: every variant wraps modulo 2^32 exactly as the
// reference's int32 accumulator does (interface: acc is int32), including the folded
// zero-point terms and the window sums; accumulators past 2^24 also round on their conversion
// to float, the same way everywhere.
TEST(QConvVariants, AccumulatorWrapsLikeTheReference) {
  for (int32_t zw : {127, 0}) {
    Case c;
    c.seed = 950 + uint32_t(zw);
    c.q.shape = shape(2, 1, 70000, 3, 1, 1, 1, 1, 0, 0, 0, 0);   // |acc| up to 70000 * 255 * 255
    c.q.input_zero_point = 0;
    c.q.weight_zero_point = zw;
    c.q.output_zero_point = 128;
    c.q.scale = std::ldexp(1.f, -24);
    c.x_lo = 250;
    c.w_lo = -128;
    c.w_hi = -120;
    check(c);
  }
}

}  // namespace
}  // namespace octet::qu8_conv_test
