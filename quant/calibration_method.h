// Calibration methods: how a calibrated value's observed numbers become the range its
// activation parameters are computed from (docs/quantization.md, "Calibration methods").
// MinMax takes [min, max] as observed. The others pick a clipping threshold T on the histogram
// of |x| (quant/histogram.h) and quantize over [max(min, -T), min(max, T)]: values beyond T
// saturate, the ones below get a finer grid.
//   percentile: T = the P-th percentile of |x|;
//   entropy:    T minimising the KL divergence between the histogram clipped at T and its
//               128-level quantization (TensorRT's and ncnn's method; exact zeros left out);
//   mse:        T minimising the mean squared error of quantize-dequantize with the scheme's
//               activation parameters.
// The thresholds are pure functions of the histogram: the same data gives the same file.
// Weights keep MinMax (they are known exactly; clipping them is per-channel's business).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "graph/dtype.h"
#include "quant/calibrate.h"
#include "quant/histogram.h"

namespace octet::quant {

enum class Method { MinMax, Percentile, Entropy, Mse };

std::string_view method_name(Method m);   // "minmax", "percentile", "entropy", "mse"
std::optional<Method> method_from_name(std::string_view name);

struct MethodOptions {
  Method method = Method::MinMax;
  double percentile = 99.99;   // percentile only: P in (0, 100]
};

// "minmax", "entropy", "mse", "percentile 99.99": the method as reports name it.
std::string method_label(const MethodOptions& options);

// T for each method, in the units of x (at most the histogram's limit). An empty histogram
// gives 0.
double percentile_threshold(const AbsHistogram& h, double percentile);
double entropy_threshold(const AbsHistogram& h);
// `min`/`max`: the observed range, which the clipped range stays inside; `dtype` the
// activation storage type (Uint8 or Int8, asymmetric parameters).
double mse_threshold(const AbsHistogram& h, float min, float max, DType dtype);

// The mean squared error of quantize-dequantize over the histogram with asymmetric parameters
// for [lo, hi]: a value in a bin is taken at the bin's centre; a value beyond the grid's ends
// costs its distance to the end squared, one inside the grid scale^2 / 12 (uniform rounding
// error), an exact zero nothing (it is stored exactly).
double histogram_mse(const AbsHistogram& h, float lo, float hi, DType dtype);

// The clipped range [max(min, -T), min(max, T)] (MinMax: [min, max]) of an observed value.
// Throws octet::Error for a percentile outside (0, 100].
std::pair<float, float> calibrated_range(const ValueRange& r, const MethodOptions& options, DType dtype);

}  // namespace octet::quant
