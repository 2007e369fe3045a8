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

// Per-tensor parameters from their three numbers.
QuantParams per_tensor_params(DType dtype, float scale, int32_t zero_point);

// Asymmetric parameters for storage `dtype` (Uint8 or Int8) from [min, max], widened to
// include 0; a range so narrow that its scale would be zero or a denormal float gets scale 1.
QuantParams asymmetric_params(float min, float max, DType dtype);
// Symmetric int8 parameters (zero point 0, codes in [-127, 127]); scale 1 when the range is
// zero or its scale would be a denormal float.
QuantParams symmetric_int8_params(float min, float max);

// Symmetric int8 parameters per channel along `axis` of the float constant w (each channel's
// own max |w| / 127, as symmetric_int8_params; a channel of zeros, whose codes are 0 at any
// scale, gets the whole tensor's scale so that its bias keeps the per-tensor resolution).
QuantParams symmetric_int8_channel_params(const Tensor& w, int32_t axis);
// The per-tensor parameters element i of a constant of shape `dims` is quantized with: p
// itself, or for per-channel p its channel's scale (the index along p.axis).
QuantParams element_params(const QuantParams& p, std::span<const int64_t> dims, int64_t i);
// The per-tensor parameters of channel c of per-channel p (p itself when per tensor).
QuantParams channel_params(const QuantParams& p, int64_t c);

// Storage range of a dtype: [0,255], [-128,127], or int32's.
int64_t qmin(DType dtype);
int64_t qmax(DType dtype);
// q = clamp(round_half_even(x / scale) + zero_point, qmin, qmax) (ONNX QuantizeLinear);
// the symmetric int8 weight range is [-127, 127] when `narrow` is set.
int64_t quantize_value(float x, const QuantParams& p, bool narrow = false);
float dequantize_value(int64_t q, const QuantParams& p);

}  // namespace octet::quant
