// int8 NHWC convolution (kernels/int8/conv_*), round_before_residual: the conv rounded to
// its own output c, then the residual Add, in one epilogue (kernels/int8/conv.h). The
// oracle's definition is checked against the reference conv into c followed by the reference
// Add, and by hand; every qu8_conv variant this CPU runs is checked against the oracle, bit
// for bit (tests/qu8_conv_test_util.h), over random shapes, ResNet8's residual convs, every
// add shift and extreme zero points.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <random>
#include <vector>

#include "kernels/reference/qvector.h"
#include "qu8_conv_test_util.h"

namespace octet::qu8_conv_test {
namespace {

// The mode's definition (conv.h): the reference equals the reference conv into c (zero point
// zc, clamp [0, 255]) followed by the reference Add (qvector.h), bit for bit, over random
// shapes, zero points, multipliers, shifts and clamps.
TEST(QConvReference, RoundBeforeResidualIsConvThenAdd) {
  std::mt19937 rng(4242);
  auto pick = [&](std::initializer_list<int32_t> l) { return *(l.begin() + rng() % l.size()); };
  for (int it = 0; it < 300; ++it) {
    const int32_t k = pick({1, 3}), st = pick({1, 2});
    QConvParams q;
    q.shape = shape(1 + int32_t(rng() % 9), 1 + int32_t(rng() % 9), 1 + int32_t(rng() % 20), 1 + int32_t(rng() % 20),
                    k, k, st, st, k / 2, k / 2, k / 2, k / 2);
    const ConvNhwcParams& s = q.shape;
    q.input_zero_point = pick({0, 255, int32_t(rng() % 256)});
    q.weight_zero_point = pick({0, -128, 127, int32_t(rng() % 256) - 128});
    q.output_zero_point = pick({0, 255, int32_t(rng() % 256)});
    q.conv_zero_point = pick({0, 255, int32_t(rng() % 256)});
    q.residual_zero_point = pick({0, 255, int32_t(rng() % 256)});
    q.round_before_residual = true;
    if (it % 3 == 0) {   // any shifts and multipliers, saturating or not
      q.requant = {int32_t(rng() >> 1), 1 + int32_t(rng() % 62)};
      q.conv_multiplier = int32_t(rng() >> (1 + rng() % 31));
      q.residual_multiplier = int32_t(rng() >> (1 + rng() % 31));
      q.add_shift = 1 + int32_t(rng() % 62);
    } else {
      sensible_round_first(q, rng);
    }
    if (rng() % 3 == 0) q.output_min = q.output_zero_point;   // Relu
    if (rng() % 4 == 0) q.output_max = std::max(q.output_min, 128 + int32_t(rng() % 128));
    const size_t in_n = size_t(s.in_h) * s.in_w * s.in_c, out_n = size_t(s.out_h) * s.out_w * s.out_c;
    std::vector<uint8_t> x(in_n), r(out_n), c(out_n), want(out_n), got(out_n);
    std::vector<int8_t> w(size_t(s.out_c) * s.in_c * k * k);
    std::vector<int32_t> bias(size_t(s.out_c));
    for (uint8_t& v : x) v = uint8_t(rng());
    for (uint8_t& v : r) v = uint8_t(rng());
    for (int8_t& v : w) v = int8_t(rng());
    for (int32_t& v : bias) v = int32_t(rng() % (1 << 21)) - (1 << 20);
    kernels::qconv_nhwc(q, x.data(), w.data(), bias.data(), r.data(), got.data());

    QConvParams conv = q;   // the conv into c alone
    conv.round_before_residual = false;
    conv.output_zero_point = q.conv_zero_point;
    conv.output_min = 0;
    conv.output_max = 255;
    kernels::qconv_nhwc(conv, x.data(), w.data(), bias.data(), nullptr, c.data());
    for (size_t j = 0; j < out_n; ++j) {   // the fixed-point Add of c and the residual
      const int64_t v = int64_t{c[j] - q.conv_zero_point} * q.conv_multiplier +
                        int64_t{r[j] - q.residual_zero_point} * q.residual_multiplier;
      want[j] = kernels::requantize_u8(v, q.add_shift, q.output_zero_point, q.output_min, q.output_max);
    }
    for (size_t j = 0; j < out_n; ++j) ASSERT_EQ(int(got[j]), int(want[j])) << "it " << it << " element " << j;
  }
}

// By hand, on a 1x1 single tap: c is rounded (half up) and clamped to [0, 255] before the
// Add, which rounds again; fusing without the first rounding would give other codes.
TEST(QConvReference, RoundBeforeResidualByHand) {
  QConvParams q;
  q.shape = shape(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0);
  q.requant = {1 << 30, 31};   // c = zc + round(acc / 2)
  q.round_before_residual = true;
  q.conv_zero_point = 250;
  q.conv_multiplier = 3 << 28;   // add_shift 30: (c - zc) * 0.75
  q.residual_multiplier = 1 << 29;   // (r - zr) * 0.5
  q.add_shift = 30;
  q.residual_zero_point = 8;
  q.output_zero_point = 100;
  const int8_t w = 1;
  auto y = [&](int32_t bias, uint8_t r) {
    const uint8_t x = 0;
    uint8_t out = 0;
    kernels::qconv_nhwc(q, &x, &w, &bias, &r, &out);
    return int(out);
  };
  EXPECT_EQ(y(3, 8), 102);     // c = 250 + round(1.5) = 252; 100 + round(2 * 0.75) = 102 (not 1.125 -> 101)
  EXPECT_EQ(y(-3, 8), 99);     // c = 250 + round(-1.5) = 249; 100 + round(-0.75) = 99
  EXPECT_EQ(y(20, 8), 104);    // c = 260 clamps to 255: 100 + round(5 * 0.75 = 3.75) = 104
  EXPECT_EQ(y(20, 13), 106);   // + (13 - 8) * 0.5: 3.75 + 2.5 = 6.25 -> 106
}

TEST(QConvVariants, RoundBeforeResidualRandomShapes) {
  std::mt19937 rng(5151);
  auto pick = [&](std::initializer_list<int32_t> l) { return *(l.begin() + rng() % l.size()); };
  for (int it = 0; it < 100; ++it) {
    Case c;
    c.seed = 12000 + uint32_t(it);
    const int32_t kh = pick({1, 3, 5, 3}), kw = rng() % 4 == 0 ? pick({1, 3, 2}) : kh;
    const int32_t sh = pick({1, 2, 1}), sw = rng() % 4 == 0 ? pick({1, 2}) : sh;
    const int32_t dh = rng() % 6 == 0 ? 2 : 1, dw = rng() % 6 == 0 ? 2 : 1;
    const int32_t in_c = pick({1, 3, 8, 16, 17, 32, 33, 64});
    const int32_t out_c = pick({1, 8, 10, 16, 17, 32, 33, 48, 64, 65});
    auto pad = [&](int32_t k) { return int32_t(rng() % uint32_t(k)); };
    c.q.shape = shape(1 + int32_t(rng() % 12), 1 + int32_t(rng() % 20), in_c, out_c, kh, kw, sh, sw, pad(kh), pad(kw),
                      pad(kh), pad(kw), dh, dw);
    if (c.q.shape.out_h < 1 || c.q.shape.out_w < 1) continue;
    c.q.input_zero_point = pick({0, 255, int32_t(rng() % 256)});
    c.q.weight_zero_point = pick({0, 0, -128, 127, int32_t(rng() % 256) - 128});
    c.q.output_zero_point = pick({0, 255, int32_t(rng() % 256)});
    c.q.conv_zero_point = pick({0, 255, int32_t(rng() % 256)});
    c.q.residual_zero_point = pick({0, 255, int32_t(rng() % 256)});
    c.residual = true;
    c.bias = rng() % 5 != 0;
    c.batch = rng() % 5 == 0 ? 3 : 1;
    c.split = rng() % 3 == 0 ? int32_t(rng() % uint32_t(c.q.shape.out_h + 1)) : -1;
    sensible_round_first(c.q, rng);
    if (rng() % 2 == 0) c.q.output_min = c.q.output_zero_point;   // Relu
    check(c);
  }
}

// ResNet8's residual convs (3x3, stride 1, in_c = out_c) with the parameters of both weight
// schemes, Relu, batches and row splits.
TEST(QConvVariants, RoundBeforeResidualResNet8Layers) {
  uint32_t seed = 13000;
  for (const Layer& l : kResNet8) {
    if (!l.residual_block()) continue;
    for (int32_t zw : {0, -128}) {
      Case c;
      c.seed = ++seed;
      c.q.shape = l.shape();
      c.q.input_zero_point = zw == 0 ? 0 : 131;
      c.q.weight_zero_point = zw;
      c.q.conv_zero_point = 119;
      c.q.residual_zero_point = 0;
      c.q.output_zero_point = 0;
      c.q.output_min = 0;   // Relu at zero point 0
      c.residual = true;
      c.batch = 5;
      c.split = c.q.shape.out_h / 3;
      seeded_round_first(c);
      check(c);
    }
  }
}

// Every add shift from 1 to 62 with multipliers over their whole range (outputs saturate at
// small shifts and round to the zero point at large ones), and both conv epilogue paths (M
// below and above 1/2); shifts 9/10 and 52/53 cross the SIMD fast path's bounds.
TEST(QConvVariants, RoundBeforeResidualShifts) {
  std::mt19937 rng(78);
  for (int32_t shift = 1; shift <= 62; ++shift) {
    for (int wide = 0; wide < 2; ++wide) {
      Case c;
      c.seed = 14000 + uint32_t(shift) * 2 + uint32_t(wide);
      c.q.shape = shape(5, 9, 19, 21, 3, 3, 1, 1, 1, 1, 1, 1);
      c.q.input_zero_point = 77;
      c.q.weight_zero_point = shift % 3 == 0 ? -9 : 0;
      c.q.output_zero_point = int32_t(rng() % 256);
      c.q.conv_zero_point = int32_t(rng() % 256);
      c.q.residual_zero_point = int32_t(rng() % 256);
      c.residual = true;
      seeded_round_first(c);
      if (wide) c.q.requant = {int32_t(rng() >> 1), 1 + int32_t(rng() % 62)};   // any conv epilogue
      c.q.add_shift = shift;
      const int32_t bits = wide ? 31 : std::min(31, std::max(1, shift - 1));
      c.q.conv_multiplier = int32_t(rng() >> (32 - bits));
      c.q.residual_multiplier = int32_t(rng() >> (32 - bits));
      check(c);
    }
  }
}

// Extreme zero points (c, residual, output) with the conv saturating c at both ends and the
// residual pinned at its extremes.
TEST(QConvVariants, RoundBeforeResidualExtremeZeroPoints) {
  uint32_t seed = 15000;
  for (int32_t zc : {0, 255})
    for (int32_t zr : {0, 255})
      for (int32_t zy : {0, 255})
        for (int values = 0; values < 3; ++values) {
          Case c;
          c.seed = ++seed;
          c.q.shape = shape(6, 7, 35, 18, 3, 3, 1, 1, 1, 1, 1, 1);
          c.q.input_zero_point = values == 2 ? 255 : 0;
          c.q.weight_zero_point = values == 1 ? 127 : 0;
          c.q.output_zero_point = zy;
          c.q.conv_zero_point = zc;
          c.q.residual_zero_point = zr;
          c.residual = true;
          c.r_lo = c.r_hi = 255 - zr;
          if (values == 0) {   // acc as large as it gets: c saturates
            c.x_lo = c.x_hi = 255;
            c.w_lo = c.w_hi = zc == 0 ? -128 : 127;
          }
          seeded_round_first(c);
          if (values == 0) c.q.requant = {1 << 30, 20};
          check(c);
        }
}

}  // namespace
}  // namespace octet::qu8_conv_test
