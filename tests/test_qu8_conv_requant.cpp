// int8 NHWC convolution (kernels/int8/conv_*), the requantisation epilogue: every qu8_conv
// variant this CPU runs against the scalar oracle qconv_nhwc, bit for bit
// (tests/qu8_conv_test_util.h), at requantisation shifts from 1 to 62, on rounding ties, with
// extreme zero points and values, and on reductions that wrap the int32 accumulator, residual
// on and off, Relu and Clip clamps. The oracle's rounding is checked by hand.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>

#include "qu8_conv_test_util.h"

namespace octet::qu8_conv_test {
namespace {

// 1x1 single tap: y = clamp(zy + round_half_up(acc * m / 2^s)) and the residual term.
TEST(QConvReference, RoundsHalfUpAndClamps) {
  QConvParams q;
  q.shape = shape(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0);
  q.requant = {1 << 30, 31};   // M = 0.5
  q.output_zero_point = 10;
  const int8_t w = 1;
  auto y = [&](int32_t bias, const uint8_t* res) {
    const uint8_t x = 0;
    uint8_t out = 0;
    kernels::qconv_nhwc(q, &x, &w, &bias, res, &out);
    return int(out);
  };
  EXPECT_EQ(y(5, nullptr), 13);    // 2.5 -> 3
  EXPECT_EQ(y(-5, nullptr), 8);    // -2.5 -> -2
  EXPECT_EQ(y(-7, nullptr), 7);    // -3.5 -> -3
  EXPECT_EQ(y(1000, nullptr), 255);
  EXPECT_EQ(y(-1000, nullptr), 0);
  q.output_min = 10;   // Relu: lo = zy
  EXPECT_EQ(y(-5, nullptr), 10);
  q.output_min = 0;
  q.residual_multiplier = 1 << 30;   // residual M = 0.5 too
  q.residual_zero_point = 7;
  const uint8_t r = 12;              // (12 - 7) * 0.5 = 2.5
  EXPECT_EQ(y(0, &r), 13);           // 0 + 2.5 -> 3
  EXPECT_EQ(y(1, &r), 13);           // 0.5 + 2.5 = 3
  EXPECT_EQ(y(-6, &r), 10);          // -3 + 2.5 = -0.5 -> 0
}

// Every shift from 1 to 62, with multipliers over their whole range and with M = m / 2^s
// below 1/2 (the SIMD variants' fast epilogue: shifts right or left of 32, up to 52):
// outputs saturate at small shifts and round to the zero point at large ones; the 64-bit
// rounding must match throughout.
TEST(QConvVariants, RequantShifts) {
  std::mt19937 rng(77);
  for (int32_t shift = 1; shift <= 62; ++shift) {
    for (int small = 0; small < 2; ++small) {
      Case c;
      c.seed = 5000 + uint32_t(shift) * 2 + uint32_t(small);
      c.q.shape = shape(5, 9, 19, 21, 3, 3, 1, 2, 1, 1, 1, 0);
      const int32_t bits = small ? std::min(shift, 31) - 1 : 31;   // m < 2^bits
      c.q.requant = {bits > 0 ? int32_t(rng() >> (32 - bits)) : 0, shift};
      c.q.input_zero_point = 77;
      c.q.weight_zero_point = shift % 3 == 0 ? -9 : 0;
      c.q.output_zero_point = int32_t(rng() % 256);
      c.residual = shift % 2 == 0;
      c.q.residual_multiplier = int32_t(rng() >> (small ? 8 : 1));
      c.q.residual_zero_point = int32_t(rng() % 256);
      check(c);
    }
  }
}

// Power-of-two multipliers (M = 2^-j): exact halves are frequent, on both signs, so a
// rounding that is not half-up (or an off-by-one rounding constant) shows.
TEST(QConvVariants, RoundingTies) {
  for (int32_t j = 1; j <= 10; ++j) {
    Case c;
    c.seed = 6000 + uint32_t(j);
    c.q.shape = shape(4, 8, 5, 20, 3, 3, 1, 1, 1, 1, 1, 1);
    c.q.requant = {1 << 30, 30 + j};
    c.q.input_zero_point = 128;
    c.q.weight_zero_point = j % 2 ? 0 : 1;
    c.q.output_zero_point = 128;
    c.x_lo = 120;   // small accumulators, both signs: many land on a tie
    c.x_hi = 136;
    c.w_lo = -4;
    c.w_hi = 4;
    c.bias = false;
    c.residual = j > 5;
    c.q.residual_multiplier = 1 << 29;
    c.q.residual_zero_point = 128;
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
          c.residual = values == 1;
          c.q.residual_zero_point = 255 - zy;
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
// zero-point terms and the window sums.
TEST(QConvVariants, AccumulatorWrapsLikeTheReference) {
  for (int32_t zw : {127, 0}) {
    Case c;
    c.seed = 950 + uint32_t(zw);
    c.q.shape = shape(2, 1, 70000, 3, 1, 1, 1, 1, 0, 0, 0, 0);   // |acc| up to 70000 * 255 * 255
    c.q.input_zero_point = 0;
    c.q.weight_zero_point = zw;
    c.q.output_zero_point = 128;
    c.q.requant = {1 << 30, 50};
    c.x_lo = 250;
    c.w_lo = -128;
    c.w_hi = -120;
    check(c);
  }
}

}  // namespace
}  // namespace octet::qu8_conv_test
