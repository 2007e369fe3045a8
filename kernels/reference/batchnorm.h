// BatchNormalization in inference mode (running statistics), float32, [N][C][spatial...].
#pragma once
#include <cstdint>

namespace octet::kernels {

struct BatchNormParams {
  int64_t batch = 1;
  int64_t channels = 1;
  int64_t spatial = 1;   // product of the dims after C (1 for a [N][C] input)
  float epsilon = 1e-5f;
};

// y = scale * (x - mean) / sqrt(var + epsilon) + bias, per channel. Computed as ONNX Runtime
// does, in float: s = scale * (1 / sqrt(var + eps)), t = bias - mean * s, y = x * s + t.
// The folded form rounds differently from the formula above (within a few ulp); matching
// ORT's rounding is what the conformance data and the golden outputs expect.
// scale, bias, mean, var: [C].
void batch_norm_inference_f32_ref(const BatchNormParams& p, const float* x, const float* scale,
                                  const float* bias, const float* mean, const float* var, float* y);

}  // namespace octet::kernels
