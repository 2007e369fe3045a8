// The three quantization schemes and the MinMax rule that turns a calibrated range into
// per-tensor parameters (docs/quantization.md, "Schemes").
#pragma once
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "graph/ir.h"

namespace octet::quant {

enum class Scheme { Uint8, Int8, U8S8 };

std::string_view scheme_name(Scheme s);                       // "uint8", "int8", "u8s8"
std::optional<Scheme> scheme_from_name(std::string_view name);

DType activation_dtype(Scheme s);   // Uint8, Int8, Uint8
DType weight_dtype(Scheme s);       // Uint8, Int8, Int8
bool weights_symmetric(Scheme s);   // int8 weights are symmetric (±127, zero point 0)

// Asymmetric parameters for storage `dtype` (Uint8 or Int8) from [min, max], widened to
// include 0; a range so narrow that its scale would be zero or a denormal float gets scale 1.
QuantParams asymmetric_params(float min, float max, DType dtype);
// Symmetric int8 parameters (zero point 0, codes in [-127, 127]); scale 1 when the range is
// zero or its scale would be a denormal float.
QuantParams symmetric_int8_params(float min, float max);

// Storage range of a dtype: [0,255], [-128,127], or int32's.
int64_t qmin(DType dtype);
int64_t qmax(DType dtype);
// q = clamp(round_half_even(x / scale) + zero_point, qmin, qmax) (ONNX QuantizeLinear);
// the symmetric int8 weight range is [-127, 127] when `narrow` is set.
int64_t quantize_value(float x, const QuantParams& p, bool narrow = false);
float dequantize_value(int64_t q, const QuantParams& p);

}  // namespace octet::quant
