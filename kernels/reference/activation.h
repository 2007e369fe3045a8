// The smooth and piecewise-linear activations beyond Relu and Clip (those live in
// elementwise.h), exactly as the ONNX operators define them, over plain arrays: what the
// reference executor runs, and the oracles of the FP32 activation kernels
// (kernels/f32/activation_impl.h). NaN stays NaN in every one. float and double.
#pragma once
#include <cstdint>

namespace octet::kernels {

// Sigmoid: 1 / (1 + exp(-x)), evaluated as exp(x) / (1 + exp(x)) for negative x so that the
// result keeps its relative precision down to the smallest outputs (and never divides inf).
template <typename T>
void sigmoid(const T* in, T* out, int64_t n);

// HardSigmoid: max(0, min(1, alpha * x + beta)); ONNX's defaults are alpha 0.2, beta 0.5.
template <typename T>
void hard_sigmoid(const T* in, T* out, int64_t n, T alpha, T beta);

// HardSwish: x * max(0, min(1, alpha * x + beta)) with alpha = 1/6 and beta = 0.5 (the
// constants of ONNX's function body, HardSigmoid(alpha = 1/6) then Mul).
template <typename T>
void hard_swish(const T* in, T* out, int64_t n);

// Tanh: std::tanh.
template <typename T>
void tanh(const T* in, T* out, int64_t n);

// LeakyRelu: x for x >= 0, alpha * x below; ONNX's default alpha is 0.01.
template <typename T>
void leaky_relu(const T* in, T* out, int64_t n, T alpha);

}  // namespace octet::kernels
