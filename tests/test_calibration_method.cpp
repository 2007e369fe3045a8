// Calibration methods (quant/calibration_method.h) and the growing histogram they read
// (quant/histogram.h), on synthetic distributions whose answers are known: a Gaussian with a
// few far outliers (MinMax keeps them, percentile, entropy and MSE clip them), a uniform
// distribution (nothing worth clipping), and exact histogram counts across a growth.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "quant/calibration_method.h"
#include "quant/scheme.h"

namespace octet {
namespace {

using quant::AbsHistogram;
using quant::Method;

// N(0, 1) samples by Box-Muller on mt19937 (whose sequence the standard fixes), then
// `outliers` values at ±50, alternating.
std::vector<float> gaussian_with_outliers(size_t n, size_t outliers) {
  std::mt19937 rng(1234);
  auto uniform = [&] { return (double(rng()) + 0.5) / 4294967296.0; };
  std::vector<float> v;
  for (size_t i = 0; i < n; ++i)
    v.push_back(float(std::sqrt(-2 * std::log(uniform())) * std::cos(2 * M_PI * uniform())));
  for (size_t i = 0; i < outliers; ++i) v.push_back(i % 2 ? -50.f : 50.f);
  return v;
}

// What calibration would record for `v`, added in batches of `batch`.
quant::ValueRange observe(const std::vector<float>& v, size_t batch) {
  quant::ValueRange r;
  r.seen = true;
  r.min = *std::min_element(v.begin(), v.end());
  r.max = *std::max_element(v.begin(), v.end());
  for (size_t s = 0; s < v.size(); s += batch)
    r.histogram.add(std::span<const float>(v).subspan(s, std::min(batch, v.size() - s)));
  return r;
}

// The mean squared error of quantize-dequantize of every sample, measured (not estimated).
double measured_mse(const std::vector<float>& v, float lo, float hi) {
  const QuantParams p = quant::asymmetric_params(lo, hi, DType::Uint8);
  double sum = 0;
  for (float x : v) {
    const double e = double(quant::dequantize_value(quant::quantize_value(x, p), p)) - x;
    sum += e * e;
  }
  return sum / double(v.size());
}

TEST(AbsHistogram, GrowsByMergingBinsExactly) {
  AbsHistogram h;
  h.add(std::vector<float>{0.1f, -0.3f, 0.f, NAN});
  EXPECT_EQ(h.limit(), 0.5);   // the smallest power of two above 0.3
  EXPECT_EQ(h.positive()[static_cast<size_t>(0.1f * 4096.0)], 1);   // bin 409 of [0, 0.5)
  h.add(std::vector<float>{1.f, -INFINITY});   // 1 needs the limit above it: two doublings
  EXPECT_EQ(h.limit(), 2.0);
  EXPECT_EQ(h.total(), 4);
  EXPECT_EQ(h.zeros(), 1);
  EXPECT_EQ(h.positive()[102], 1);   // 0.1: bin 409 / 4, = floor(0.1 * 1024)
  EXPECT_EQ(h.positive()[0], 1);     // the zero
  EXPECT_EQ(h.negative()[307], 1);   // -0.3: floor(0.3 * 1024)
  EXPECT_EQ(h.positive()[1024], 1);  // 1.0
  EXPECT_EQ(h.used_bins(), 1025);
}

TEST(AbsHistogram, ZerosFirstThenValues) {
  AbsHistogram h;
  h.add(std::vector<float>{0.f, 0.f});
  EXPECT_EQ(h.limit(), 0);
  h.add(std::vector<float>{2.f});
  EXPECT_EQ(h.limit(), 4);
  EXPECT_EQ(h.positive()[0], 2);
  EXPECT_EQ(h.positive()[1024], 1);
}

TEST(AbsHistogram, BatchingAndOrderDoNotChangeTheCounts) {
  const std::vector<float> v = gaussian_with_outliers(100000, 6);
  std::vector<float> reversed(v.rbegin(), v.rend());
  AbsHistogram whole, batched, backwards;
  whole.add(v);
  for (size_t s = 0; s < v.size(); s += 777) {
    batched.add(std::span<const float>(v).subspan(s, std::min<size_t>(777, v.size() - s)));
    backwards.add(std::span<const float>(reversed).subspan(s, std::min<size_t>(777, v.size() - s)));
  }
  for (const AbsHistogram* h : {&batched, &backwards}) {
    EXPECT_EQ(h->limit(), whole.limit());
    EXPECT_EQ(h->negative(), whole.negative());
    EXPECT_EQ(h->positive(), whole.positive());
    EXPECT_EQ(h->zeros(), whole.zeros());
  }
}

TEST(CalibrationMethod, NamesRoundTrip) {
  for (Method m : {Method::MinMax, Method::Percentile, Method::Entropy, Method::Mse})
    EXPECT_EQ(quant::method_from_name(quant::method_name(m)), m);
  EXPECT_FALSE(quant::method_from_name("kl"));
}

TEST(CalibrationMethod, MinMaxKeepsTheOutliers) {
  const quant::ValueRange r = observe(gaussian_with_outliers(200000, 10), 4096);
  const auto [lo, hi] = quant::calibrated_range(r, {Method::MinMax}, DType::Uint8);
  EXPECT_EQ(lo, -50.f);
  EXPECT_EQ(hi, 50.f);
}

TEST(CalibrationMethod, PercentileIsTheSamplesQuantileWithinOneBin) {
  const std::vector<float> v = gaussian_with_outliers(200000, 10);
  const quant::ValueRange r = observe(v, 4096);
  for (double p : {99.0, 99.9, 99.99}) {
    std::vector<float> mag;
    for (float x : v) mag.push_back(std::fabs(x));
    std::sort(mag.begin(), mag.end());
    const float quantile = mag[static_cast<size_t>(std::ceil(p / 100 * double(mag.size()))) - 1];
    const auto [lo, hi] = quant::calibrated_range(r, {Method::Percentile, p}, DType::Uint8);
    EXPECT_EQ(lo, -hi) << p;
    EXPECT_GE(hi, quantile) << p;
    EXPECT_LE(hi, quantile + r.histogram.bin_width()) << p;
  }
  // Gaussian quantiles of |x|: 2.576 (99 %), 3.29 (99.9 %); the outliers stay out of both.
  EXPECT_NEAR(quant::percentile_threshold(r.histogram, 99.0), 2.576, 0.05);
  EXPECT_NEAR(quant::percentile_threshold(r.histogram, 99.9), 3.29, 0.08);
}

TEST(CalibrationMethod, PercentileOutsideItsRangeIsRefused) {
  const quant::ValueRange r = observe({1.f, 2.f}, 2);
  EXPECT_THROW(quant::calibrated_range(r, {Method::Percentile, 0.0}, DType::Uint8), Error);
  EXPECT_THROW(quant::calibrated_range(r, {Method::Percentile, 100.5}, DType::Uint8), Error);
}

TEST(CalibrationMethod, EntropyClipsTheOutliersButNotTheBulk) {
  const quant::ValueRange r = observe(gaussian_with_outliers(200000, 10), 4096);
  const double t = quant::entropy_threshold(r.histogram);
  EXPECT_GT(t, 3.0);    // keeps 99.7 % of the Gaussian
  EXPECT_LT(t, 12.0);   // and saturates the outliers at ±50
}

TEST(CalibrationMethod, EntropyKeepsAUniformDistribution) {
  std::vector<float> v;
  for (int i = 0; i < 100000; ++i) v.push_back(float(i) / 100000.f);
  const quant::ValueRange r = observe(v, 1000);
  EXPECT_GT(quant::entropy_threshold(r.histogram), 0.95);
}

TEST(CalibrationMethod, MseIsALocalMinimumOfTheMeasuredError) {
  // A plain Gaussian: on a 255-step grid the error is smallest near T = 4 (below that the
  // clipped tail costs more, above it the rounding); its largest |x| among 10^6 samples is beyond 4.5.
  const std::vector<float> v = gaussian_with_outliers(1000000, 0);
  const quant::ValueRange r = observe(v, 4096);
  const auto [lo, hi] = quant::calibrated_range(r, {Method::Mse}, DType::Uint8);
  ASSERT_GT(r.max, 4.5f);
  EXPECT_GT(hi, 3.5f);
  EXPECT_LT(hi, 4.4f);
  EXPECT_GE(lo, -hi);
  const double at_t = measured_mse(v, lo, hi);
  EXPECT_LT(at_t, measured_mse(v, 0.9f * lo, 0.9f * hi));
  EXPECT_LT(at_t, measured_mse(v, 1.1f * lo, 1.1f * hi));
  EXPECT_LT(at_t, measured_mse(v, r.min, r.max));   // below MinMax's error
  // The histogram's estimate agrees with the measurement within 10 %.
  EXPECT_NEAR(quant::histogram_mse(r.histogram, lo, hi, DType::Uint8), at_t, 0.1 * at_t);
}

TEST(CalibrationMethod, MseKeepsFarOutliersThatWouldCostMoreClipped) {
  // 10 values at ±50 among 200,000: clipping them at 4 would cost 5e-5 * 46^2 = 0.1 per
  // value, more than the whole rounding error of MinMax's grid (0.39^2 / 12 = 0.013).
  const std::vector<float> v = gaussian_with_outliers(200000, 10);
  const quant::ValueRange r = observe(v, 4096);
  const auto [lo, hi] = quant::calibrated_range(r, {Method::Mse}, DType::Uint8);
  EXPECT_GT(hi, 40.f);
  EXPECT_LE(measured_mse(v, lo, hi), measured_mse(v, -50.f, 50.f));
}

TEST(CalibrationMethod, ClippedRangeStaysInsideTheObservedOne) {
  // A ReLU output: nothing below 0, so the clipped range starts at 0 for every method.
  std::vector<float> v = gaussian_with_outliers(50000, 4);
  for (float& x : v) x = std::max(x, 0.f);
  const quant::ValueRange r = observe(v, 1000);
  for (Method m : {Method::Percentile, Method::Entropy, Method::Mse}) {
    const auto [lo, hi] = quant::calibrated_range(r, {m}, DType::Uint8);
    EXPECT_EQ(lo, 0.f) << quant::method_name(m);
    EXPECT_GT(hi, 2.f) << quant::method_name(m);
    EXPECT_LT(hi, 50.f) << quant::method_name(m);
  }
}

}  // namespace
}  // namespace octet
