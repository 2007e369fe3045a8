// What the int8 compile files (compile_int8.cpp, compile_qdwconv.cpp, compile_qgemm.cpp) share: weight and bias
// codes in the kernels' domain, the accumulator's requantisation and the output clamp.
// Part of the compiler (engine/compiler.h); arithmetic in docs/quantization.md.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "engine/compiler.h"

namespace octet::detail {

// The uint8-domain zero point of a quantized activation: int8 codes are stored + 128.
int32_t u8_zero_point(const QuantParams& q);
// The code offset of an int8 Add node n, fused into a conv or not (kernels/int8/requant.h,
// QAddFloat::code_offset): 128 when its output is int8 in the graph, for ONNX Runtime's
// QLinearAdd then adds the int8 codes; else 0.
int32_t add_code_offset(const Graph& g, const Node& n);

// Weight codes in the kernels' int8 domain, and their zero point there (uint8 weights - 128).
struct Int8Weights {
  std::vector<int8_t> codes;
  int32_t zero_point = 0;
};

// The scale of output channel c's weights: its own with per-channel weights, else the tensor's.
float weight_scale(const QuantParams& q, int64_t c);
// w: [out_c][the rest], each output channel's weights contiguous.
Int8Weights quantize_weights(std::span<const float> w, const QuantParams& q, int64_t out_c);
// Bias at scale s_in * s_w[c] (computed in float, as ONNX Runtime's quantizer does), saturated.
std::vector<int32_t> quantize_bias(const Tensor* bias, size_t n, float input_scale, const QuantParams& wq);
// The uint8 code of x, clamped to [0, 255].
int32_t code_of(float x, float scale, int32_t zero_point);

// The uint8 clamp of n's fused activation: [0, 255] without one, from the code of 0.0 with a
// Relu (merged into the output's range), between the codes of a Clip's bounds.
void output_clamp(const Graph& g, const Node& n, const Slot& out, int32_t* lo, int32_t* hi);

// The requantisation of an int8 conv or Gemm (kernels/int8/conv.h): the scale(s) of the
// accumulator into `out`, and the output clamp (Relu/Clip).
void set_epilogue(const Graph& g, const Node& n, kernels::QConvParams& p, float in_scale, const QuantParams& wq,
                  const Slot& out, std::vector<float>& channel_scales);

// The accumulator's float scale(s), conv_requant_scale(s_in, s_w[c], s_out) as ONNX Runtime
// computes them (kernels/int8/conv.h): p.scale per tensor, or one per output channel into
// `channel` with per-channel weights (p.scale then unused). Throws naming n when a scale is
// not a finite number >= 0.
void conv_scales(const Graph& g, const Node& n, const QuantParams& wq, float in_scale, float out_scale,
                 kernels::QConvParams& p, std::vector<float>& channel);

}  // namespace octet::detail
