// Element-wise arithmetic: numpy-broadcast binary ops, Relu and Clip, over plain arrays.
#pragma once
#include <cstdint>
#include <span>

namespace octet::kernels {

enum class BinaryOp { Add, Sub, Mul, Div };

// The layout of a broadcast binary op. All three spans have the output's rank; an input's
// stride (in elements) is 0 along every dimension it broadcasts. The output is contiguous.
struct BroadcastParams {
  std::span<const int64_t> out_dims;
  std::span<const int64_t> a_strides;
  std::span<const int64_t> b_strides;
};

// out = a op b, element by element under broadcasting. Integer results wrap modulo 2^bits
// (as numpy does) instead of overflowing into undefined behaviour. Integer Div truncates
// toward zero as C does; INT_MIN / -1 wraps to INT_MIN. Precondition for integer Div: no
// element of b is 0 (the caller reports that; the kernel writes 0 rather than trap).
// Instantiated for float, double and all 8/16/32/64-bit signed and unsigned integers.
template <typename T>
void binary_broadcast(BinaryOp op, const BroadcastParams& p, const T* a, const T* b, T* out);

// out[i] = max(x, 0); NaN stays NaN. float, double and signed integers.
template <typename T>
void relu(const T* in, T* out, int64_t n);

// out[i] = min(max(x, lo), hi): when lo > hi every element becomes hi, as ONNX specifies.
// NaN stays NaN. float, double and all integer types.
template <typename T>
void clip(const T* in, T* out, int64_t n, T lo, T hi);

}  // namespace octet::kernels
