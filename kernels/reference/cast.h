// Element type conversion for Cast (and for turning attribute values into a tensor's type).
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace octet::kernels {

// One element, with every case defined (C++ leaves out-of-range float->int undefined):
//  - to bool: x != 0 (NaN is true, as in numpy);
//  - float -> integer: truncation toward zero, saturating at the integer's range, NaN -> 0;
//  - double -> float: IEEE rounding; beyond float's range gives +-inf (between FLT_MAX and
//    infinity, which C++ makes implementation-defined, not undefined);
//  - integer -> integer: modulo 2^bits (two's complement wrap, like numpy/ONNX Runtime).
template <typename To, typename From>
To convert_element(From x) {
  if constexpr (std::is_same_v<To, bool>) {
    return x != From(0);
  } else if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
    if (std::isnan(x)) return To(0);
    const double t = std::trunc(static_cast<double>(x));
    // The bounds as doubles: max() of 64-bit types rounds up to 2^63 / 2^64, so ">=" is the
    // right test for "does not fit".
    constexpr double lo = static_cast<double>(std::numeric_limits<To>::lowest());
    constexpr double hi = static_cast<double>(std::numeric_limits<To>::max());
    if (t <= lo) return std::numeric_limits<To>::lowest();
    if (t >= hi) return std::numeric_limits<To>::max();
    return static_cast<To>(t);
  } else {
    return static_cast<To>(x);
  }
}

template <typename To, typename From>
void cast(const From* in, To* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = convert_element<To, From>(in[i]);
}

}  // namespace octet::kernels
