// kernels/int8/requant.h, the float requantisation every int8 kernel ends in (ONNX Runtime's
// arithmetic): requantize_float's rounding (half to even, after float(acc) has rounded), its
// clamp at any scale; conv_requant_scale's two roundings; QLinearAdd's constants and element
// formula against exact arithmetic; the range checks the plan loader relies on. The kernels'
// agreement with ONNX Runtime itself is checked by tests/ort_parity (needs onnxruntime-node).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include "kernels/int8/requant.h"

namespace {

using octet::kernels::conv_requant_scale;
using octet::kernels::make_qadd_float;
using octet::kernels::qadd_float;
using octet::kernels::qadd_float_ok;
using octet::kernels::QAddFloat;
using octet::kernels::requant_scale_ok;
using octet::kernels::requantize_float;

TEST(RequantizeFloat, TiesGoToEven) {
  // scale 1/2: odd accumulators land on ties.
  EXPECT_EQ(requantize_float(5, 0.5f, 100, 0, 255), 102);    // 2.5 -> 2
  EXPECT_EQ(requantize_float(7, 0.5f, 100, 0, 255), 104);    // 3.5 -> 4
  EXPECT_EQ(requantize_float(-5, 0.5f, 100, 0, 255), 98);    // -2.5 -> -2
  EXPECT_EQ(requantize_float(-7, 0.5f, 100, 0, 255), 96);    // -3.5 -> -4
  EXPECT_EQ(requantize_float(9, 0.25f, 0, 0, 255), 2);       // 2.25 -> 2
  EXPECT_EQ(requantize_float(11, 0.25f, 0, 0, 255), 3);      // 2.75 -> 3
}

TEST(RequantizeFloat, TheAccumulatorIsRoundedToFloatFirst) {
  // 2^24 + 1 is not a float: it becomes 2^24, and 2^24 * 5 * 2^-25 = 2.5 rounds to 2, where
  // exact arithmetic (2.50000015) would give 3. ONNX Runtime's cvtdq2ps does the same.
  const float scale = 5.f * std::ldexp(1.f, -25);
  EXPECT_EQ(requantize_float((1 << 24) + 1, scale, 0, 0, 255), 2);
  EXPECT_EQ(requantize_float((1 << 24) + 4, scale, 0, 0, 255), 3);   // 2^24 + 4 is exact: 2.5000006
}

TEST(RequantizeFloat, ClampsAtEveryScale) {
  const int32_t extremes[] = {std::numeric_limits<int32_t>::min(), -1000000, -1, 0, 1, 1000000,
                              std::numeric_limits<int32_t>::max()};
  const float scales[] = {0.f, 1e-40f, 1e-9f, 0.0123f, 1.f, 1e9f, 3e38f};
  for (const float s : scales)
    for (const int32_t acc : extremes) {
      const double exact = std::nearbyint(double(float(acc)) * double(s)) + 30;
      const double want = std::min(200.0, std::max(20.0, exact));
      const int got = requantize_float(acc, s, 30, 20, 200);
      // 3e38 * 2^31 overflows to infinity in float; the clamp still holds.
      if (std::isfinite(float(acc) * s)) {
        EXPECT_EQ(got, int(want)) << acc << " * " << s;
      }
      EXPECT_GE(got, 20);
      EXPECT_LE(got, 200);
    }
  EXPECT_EQ(requantize_float(123456, 0.f, 77, 0, 255), 77);   // scale 0: the zero point
}

TEST(ConvRequantScale, RoundsTheProductThenTheQuotient) {
  // float(float(x * w) / y), as QLinearConv's ComputeOutputScale: differs from the correctly
  // rounded x*w/y on some triples. Both roundings are checked against double arithmetic.
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(0.001f, 1.f);
  int differs = 0;
  for (int i = 0; i < 20000; ++i) {
    const float x = u(rng), w = u(rng) * 0.01f, y = u(rng);
    const float product = float(double(x) * double(w));
    EXPECT_EQ(conv_requant_scale(x, w, y), float(double(product) / double(y)));
    differs += conv_requant_scale(x, w, y) != float(double(x) * double(w) / double(y));
  }
  EXPECT_GT(differs, 0);   // so the order of the roundings matters, and is pinned
}

TEST(QAddFloat, FixedTermFusesTheFirstProduct) {
  // ONNX Runtime's build contracts ratio_a * z_a into an FMA with ratio_b * z_b
  // (tests/ort_parity/vector_parity.py --add-fixed-variants measured it): find triples where
  // that differs from three separate roundings and check make_qadd_float takes the fused one.
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> u(0.001f, 0.1f);
  std::uniform_int_distribution<int32_t> z(0, 255);
  int differs = 0;
  for (int i = 0; i < 20000; ++i) {
    const float sa = u(rng), sb = u(rng), sc = u(rng);
    const int32_t za = z(rng), zb = z(rng), zc = z(rng);
    const QAddFloat q = make_qadd_float(sa, za, sb, zb, sc, zc);
    EXPECT_EQ(q.ratio_a, sa / sc);
    EXPECT_EQ(q.ratio_b, sb / sc);
    const float part_b = q.ratio_b * float(zb);
    EXPECT_EQ(q.fixed, float(zc) - std::fma(q.ratio_a, float(za), part_b));
    const float unfused_sum = q.ratio_a * float(za) + part_b;   // -ffp-contract=off: two roundings
    differs += q.fixed != float(zc) - unfused_sum;
  }
  EXPECT_GT(differs, 0);
}

TEST(QAddFloat, WithinHalfACodeOfExactArithmeticAndClamped) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(0.002f, 0.05f);
  std::uniform_int_distribution<int32_t> code(0, 255);
  for (int t = 0; t < 200; ++t) {
    const float sa = u(rng), sb = u(rng), sc = u(rng);
    const int32_t za = code(rng), zb = code(rng), zc = code(rng);
    const QAddFloat q = make_qadd_float(sa, za, sb, zb, sc, zc);
    for (int i = 0; i < 200; ++i) {
      const int32_t a = code(rng), b = code(rng);
      const double exact = (double(sa) * (a - za) + double(sb) * (b - zb)) / double(sc) + zc;
      const int got = qadd_float(a, b, q, 10, 250);
      const double clamped = std::min(250.0, std::max(10.0, exact));
      EXPECT_LE(std::abs(got - clamped), 0.5 + 1e-4) << a << " " << b;
    }
  }
}

