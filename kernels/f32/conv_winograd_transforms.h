// Winograd F(4x4, 3x3) transform matrices (Lavin & Gray, interpolation points 0, ±1, ±2, ∞):
//   Y = A^T [ (G g G^T) ⊙ (B^T d B) ] A
// for a 3x3 filter g, a 6x6 input tile d and a 4x4 output tile Y. The SIMD code spells out
// the B^T and A^T products by hand (shared sub-expressions, FMAs); these tables are the
// definition, used for the weight transform (done once, in double); input_1d / output_1d
// below are the same products written out for SIMD vectors.
#pragma once
#include <xsimd/xsimd.hpp>

#define OCTET_WINO_INLINE inline __attribute__((always_inline))

namespace octet::kernels::winograd {

// Internal linkage (static): this header is compiled into every ISA's Winograd file, and an
// inline variable is one weak symbol that the linker may take from any of them (the ISA rule,
// tests/test_isa_rule.cpp; sanitizer builds emit kG that way).
static constexpr int kTileOut = 4;                  // output pixels per tile side
static constexpr int kTileIn = kTileOut + 2;        // 6: input pixels per tile side
static constexpr int kPoints = kTileIn * kTileIn;   // 36 transformed GEMMs

static constexpr double kG[6][3] = {
    {1.0 / 4, 0.0, 0.0},
    {-1.0 / 6, -1.0 / 6, -1.0 / 6},
    {-1.0 / 6, 1.0 / 6, -1.0 / 6},
    {1.0 / 24, 1.0 / 12, 1.0 / 6},
    {1.0 / 24, -1.0 / 12, 1.0 / 6},
    {0.0, 0.0, 1.0},
};

static constexpr double kBT[6][6] = {
    {4, 0, -5, 0, 1, 0},
    {0, -4, -4, 1, 1, 0},
    {0, 4, -4, -1, 1, 0},
    {0, -2, -1, 2, 1, 0},
    {0, 2, -1, -2, 1, 0},
    {0, 4, 0, -5, 0, 1},
};

static constexpr double kAT[4][6] = {
    {1, 1, 1, 1, 1, 0},
    {0, 1, -1, 2, -2, 0},
    {0, 1, 1, 4, 4, 0},
    {0, 1, -1, 8, -8, 1},
};

// ---- B^T and A^T applied to vectors (templates on the xsimd batch type V) ----

// o[k * stride] = (B^T d)[k] for 6 inputs.
template <class V>
OCTET_WINO_INLINE void input_1d(V d0, V d1, V d2, V d3, V d4, V d5, V* o, int stride) {
  const V four(4.f), five(5.f), two(2.f);
  o[0 * stride] = xsimd::fnma(five, d2, xsimd::fma(four, d0, d4));
  o[1 * stride] = xsimd::fnma(four, d1 + d2, d3 + d4);
  o[2 * stride] = xsimd::fma(four, d1 - d2, d4 - d3);
  o[3 * stride] = xsimd::fma(two, d3 - d1, d4 - d2);
  o[4 * stride] = xsimd::fnma(two, d3 - d1, d4 - d2);
  o[5 * stride] = xsimd::fnma(five, d3, xsimd::fma(four, d1, d5));
}

// o[k * stride] = (A^T m)[k] for 6 inputs, 4 outputs.
template <class V>
OCTET_WINO_INLINE void output_1d(V m0, V m1, V m2, V m3, V m4, V m5, V* o, int stride) {
  const V a = m1 + m2, b = m1 - m2, c = m3 + m4, d = m3 - m4;
  o[0 * stride] = m0 + a + c;
  o[1 * stride] = xsimd::fma(V(2.f), d, b);
  o[2 * stride] = xsimd::fma(V(4.f), c, a);
  o[3 * stride] = xsimd::fma(V(8.f), d, b) + m5;
}

}  // namespace octet::kernels::winograd
