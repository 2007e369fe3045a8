// The fixed-point requantisation of kernels/int8/requant.h: make_requant and
// make_requant_pair (accuracy of m / 2^s against the real multiplier, ranges refused),
// rounding_shift (round half up, checked against exact __int128 and long double rounding on
// random accumulators times real multipliers) and requantize_u8's exact clamp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include "kernels/int8/requant.h"

namespace octet {
namespace {

using kernels::make_requant;
using kernels::make_requant_pair;
using kernels::Requant;
using kernels::requantize_u8;
using kernels::rounding_shift;

// m / 2^s exactly (long double holds 64 significant bits; m has 31).
long double value(int64_t m, int32_t s) { return std::ldexp(static_cast<long double>(m), -s); }

// floor(v / 2^s + 1/2), exactly, from truncating __int128 division.
int64_t exact_round_half_up(__int128 v, int32_t s) {
  const __int128 d = static_cast<__int128>(1) << s;
  __int128 q = v / d, r = v % d;
  if (r < 0) {   // to floor division
    q -= 1;
    r += d;
  }
  if (2 * r >= d) q += 1;   // ties go up
  return static_cast<int64_t>(q);
}

TEST(Requant, MakeRequantIsWithin2ToMinus31Relative) {
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> log2m(-32, 30);
  for (int i = 0; i < 200000; ++i) {
    double real = std::exp2(log2m(rng));
    if (real >= 0x1p30 - 0.25) continue;   // see MakeRequantRangeEnd
    Requant r;
    ASSERT_TRUE(make_requant(real, &r)) << real;
    ASSERT_GE(r.shift, 1);
    ASSERT_LE(r.shift, 62);
    // Normalised: m uses 31 bits, so the relative error bound holds.
    ASSERT_GE(r.multiplier, 1 << 30) << real;
    ASSERT_LT(int64_t{r.multiplier}, int64_t{1} << 31);
    const long double err = std::fabs(value(r.multiplier, r.shift) - static_cast<long double>(real));
    ASSERT_LE(err, std::ldexp(static_cast<long double>(real), -31)) << real << " -> " << r.multiplier << " >> " << r.shift;
  }
}

TEST(Requant, MakeRequantKnownValues) {
  Requant r;
  ASSERT_TRUE(make_requant(1.0, &r));
  EXPECT_EQ(r.multiplier, 1 << 30);
  EXPECT_EQ(r.shift, 30);
  ASSERT_TRUE(make_requant(0.75, &r));   // 0.75 = 0.75 * 2^0: m = 0.75 * 2^31
  EXPECT_EQ(r.multiplier, 3 << 29);
  EXPECT_EQ(r.shift, 31);
  // Just below a power of two: f * 2^31 rounds up to 2^31, so one less bit of shift.
  ASSERT_TRUE(make_requant(std::nextafter(0.5, 0.0), &r));
  EXPECT_EQ(r.multiplier, 1 << 30);
  EXPECT_EQ(r.shift, 31);
  ASSERT_TRUE(make_requant(0.0, &r));
  EXPECT_EQ(r.multiplier, 0);
  ASSERT_TRUE(make_requant(-0.0, &r));
  EXPECT_EQ(r.multiplier, 0);
}

TEST(Requant, MakeRequantTinyMultipliersUseTheLargestShift) {
  // Below 2^-32 the shift stays at 62 and m = round(M * 2^62) loses relative precision, but
  // is still the nearest multiplier at that shift.
  for (double real : {0x1p-33, 3e-11, 1e-15, 1e-19, 0x1p-64, 1e-300, DBL_TRUE_MIN}) {
    Requant r;
    ASSERT_TRUE(make_requant(real, &r)) << real;
    EXPECT_EQ(r.shift, 62);
    EXPECT_LE(std::fabs(static_cast<long double>(r.multiplier) - std::ldexp(static_cast<long double>(real), 62)), 0.5L)
        << real;
  }
}

TEST(Requant, MakeRequantRefusesOutOfRange) {
  Requant r{123, 7};
  const double bads[] = {-1.0, -1e-300, -DBL_TRUE_MIN, std::nan(""), HUGE_VAL, -HUGE_VAL, 0x1p30, 0x1p31, 1e300, DBL_MAX};
  for (double bad : bads) {
    EXPECT_FALSE(make_requant(bad, &r)) << bad;
  }
  EXPECT_EQ(r.multiplier, 123);   // untouched on failure
  EXPECT_EQ(r.shift, 7);
}

TEST(Requant, MakeRequantRangeEnd) {
  // The largest multiplier needs shift 1: m = round(2M) < 2^31, so M < 2^30 - 1/4.
  Requant r;
  ASSERT_TRUE(make_requant(0x1p30 - 0.5, &r));
  EXPECT_EQ(r.shift, 1);
  EXPECT_EQ(r.multiplier, INT32_MAX);
  EXPECT_FALSE(make_requant(0x1p30 - 0.25, &r));
  EXPECT_FALSE(make_requant(std::nextafter(0x1p30, 0.0), &r));
}

TEST(Requant, MakeRequantPairSharesTheLargerShift) {
  std::mt19937_64 rng(2);
  std::uniform_real_distribution<double> log2m(-20, 20);
  for (int i = 0; i < 100000; ++i) {
    const double m1 = std::exp2(log2m(rng)), m2 = std::exp2(log2m(rng));
    Requant first, alone;
    int32_t second = -1;
    ASSERT_TRUE(make_requant_pair(m1, m2, &first, &second));
    ASSERT_TRUE(make_requant(std::max(m1, m2), &alone));
    // The larger one is exactly what make_requant gives alone; both share its shift.
    EXPECT_EQ(first.shift, alone.shift);
    EXPECT_EQ(m1 >= m2 ? first.multiplier : second, alone.multiplier);
    ASSERT_GE(second, 0);
    ASSERT_GE(first.multiplier, 0);
    // Each is the nearest integer at that shift: |m - M * 2^s| <= 1/2.
    EXPECT_LE(std::fabs(first.multiplier - std::ldexp(static_cast<long double>(m1), first.shift)), 0.5L);
    EXPECT_LE(std::fabs(second - std::ldexp(static_cast<long double>(m2), first.shift)), 0.5L);
    // So the larger is within 2^-31 relative.
    const double larger = std::max(m1, m2);
    EXPECT_LE(std::fabs(value(std::max(first.multiplier, second), first.shift) - larger), std::ldexp(larger, -31));
    if (HasFailure()) return;
  }
}

TEST(Requant, MakeRequantPairRefusesEitherOutOfRange) {
  Requant r;
  int32_t m2 = 0;
  const double bad[] = {-0.5, std::nan(""), HUGE_VAL, -HUGE_VAL, 0x1p30, 1e300};
  for (double b : bad) {
    EXPECT_FALSE(make_requant_pair(b, 0.5, &r, &m2)) << b;
    EXPECT_FALSE(make_requant_pair(0.5, b, &r, &m2)) << b;
    EXPECT_FALSE(make_requant_pair(b, b, &r, &m2)) << b;
  }
  ASSERT_TRUE(make_requant_pair(0.0, 0.0, &r, &m2));
  EXPECT_EQ(r.multiplier, 0);
  EXPECT_EQ(m2, 0);
  ASSERT_TRUE(make_requant_pair(0.0, 0.25, &r, &m2));
  EXPECT_EQ(r.multiplier, 0);
  EXPECT_EQ(m2, 1 << 30);
}

TEST(Requant, RoundingShiftTiesGoUp) {
  // v / 2 for v = -5..5: -2.5 -> -2, -1.5 -> -1, -0.5 -> 0, 0.5 -> 1, 1.5 -> 2, 2.5 -> 3.
  const int64_t want[] = {-2, -2, -1, -1, 0, 0, 1, 1, 2, 2, 3};
  for (int64_t v = -5; v <= 5; ++v) EXPECT_EQ(rounding_shift(v, 1), want[v + 5]) << v << " / 2";
  // Quarters: -0.75 -> -1, -0.25 -> 0, 0.25 -> 0, 0.75 -> 1.
  EXPECT_EQ(rounding_shift(-3, 2), -1);
  EXPECT_EQ(rounding_shift(-1, 2), 0);
  EXPECT_EQ(rounding_shift(1, 2), 0);
  EXPECT_EQ(rounding_shift(3, 2), 1);
  // Exact ties (2k + 1) * 2^(s-1) at every shift give k + 1, for positive and negative k.
  std::mt19937_64 rng(3);
  for (int32_t s = 1; s <= 62; ++s) {
    const int64_t k_max = (int64_t{1} << (62 - s)) - 1;
    for (int i = 0; i < 200; ++i) {
      int64_t k = static_cast<int64_t>(rng() % static_cast<uint64_t>(k_max + 1));
      if (i % 2) k = -k - 1;
      if (i == 0) k = 0;
      if (i == 1) k = -1;
      const int64_t v = (2 * k + 1) * (int64_t{1} << (s - 1));
      ASSERT_EQ(rounding_shift(v, s), k + 1) << "v " << v << " s " << s;
      ASSERT_EQ(rounding_shift(v - 1, s), k) << "just below a tie";
    }
  }
}

TEST(Requant, RoundingShiftIsExactOnRandomAccumulators) {
  // acc * m (+ a residual term) for random int32 accumulators and multipliers made from
  // random real multipliers, against exact rounding in __int128 and in long double.
  std::mt19937_64 rng(4);
  std::uniform_real_distribution<double> log2m(-24, 8);
  for (int i = 0; i < 1000000; ++i) {
    Requant r;
    int32_t m_res = 0;
    ASSERT_TRUE(make_requant_pair(std::exp2(log2m(rng)), std::exp2(log2m(rng)), &r, &m_res));
    int32_t acc = static_cast<int32_t>(rng());
    if (i % 3 == 0) acc = static_cast<int32_t>(acc >> (rng() % 31));   // small ones too
    if (i == 0) acc = INT32_MIN;
    if (i == 1) acc = INT32_MAX;
    const int32_t res = static_cast<int32_t>(rng() % 511) - 255;
    const int64_t v = int64_t{acc} * r.multiplier + int64_t{res} * m_res;
    const int64_t got = rounding_shift(v, r.shift);
    ASSERT_EQ(got, exact_round_half_up(v, r.shift)) << "v " << v << " s " << r.shift;
    const long double t = std::ldexp(static_cast<long double>(v), -r.shift);   // exact: 63 bits
    ASSERT_EQ(got, static_cast<int64_t>(std::floor(t + 0.5L))) << "v " << v << " s " << r.shift;
  }
}

TEST(Requant, RequantizeU8ClampsExactly) {
  // shift 4: rounding_shift(v) = floor(v / 16 + 1/2).
  const int32_t s = 4, zp = 100, lo = 20, hi = 230;
  auto at = [&](int64_t q) { return requantize_u8(q * 16, s, zp, lo, hi); };   // rounding_shift = q
  EXPECT_EQ(at(-81), 20);    // zp + q = 19 -> lo
  EXPECT_EQ(at(-80), 20);    // exactly lo
  EXPECT_EQ(at(-79), 21);
  EXPECT_EQ(at(129), 229);
  EXPECT_EQ(at(130), 230);   // exactly hi
  EXPECT_EQ(at(131), 230);
  // No intermediate saturation or wrap-around: values far beyond 8, 16 or 32 bits clamp.
  EXPECT_EQ(requantize_u8(int64_t{1} << 61, 1, 0, 0, 255), 255);
  EXPECT_EQ(requantize_u8(-(int64_t{1} << 61), 1, 255, 0, 255), 0);
  EXPECT_EQ(requantize_u8(int64_t{256 - 100} << 4, s, zp, 0, 255), 255);   // 256 would wrap to 0 as uint8
  EXPECT_EQ(requantize_u8((int64_t{1} << 32) << 4, s, 0, 0, 255), 255);    // 2^32 would wrap to 0 as int32
  EXPECT_EQ(requantize_u8(-(int64_t{1} << 36), s, 255, 0, 255), 0);
  // Half-up at the clamp edge: -80.5 rounds to -80 (lo), 129.5 to 130 (hi).
  EXPECT_EQ(requantize_u8(-80 * 16 - 8, s, zp, lo, hi), 20);
  EXPECT_EQ(requantize_u8(-80 * 16 - 9, s, zp, lo, hi), 20);
  EXPECT_EQ(requantize_u8(129 * 16 + 8, s, zp, lo, hi), 230);
  EXPECT_EQ(requantize_u8(129 * 16 + 7, s, zp, lo, hi), 229);
  // Against the definition on random values.
  std::mt19937_64 rng(5);
  for (int i = 0; i < 100000; ++i) {
    const int32_t shift = 1 + static_cast<int32_t>(rng() % 62);
    const int64_t v = static_cast<int64_t>(rng()) >> (1 + rng() % 63);
    const int32_t z = static_cast<int32_t>(rng() % 256), l = static_cast<int32_t>(rng() % 128);
    const int32_t h = l + static_cast<int32_t>(rng() % (256 - l));
    const int64_t y = z + exact_round_half_up(v, shift);
    const int64_t want = y < l ? l : y > h ? h : y;
    ASSERT_EQ(requantize_u8(v, shift, z, l, h), want) << "v " << v << " s " << shift;
  }
}

}  // namespace
}  // namespace octet
