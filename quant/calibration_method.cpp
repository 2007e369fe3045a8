#include "quant/calibration_method.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "graph/ir.h"
#include "quant/scheme.h"

namespace octet::quant {

std::string_view method_name(Method m) {
  switch (m) {
    case Method::MinMax: return "minmax";
    case Method::Percentile: return "percentile";
    case Method::Entropy: return "entropy";
    case Method::Mse: return "mse";
  }
  return "?";
}

std::optional<Method> method_from_name(std::string_view name) {
  for (Method m : {Method::MinMax, Method::Percentile, Method::Entropy, Method::Mse})
    if (method_name(m) == name) return m;
  return std::nullopt;
}

std::string method_label(const MethodOptions& options) {
  std::string label(method_name(options.method));
  if (options.method == Method::Percentile) {
    char p[32];
    std::snprintf(p, sizeof p, " %g", options.percentile);
    label += p;
  }
  return label;
}

namespace {

// The upper edge of the first `bins` bins (at most the histogram's limit).
double edge(const AbsHistogram& h, int bins) {
  return std::min(h.limit(), double(bins) * h.bin_width());
}

// Moves a little mass from the nonzero entries to the zero ones, so that a KL divergence
// never divides by zero (MXNet's and ONNX Runtime's _smooth_distribution, on counts).
// False when every entry is zero.
bool smooth(std::vector<double>& d) {
  constexpr double eps = 1e-4;
  const size_t zeros = static_cast<size_t>(std::count(d.begin(), d.end(), 0.0));
  if (zeros == d.size()) return false;
  const double eps_nonzero = eps * double(zeros) / double(d.size() - zeros);
  for (double& x : d) x += x == 0 ? eps : -eps_nonzero;
  return true;
}

// KL(p || q) of two count vectors, each normalised to sum 1.
double kl_divergence(const std::vector<double>& p, const std::vector<double>& q) {
  double sp = 0, sq = 0;
  for (size_t k = 0; k < p.size(); ++k) sp += p[k], sq += q[k];
  double kl = 0;
  for (size_t k = 0; k < p.size(); ++k)
    if (p[k] > 0) kl += p[k] / sp * std::log((p[k] / sp) / (q[k] / sq));
  return kl;
}

}  // namespace

double percentile_threshold(const AbsHistogram& h, double percentile) {
  if (h.empty()) return 0;
  const std::vector<int64_t> m = h.magnitude();
  const double wanted = percentile / 100.0 * double(h.total());
  int64_t cumulative = 0;
  for (int i = 0; i < AbsHistogram::kBins; ++i) {
    cumulative += m[static_cast<size_t>(i)];
    if (double(cumulative) >= wanted) return edge(h, i + 1);
  }
  return h.limit();
}

double entropy_threshold(const AbsHistogram& h) {
  constexpr int kLevels = 128;   // the positive half of an 8-bit grid
  const int used = h.used_bins();
  if (used <= kLevels) return edge(h, used);
  // Exact zeros are left out, as ncnn leaves them out: they are stored exactly whatever T is,
  // and a Relu output's spike of zeros in bin 0 would otherwise pull T down.
  std::vector<int64_t> hist = h.magnitude();
  hist[0] -= h.zeros();
  int64_t outliers = 0;
  for (int k = kLevels; k < used; ++k) outliers += hist[static_cast<size_t>(k)];
  double best_kl = std::numeric_limits<double>::infinity();
  int best = used;
  for (int i = kLevels; i <= used; ++i) {
    // p: the first i bins, with everything beyond folded into the last of them.
    std::vector<double> p(hist.begin(), hist.begin() + i);
    p[static_cast<size_t>(i - 1)] += double(outliers);
    // q: the first i bins (without the outliers) merged into 128 levels, each level's count
    // spread evenly over the bins of p that are not empty.
    std::vector<double> q(static_cast<size_t>(i), 0.0);
    const int merged = i / kLevels;
    for (int j = 0; j < kLevels; ++j) {
      const int start = j * merged, stop = j == kLevels - 1 ? i : start + merged;
      double level = 0;
      int nonzero = 0;
      for (int k = start; k < stop; ++k) {
        level += double(hist[static_cast<size_t>(k)]);
        nonzero += p[static_cast<size_t>(k)] != 0;
      }
      if (nonzero == 0) continue;
      for (int k = start; k < stop; ++k)
        if (p[static_cast<size_t>(k)] != 0) q[static_cast<size_t>(k)] = level / nonzero;
    }
    if (i < used) outliers -= hist[static_cast<size_t>(i)];
    if (!smooth(p) || !smooth(q)) continue;
    const double kl = kl_divergence(p, q);
    if (kl < best_kl) best_kl = kl, best = i;
  }
  return edge(h, best);
}

double histogram_mse(const AbsHistogram& h, float lo, float hi, DType dtype) {
  if (h.empty()) return 0;
  const QuantParams p = asymmetric_params(lo, hi, dtype);
  const double grid_lo = dequantize_value(qmin(dtype), p), grid_hi = dequantize_value(qmax(dtype), p);
  const double rounding = double(p.scale) * double(p.scale) / 12.0;
  double sum = 0;
  int64_t inside = 0;
  const int used = h.used_bins();
  for (int b = 0; b < used; ++b) {
    const double centre = (b + 0.5) * h.bin_width();
    for (const auto& [count, v] : {std::pair{h.negative()[static_cast<size_t>(b)], -centre},
                                   std::pair{h.positive()[static_cast<size_t>(b)], centre}}) {
      if (count == 0) continue;
      if (v < grid_lo) sum += double(count) * (grid_lo - v) * (grid_lo - v);
      else if (v > grid_hi) sum += double(count) * (v - grid_hi) * (v - grid_hi);
      else inside += count;
    }
  }
  sum += double(inside - h.zeros()) * rounding;
  return sum / double(h.total());
}

double mse_threshold(const AbsHistogram& h, float min, float max, DType dtype) {
  const int used = h.used_bins();
  double best_mse = std::numeric_limits<double>::infinity(), best = edge(h, used);
  for (int i = 1; i <= used; ++i) {
    const double t = edge(h, i);
    const double mse = histogram_mse(h, std::max(min, float(-t)), std::min(max, float(t)), dtype);
    if (mse < best_mse) best_mse = mse, best = t;
  }
  return best;
}

std::pair<float, float> calibrated_range(const ValueRange& r, const MethodOptions& options, DType dtype) {
  double t = 0;
  switch (options.method) {
    case Method::MinMax: return {r.min, r.max};
    case Method::Percentile:
      if (!(options.percentile > 0 && options.percentile <= 100))
        throw Error("percentile " + std::to_string(options.percentile) + " is outside (0, 100]");
      t = percentile_threshold(r.histogram, options.percentile);
      break;
    case Method::Entropy: t = entropy_threshold(r.histogram); break;
    case Method::Mse: t = mse_threshold(r.histogram, r.min, r.max, dtype); break;
  }
  return {std::max(r.min, float(-t)), std::min(r.max, float(t))};
}

}  // namespace octet::quant
