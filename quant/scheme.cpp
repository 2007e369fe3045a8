#include "quant/scheme.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace octet::quant {

std::string_view scheme_name(Scheme s) {
  switch (s) {
    case Scheme::Uint8: return "uint8";
    case Scheme::Int8: return "int8";
    case Scheme::U8S8: return "u8s8";
  }
  return "?";
}

std::optional<Scheme> scheme_from_name(std::string_view name) {
  if (name == "uint8") return Scheme::Uint8;
  if (name == "int8") return Scheme::Int8;
  if (name == "u8s8") return Scheme::U8S8;
  return std::nullopt;
}

DType activation_dtype(Scheme s) { return s == Scheme::Int8 ? DType::Int8 : DType::Uint8; }
DType weight_dtype(Scheme s) { return s == Scheme::Uint8 ? DType::Uint8 : DType::Int8; }
bool weights_symmetric(Scheme s) { return s != Scheme::Uint8; }

int64_t qmin(DType dtype) {
  if (dtype == DType::Uint8) return 0;
  if (dtype == DType::Int8) return -128;
  return std::numeric_limits<int32_t>::min();
}

int64_t qmax(DType dtype) {
  if (dtype == DType::Uint8) return 255;
  if (dtype == DType::Int8) return 127;
  return std::numeric_limits<int32_t>::max();
}

namespace {

// A scale of zero or a denormal float: the range is below float resolution (every value in it
// is under 255 * 1.2e-38), and the .octet loader refuses such scales (their reciprocal and the
// requantization multipliers overflow). Scale 1 quantizes that whole range to the zero point.
bool below_normal(float scale) { return scale < std::numeric_limits<float>::min(); }

}  // namespace

QuantParams per_tensor_params(DType dtype, float scale, int32_t zero_point) {
  QuantParams p;
  p.dtype = dtype;
  p.scale = scale;
  p.zero_point = zero_point;
  return p;
}

QuantParams asymmetric_params(float min, float max, DType dtype) {
  min = std::min(min, 0.f);
  max = std::max(max, 0.f);
  QuantParams p;
  p.dtype = dtype;
  const double lo = double(qmin(dtype)), hi = double(qmax(dtype));
  p.scale = max > min ? float((double(max) - double(min)) / (hi - lo)) : 1.f;
  if (below_normal(p.scale)) p.scale = 1.f;
  double zp = std::nearbyint(lo - double(min) / double(p.scale));
  p.zero_point = int32_t(std::clamp(zp, lo, hi));
  return p;
}

QuantParams symmetric_int8_params(float min, float max) {
  QuantParams p;
  p.dtype = DType::Int8;
  float absmax = std::max(std::fabs(min), std::fabs(max));
  p.scale = absmax > 0 ? absmax / 127.f : 1.f;
  if (below_normal(p.scale)) p.scale = 1.f;
  p.zero_point = 0;
  return p;
}

QuantParams symmetric_int8_channel_params(const Tensor& w, int32_t axis) {
  if (axis < 0 || axis >= int32_t(w.rank())) throw Error("per-channel axis " + std::to_string(axis) + " is outside the weight's rank");
  const std::span<const float> v = w.values<float>();
  const int64_t channels = w.dims[size_t(axis)];
  int64_t inner = 1;
  for (size_t d = size_t(axis) + 1; d < w.dims.size(); ++d) inner *= w.dims[d];
  std::vector<float> absmax(size_t(channels), 0.f);
  float all = 0.f;
  for (size_t i = 0; i < v.size(); ++i) {
    float& m = absmax[size_t((int64_t(i) / inner) % channels)];
    m = std::max(m, std::fabs(v[i]));
    all = std::max(all, std::fabs(v[i]));
  }
  QuantParams p = symmetric_int8_params(-all, all);
  p.axis = axis;
  p.channel_scales.resize(size_t(channels));
  for (int64_t c = 0; c < channels; ++c)
    p.channel_scales[size_t(c)] = absmax[size_t(c)] > 0 ? symmetric_int8_params(0.f, absmax[size_t(c)]).scale : p.scale;
  p.scale = *std::max_element(p.channel_scales.begin(), p.channel_scales.end());
  return p;
}

QuantParams channel_params(const QuantParams& p, int64_t c) {
  return per_tensor_params(p.dtype, p.per_channel() ? p.channel_scales.at(size_t(c)) : p.scale, p.zero_point);
}

QuantParams element_params(const QuantParams& p, std::span<const int64_t> dims, int64_t i) {
  if (!p.per_channel()) return channel_params(p, 0);
  int64_t inner = 1;
  for (size_t d = size_t(p.axis) + 1; d < dims.size(); ++d) inner *= dims[d];
  return channel_params(p, (i / inner) % dims[size_t(p.axis)]);
}

int64_t quantize_value(float x, const QuantParams& p, bool narrow) {
  int64_t lo = qmin(p.dtype), hi = qmax(p.dtype);
  if (narrow && p.dtype == DType::Int8) lo = -127;
  if (std::isnan(x)) return std::clamp<int64_t>(p.zero_point, lo, hi);
  double q = std::nearbyint(double(x / p.scale)) + double(p.zero_point);
  return int64_t(std::clamp(q, double(lo), double(hi)));
}

float dequantize_value(int64_t q, const QuantParams& p) {
  return float(q - p.zero_point) * p.scale;
}

}  // namespace octet::quant
