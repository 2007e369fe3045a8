#include "kernels/reference/activation.h"

#include <cmath>

namespace octet::kernels {
namespace {

// min(1, max(0, v)) with comparisons that let NaN through (std::clamp would too, but says less).
template <typename T>
T clamp_unit(T v) {
  if (v < T(0)) return T(0);
  if (v > T(1)) return T(1);
  return v;
}

}  // namespace

template <typename T>
void sigmoid(const T* in, T* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const T x = in[i];
    if (x < T(0)) {
      const T e = std::exp(x);
      out[i] = e / (T(1) + e);
    } else {
      out[i] = T(1) / (T(1) + std::exp(-x));   // NaN falls here and stays NaN
    }
  }
}

template <typename T>
void hard_sigmoid(const T* in, T* out, int64_t n, T alpha, T beta) {
  for (int64_t i = 0; i < n; ++i) out[i] = clamp_unit(alpha * in[i] + beta);
}

template <typename T>
void hard_swish(const T* in, T* out, int64_t n) {
  const T alpha = T(1) / T(6), beta = T(0.5);
  for (int64_t i = 0; i < n; ++i) out[i] = in[i] * clamp_unit(alpha * in[i] + beta);
}

template <typename T>
void tanh(const T* in, T* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = std::tanh(in[i]);
}

template <typename T>
void leaky_relu(const T* in, T* out, int64_t n, T alpha) {
  for (int64_t i = 0; i < n; ++i) out[i] = in[i] < T(0) ? alpha * in[i] : in[i];
}

#define OCTET_INSTANTIATE_ACTIVATION(T)                          \
  template void sigmoid<T>(const T*, T*, int64_t);               \
  template void hard_sigmoid<T>(const T*, T*, int64_t, T, T);    \
  template void hard_swish<T>(const T*, T*, int64_t);            \
  template void tanh<T>(const T*, T*, int64_t);                  \
  template void leaky_relu<T>(const T*, T*, int64_t, T);
OCTET_INSTANTIATE_ACTIVATION(float)
OCTET_INSTANTIATE_ACTIVATION(double)
#undef OCTET_INSTANTIATE_ACTIVATION

}  // namespace octet::kernels