TEST(QAddFloat, TheSecondOperandIsAddedFirst) {
  // t = fma(a, ratio_a, fma(b, ratio_b, fixed)): swapping the operands (and their parameters)
  // changes the roundings, so some codes differ: the fused residual keeps the Add's order.
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> u(0.002f, 0.05f);
  std::uniform_int_distribution<int32_t> code(0, 255);
  int differs = 0;
  for (int t = 0; t < 500; ++t) {
    const float sa = u(rng), sb = u(rng), sc = u(rng);
    const int32_t za = code(rng), zb = code(rng), zc = code(rng);
    const QAddFloat ab = make_qadd_float(sa, za, sb, zb, sc, zc), ba = make_qadd_float(sb, zb, sa, za, sc, zc);
    for (int a = 0; a < 256; a += 3)
      for (int b = 0; b < 256; b += 5) differs += qadd_float(a, b, ab, 0, 255) != qadd_float(b, a, ba, 0, 255);
  }
  EXPECT_GT(differs, 0);
}

TEST(QAddFloat, CodeOffsetRunsTheFormulaOnInt8Codes) {
  // With code_offset 128 the buffers hold int8 codes + 128: the result is, bit for bit, the
  // formula applied to the int8 codes and zero points themselves (as ONNX Runtime's int8
  // QLinearAdd does) and shifted back; on the uint8 codes directly, ties round otherwise.
  std::mt19937 rng(9);
  std::uniform_real_distribution<float> u(0.002f, 0.05f);
  std::uniform_int_distribution<int32_t> code(-128, 127);
  int differs = 0;
  for (int t = 0; t < 300; ++t) {
    const float sa = u(rng), sb = u(rng), sc = u(rng);
    const int32_t za = code(rng), zb = code(rng), zc = code(rng), lo = t % 3 ? -128 : zc, hi = 127;
    const QAddFloat on_int8 = make_qadd_float(sa, za, sb, zb, sc, zc);   // int32 codes may be negative
    const QAddFloat shifted = make_qadd_float(sa, za + 128, sb, zb + 128, sc, zc + 128, 128);
    const QAddFloat unshifted = make_qadd_float(sa, za + 128, sb, zb + 128, sc, zc + 128);
    for (int a = -128; a < 128; a += 3)
      for (int b = -128; b < 128; b += 5) {
        const int want = static_cast<int8_t>(qadd_float(a, b, on_int8, lo, hi)) + 128;
        ASSERT_EQ(qadd_float(a + 128, b + 128, shifted, lo + 128, hi + 128), want) << a << " " << b << " set " << t;
        differs += qadd_float(a + 128, b + 128, unshifted, lo + 128, hi + 128) != want;
      }
  }
  EXPECT_GT(differs, 0);
  EXPECT_FALSE(qadd_float_ok(QAddFloat{1.f, 1.f, 0.f, 64}));   // 0 and 128 only
}

TEST(RequantRanges, WhatThePlanLoaderAccepts) {
  EXPECT_TRUE(requant_scale_ok(0.f));
  EXPECT_TRUE(requant_scale_ok(3e38f));
  EXPECT_FALSE(requant_scale_ok(-1e-30f));
  EXPECT_FALSE(requant_scale_ok(std::numeric_limits<float>::infinity()));
  EXPECT_FALSE(requant_scale_ok(std::numeric_limits<float>::quiet_NaN()));
  EXPECT_TRUE(qadd_float_ok(make_qadd_float(0.1f, 128, 0.2f, 3, 0.05f, 0)));
  EXPECT_FALSE(qadd_float_ok(make_qadd_float(1.f, 0, 1.f, 0, 1e-30f, 0)));   // ratios of 1e30
  QAddFloat nan;
  nan.fixed = std::numeric_limits<float>::quiet_NaN();
  EXPECT_FALSE(qadd_float_ok(nan));
}

}  // namespace
