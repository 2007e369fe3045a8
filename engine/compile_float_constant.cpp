// The constant a float step packs: the tensor itself, or for one a QDQ pair annotates (a
// weight of an operator that runs in float, from an imported QDQ file), what the pair gives:
// each element quantized and dequantized with its parameters (its channel's, per channel),
// as ONNX's DequantizeLinear(QuantizeLinear(w)) computes it. Part of the compiler
// (engine/compiler.h).
#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/compiler.h"

namespace octet::detail {

namespace {

double code_min(DType t) {
  return t == DType::Uint8 ? 0.0 : t == DType::Int8 ? -128.0 : double(std::numeric_limits<int32_t>::min());
}
double code_max(DType t) {
  return t == DType::Uint8 ? 255.0 : t == DType::Int8 ? 127.0 : double(std::numeric_limits<int32_t>::max());
}

Tensor fake_quantized(const Tensor& t, const QuantParams& q) {
  Tensor out = t;
  int64_t inner = 1;
  if (q.per_channel())
    for (size_t d = size_t(q.axis) + 1; d < t.dims.size(); ++d) inner *= t.dims[d];
  const double lo = code_min(q.dtype), hi = code_max(q.dtype);
  float* v = out.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i) {
    const float scale = q.per_channel() ? q.channel_scales.at(size_t((i / inner) % t.dims[size_t(q.axis)])) : q.scale;
    const double code = std::isnan(v[i]) ? q.zero_point : std::nearbyint(double(v[i] / scale)) + q.zero_point;
    v[i] = float(int64_t(std::clamp(code, lo, hi)) - q.zero_point) * scale;
  }
  return out;
}

}  // namespace

const Tensor& Compiler::float_constant(const Node& n, size_t input, const char* what) {
  const Tensor& t = constant(n, input, what);
  const std::optional<QuantParams>& q = g_.value(n.inputs[input]).quant;
  if (!q) return t;
  if (q->per_channel() && (q->axis < 0 || size_t(q->axis) >= t.dims.size() ||
                           int64_t(q->channel_scales.size()) != t.dims[size_t(q->axis)]))
    fail(n, std::string(what) + ": per-channel parameters do not match its shape");
  auto it = float_constants_.find(n.inputs[input]);
  if (it == float_constants_.end()) it = float_constants_.emplace(n.inputs[input], fake_quantized(t, *q)).first;
  return it->second;
}

}  // namespace octet::detail
