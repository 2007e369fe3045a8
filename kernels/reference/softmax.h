// Softmax and LogSoftmax along one axis of a row-major tensor viewed as [outer][axis][inner], float32.
#pragma once
#include <cstdint>

namespace octet::kernels {

struct SoftmaxParams {
  int64_t outer = 1;
  int64_t axis = 1;    // length of the reduced dim
  int64_t inner = 1;   // stride of the reduced dim, in elements
};

// For every (o, i): y[o][j][i] = exp(x[o][j][i] - max_j x) / sum_j exp(x[o][j][i] - max_j x).
// Subtracting the max keeps exp from overflowing; exp and the sum (increasing j) are in float
// and the result is a true division by the sum. A row holding NaN or +inf, or only -inf,
// gives NaN.
void softmax_f32_ref(const SoftmaxParams& p, const float* x, float* y);
// y[o][j][i] = (x[o][j][i] - max_j x) - log(sum_j exp(x[o][j][i] - max_j x)): LogSoftmax,
// without the rounding of a log of a small softmax. The same NaN rules as softmax_f32_ref.
void log_softmax_f32_ref(const SoftmaxParams& p, const float* x, float* y);

}  // namespace octet::kernels
