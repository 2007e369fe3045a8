#include "kernels/reference/elementwise.h"

#include <cstddef>
#include <type_traits>

namespace octet::kernels {
namespace {

// Integer arithmetic goes through uint64_t: wrap-around is defined there, and narrowing
// back is modulo 2^bits (C++20), which is what numpy and ONNX Runtime produce.
template <typename T, BinaryOp Op>
inline T apply(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if constexpr (Op == BinaryOp::Add) return a + b;
    if constexpr (Op == BinaryOp::Sub) return a - b;
    if constexpr (Op == BinaryOp::Mul) return a * b;
    if constexpr (Op == BinaryOp::Div) return a / b;
  } else {
    using U = uint64_t;
    if constexpr (Op == BinaryOp::Add) return static_cast<T>(static_cast<U>(a) + static_cast<U>(b));
    if constexpr (Op == BinaryOp::Sub) return static_cast<T>(static_cast<U>(a) - static_cast<U>(b));
    if constexpr (Op == BinaryOp::Mul) return static_cast<T>(static_cast<U>(a) * static_cast<U>(b));
    if constexpr (Op == BinaryOp::Div) {
      if (b == 0) return T(0);   // the caller has reported this; never trap (SIGFPE)
      if constexpr (std::is_signed_v<T>)
        if (b == T(-1)) return static_cast<T>(U(0) - static_cast<U>(a));   // INT_MIN / -1 wraps
      return static_cast<T>(a / b);
    }
  }
}

// Walks the output in row-major order, one dimension per recursion level; the innermost
// dimension is a flat loop. Returns the output position after the block.
template <typename T, BinaryOp Op>
T* run(const BroadcastParams& p, size_t d, const T* a, const T* b, T* out) {
  const int64_t n = p.out_dims[d];
  const int64_t sa = p.a_strides[d], sb = p.b_strides[d];
  if (d + 1 == p.out_dims.size()) {
    // The common layouts get their own loops so the compiler can vectorize them.
    if (sa == 1 && sb == 1) {
      for (int64_t i = 0; i < n; ++i) out[i] = apply<T, Op>(a[i], b[i]);
    } else if (sa == 1 && sb == 0) {
      const T bv = b[0];
      for (int64_t i = 0; i < n; ++i) out[i] = apply<T, Op>(a[i], bv);
    } else if (sa == 0 && sb == 1) {
      const T av = a[0];
      for (int64_t i = 0; i < n; ++i) out[i] = apply<T, Op>(av, b[i]);
    } else {
      for (int64_t i = 0; i < n; ++i) out[i] = apply<T, Op>(a[i * sa], b[i * sb]);
    }
    return out + n;
  }
  for (int64_t i = 0; i < n; ++i) out = run<T, Op>(p, d + 1, a + i * sa, b + i * sb, out);
  return out;
}

template <typename T, BinaryOp Op>
void run_op(const BroadcastParams& p, const T* a, const T* b, T* out) {
  if (p.out_dims.empty()) {   // rank 0: one element
    out[0] = apply<T, Op>(a[0], b[0]);
    return;
  }
  run<T, Op>(p, 0, a, b, out);
}

}  // namespace

template <typename T>
void binary_broadcast(BinaryOp op, const BroadcastParams& p, const T* a, const T* b, T* out) {
  switch (op) {
    case BinaryOp::Add: return run_op<T, BinaryOp::Add>(p, a, b, out);
    case BinaryOp::Sub: return run_op<T, BinaryOp::Sub>(p, a, b, out);
    case BinaryOp::Mul: return run_op<T, BinaryOp::Mul>(p, a, b, out);
    case BinaryOp::Div: return run_op<T, BinaryOp::Div>(p, a, b, out);
  }
}

template <typename T>
void relu(const T* in, T* out, int64_t n) {
  // `x < 0 ? 0 : x` rather than std::max so that NaN propagates.
  for (int64_t i = 0; i < n; ++i) out[i] = in[i] < T(0) ? T(0) : in[i];
}

template <typename T>
void clip(const T* in, T* out, int64_t n, T lo, T hi) {
  for (int64_t i = 0; i < n; ++i) {
    T v = in[i] < lo ? lo : in[i];
    out[i] = hi < v ? hi : v;
  }
}

#define OCTET_INSTANTIATE_ELEMENTWISE(T)                                                      \
  template void binary_broadcast<T>(BinaryOp, const BroadcastParams&, const T*, const T*, T*); \
  template void clip<T>(const T*, T*, int64_t, T, T);
OCTET_INSTANTIATE_ELEMENTWISE(float)
OCTET_INSTANTIATE_ELEMENTWISE(double)
OCTET_INSTANTIATE_ELEMENTWISE(int8_t)
OCTET_INSTANTIATE_ELEMENTWISE(int16_t)
OCTET_INSTANTIATE_ELEMENTWISE(int32_t)
OCTET_INSTANTIATE_ELEMENTWISE(int64_t)
OCTET_INSTANTIATE_ELEMENTWISE(uint8_t)
OCTET_INSTANTIATE_ELEMENTWISE(uint16_t)
OCTET_INSTANTIATE_ELEMENTWISE(uint32_t)
OCTET_INSTANTIATE_ELEMENTWISE(uint64_t)
#undef OCTET_INSTANTIATE_ELEMENTWISE

template void relu<float>(const float*, float*, int64_t);
template void relu<double>(const double*, double*, int64_t);
template void relu<int8_t>(const int8_t*, int8_t*, int64_t);
template void relu<int16_t>(const int16_t*, int16_t*, int64_t);
template void relu<int32_t>(const int32_t*, int32_t*, int64_t);
template void relu<int64_t>(const int64_t*, int64_t*, int64_t);

}  // namespace octet::kernels
