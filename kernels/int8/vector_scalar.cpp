// The int8 element-wise kernels (kernels/int8/vector.h) in portable C++, for CPUs without
// AVX2: the loops of kernels/int8/vector_impl.h over "vectors" of 8 int32 or float lanes held in
// plain arrays (which the compiler may map onto SSE2), the same float operations as the SIMD
// variants, one lane at a time (std::fma where they fuse; the build does not contract a * b + c).
#include <algorithm>
#include <cmath>

#include "kernels/int8/vector_impl.h"
#include "kernels/kernels.h"

namespace octet::kernels {
namespace {

struct Portable {
  static constexpr int32_t kLanes = 8;
  struct I32 {
    int32_t v[kLanes];
  };

  static I32 zero() { return {}; }
  static I32 add(I32 a, const I32& b) {
    for (int i = 0; i < kLanes; ++i) a.v[i] += b.v[i];
    return a;
  }
  static I32 splat(int32_t v) {
    I32 r;
    for (int i = 0; i < kLanes; ++i) r.v[i] = v;
    return r;
  }
  static I32 sub(I32 a, const I32& b) {
    for (int i = 0; i < kLanes; ++i) a.v[i] -= b.v[i];
    return a;
  }
  static I32 mullo(I32 a, const I32& b) {
    for (int i = 0; i < kLanes; ++i) a.v[i] *= b.v[i];
    return a;
  }
  static I32 load_u8_tail(const uint8_t* p, int32_t n) {
    I32 r{};
    for (int32_t i = 0; i < n; ++i) r.v[i] = p[i];
    return r;
  }
  static I32 load_u8(const uint8_t* p) { return load_u8_tail(p, kLanes); }
  static void store_u8_tail(uint8_t* p, const I32& v, int32_t n) {
    for (int32_t i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(v.v[i]);
  }
  static void store_u8(uint8_t* p, const I32& v) { store_u8_tail(p, v, kLanes); }

  struct F32 {
    float v[kLanes];
  };
  static F32 splat_f(float v) {
    F32 r;
    for (int i = 0; i < kLanes; ++i) r.v[i] = v;
    return r;
  }
  static F32 to_f32(const I32& a) {
    F32 r;
    for (int i = 0; i < kLanes; ++i) r.v[i] = static_cast<float>(a.v[i]);
    return r;
  }
  static F32 add_f(F32 a, const F32& b) {
    for (int i = 0; i < kLanes; ++i) a.v[i] += b.v[i];
    return a;
  }
  static F32 mul_f(F32 a, const F32& b) {
    for (int i = 0; i < kLanes; ++i) a.v[i] *= b.v[i];
    return a;
  }
  static F32 div_f(F32 a, const F32& b) {
    for (int i = 0; i < kLanes; ++i) a.v[i] /= b.v[i];
    return a;
  }
  static F32 fma_f(F32 a, const F32& b, const F32& c) {
    for (int i = 0; i < kLanes; ++i) a.v[i] = std::fma(a.v[i], b.v[i], c.v[i]);
    return a;
  }
  // Rounding by adding and subtracting 1.5 * 2^23 (see quantize below): exact for the clamped
  // |t| <= 255.
  static I32 round_clamped(const F32& t, const F32& lo, const F32& hi) {
    I32 r;
    for (int i = 0; i < kLanes; ++i) {
      const float c = std::min(std::max(t.v[i], lo.v[i]), hi.v[i]);
      r.v[i] = static_cast<int32_t>((c + 12582912.f) - 12582912.f);
    }
    return r;
  }

  // The quotient is clamped to [-zp, 255 - zp] before rounding (equal to clamping after);
  // NaN fails both comparisons and is sent to 0 first, so it becomes zp. Rounding adds and
  // subtracts 1.5 * 2^23: for |t| < 2^22 the sum has no fraction bits left, so the addition
  // rounds t to an integer in the current mode, nearest-even by default, as nearbyint does,
  // without a libm call per element (SSE4.1's roundss is not in the x86-64 baseline).
  struct Qc {
    float scale, lo, hi;
    int32_t zp;
  };
  static Qc quantize_consts(float scale, int32_t zp) {
    return {scale, static_cast<float>(-zp), static_cast<float>(255 - zp), zp};
  }
  static void quantize_tail(const float* x, uint8_t* q, int32_t n, const Qc& k) {
    for (int32_t i = 0; i < n; ++i) {
      float t = x[i] / k.scale;
      if (!(t == t)) t = 0.f;
      if (t < k.lo) t = k.lo;
      if (t > k.hi) t = k.hi;
      const float r = (t + 12582912.f) - 12582912.f;
      q[i] = static_cast<uint8_t>(static_cast<int32_t>(r) + k.zp);
    }
  }
  static void quantize(const float* x, uint8_t* q, const Qc& k) { quantize_tail(x, q, kLanes, k); }

  struct Dc {
    float scale;
    int32_t zp;
  };
  static Dc dequantize_consts(float scale, int32_t zp) { return {scale, zp}; }
  static void dequantize_tail(const uint8_t* q, float* x, int32_t n, const Dc& k) {
    for (int32_t i = 0; i < n; ++i) x[i] = static_cast<float>(q[i] - k.zp) * k.scale;
  }
  static void dequantize(const uint8_t* q, float* x, const Dc& k) { dequantize_tail(q, x, kLanes, k); }
};

}  // namespace

const VectorQU8Kernels qu8_vector_scalar = {
    "qu8_vector_scalar",
    &QVectorImpl<Portable>::quantize,
    &QVectorImpl<Portable>::dequantize,
    &QVectorImpl<Portable>::add,
    &QVectorImpl<Portable>::average,
    &QVectorImpl<Portable>::global_average,
    &QVectorImpl<Portable>::mul,
    &QVectorImpl<Portable>::lookup,
    &QVectorImpl<Portable>::quantize_planes,
};

}  // namespace octet::kernels
