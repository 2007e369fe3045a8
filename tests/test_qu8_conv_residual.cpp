// int8 NHWC convolution (kernels/int8/conv_*), round_before_residual: the conv rounded to
// its own output c, then the residual Add, in one epilogue (kernels/int8/conv.h). The
// oracle's definition is checked against the reference conv into c followed by the reference
// Add, and by hand; every qu8_conv variant this CPU runs is checked against the oracle, bit
// for bit (tests/qu8_conv_test_util.h), over random shapes, ResNet8's residual convs, Add
// ratios from small to saturating, both operand orders and extreme zero points.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <random>
#include <vector>

#include "qu8_conv_test_util.h"

namespace octet::qu8_conv_test {
namespace {

// The mode's definition (conv.h): the reference equals the reference conv into c (zero point
// zc, clamp [0, 255]) followed by ONNX Runtime's Add (requant.h, qadd_float) in the Add's
// operand order, bit for bit, over random shapes, zero points, scales, ratios and clamps.
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
    sensible_round_first(q, rng);
    if (it % 3 == 0) q.scale = std::ldexp(1.f, -int32_t(rng() % 30));   // saturating or not, ties
    if (rng() % 3 == 0) q.output_min = q.output_zero_point;   // Relu
    if (rng() % 4 == 0) q.output_max = std::max(q.output_min, 128 + int32_t(rng() % 128));
    const size_t in_n = size_t(s.in_h) * s.in_w * s.in_c, out_n = size_t(s.out_h) * s.out_w * s.out_c;
    std::vector<uint8_t> x(in_n), r(out_n), c(out_n), got(out_n);
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
    for (size_t j = 0; j < out_n; ++j) {
      const int32_t want = q.residual_is_first
                               ? kernels::qadd_float(r[j], c[j], q.residual_add, q.output_min, q.output_max)
                               : kernels::qadd_float(c[j], r[j], q.residual_add, q.output_min, q.output_max);
      ASSERT_EQ(int(got[j]), want) << "it " << it << " element " << j;
    }
  }
}

// By hand, on a 1x1 single tap: c is rounded (half to even) and clamped to [0, 255] before the
// Add, which rounds again; fusing without the first rounding would give other codes.
// s_c / s_y = 0.75, s_r / s_y = 0.5, zc = 250, zr = 8, zy = 100, the conv the Add's first
// input: fixed = 100 - fma(0.75, 250, 0.5 * 8) = -91.5, y = round(0.75 c + 0.5 r - 91.5).
TEST(QConvReference, RoundBeforeResidualByHand) {
  QConvParams q;
  q.shape = shape(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0);
  q.scale = 0.5f;   // c = zc + round(acc / 2)
  q.round_before_residual = true;
  q.conv_zero_point = 250;
  q.residual_zero_point = 8;
  q.output_zero_point = 100;
  q.residual_add = kernels::make_qadd_float(0.75f, 250, 0.5f, 8, 1.f, 100);
  ASSERT_EQ(q.residual_add.fixed, -91.5f);
  const int8_t w = 1;
  auto y = [&](int32_t bias, uint8_t r) {
    const uint8_t x = 0;
    uint8_t out = 0;
    kernels::qconv_nhwc(q, &x, &w, &bias, &r, &out);
    return int(out);
  };
  EXPECT_EQ(y(3, 8), 102);     // c = 250 + round(1.5) = 252: 189 + 4 - 91.5 = 101.5 -> 102
  EXPECT_EQ(y(-3, 8), 98);     // c = 250 + round(-1.5) = 248: 186 - 87.5 = 98.5 -> 98 (even)
  EXPECT_EQ(y(5, 8), 102);     // c = 250 + round(2.5) = 252 (even), not 253
  EXPECT_EQ(y(20, 8), 104);    // c = 260 clamps to 255: 191.25 - 87.5 = 103.75 -> 104
  EXPECT_EQ(y(20, 13), 106);   // + (13 - 8) * 0.5: 106.25 -> 106
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
    const int32_t out_c = pick({1, 8, 10, 16, 17, 24, 32, 33, 48, 64, 65, 88, 96});
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

// Add ratios s_c / s_y and s_r / s_y from 2^-12 (the output stays at its zero point) to 2^8
// (it saturates), in both operand orders, and conv scales on both sides of saturating c.
TEST(QConvVariants, RoundBeforeResidualRatios) {
  std::mt19937 rng(78);
  for (int32_t e = -12; e <= 8; ++e) {
    for (int order = 0; order < 2; ++order) {
      Case c;
      c.seed = 14000 + uint32_t(e + 12) * 2 + uint32_t(order);
      c.q.shape = shape(5, 9, 19, 21, 3, 3, 1, 1, 1, 1, 1, 1);
      c.q.input_zero_point = 77;
      c.q.weight_zero_point = e % 3 == 0 ? -9 : 0;
      c.q.output_zero_point = int32_t(rng() % 256);
      c.q.conv_zero_point = int32_t(rng() % 256);
      c.q.residual_zero_point = int32_t(rng() % 256);
      c.residual = true;
      seeded_round_first(c);
      if (order) c.q.scale *= 16;   // c saturates often
      std::uniform_real_distribution<float> f(0.5f, 2.f);
      const float s_y = 0.1f, s_c = std::ldexp(f(rng), e) * s_y, s_r = std::ldexp(f(rng), -e / 2) * s_y;
      c.q.residual_is_first = order == 1;
      const int32_t offset = e % 2 ? 128 : 0;   // an int8 graph's Add on odd exponents
      c.q.residual_add = order ? kernels::make_qadd_float(s_r, c.q.residual_zero_point, s_c, c.q.conv_zero_point,
                                                          s_y, c.q.output_zero_point, offset)
                               : kernels::make_qadd_float(s_c, c.q.conv_zero_point, s_r, c.q.residual_zero_point,
                                                          s_y, c.q.output_zero_point, offset);
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
          if (values == 0) c.q.scale = std::ldexp(1.f, -10);
          check(c);
        }
}

}  // namespace
}  // namespace octet::qu8_conv_test
