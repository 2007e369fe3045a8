// FP32 broadcast binary arithmetic (kernels/f32/binary.h), header-only and templated on the
// xsimd architecture; included by vector_<isa>.cpp (anonymous namespace: ISA code stays
// private, see kernels/CMakeLists.txt). The outer dims are walked with an index counter; each
// innermost run is one of four loops (both operands contiguous, or one of them a repeated
// scalar, or both), vectorised over the run, its tail a partial vector. Div is a true
// division, as the reference.
#pragma once
#include <xsimd/xsimd.hpp>

#include <cstdint>

#include "kernels/f32/binary.h"
#include "kernels/f32/partial_vector.h"

namespace octet::kernels {
namespace {

template <class Arch>
struct BinaryF32Impl {
  using Batch = xsimd::batch<float, Arch>;
  static constexpr int64_t W = static_cast<int64_t>(Batch::size);

  template <BinaryF32Op Op, class T>
  static T apply(T a, T b, T c) {
    if constexpr (Op == BinaryF32Op::Add) return a + b;
    if constexpr (Op == BinaryF32Op::Sub) return a - b;
    if constexpr (Op == BinaryF32Op::Mul) return a * b;
    if constexpr (Op == BinaryF32Op::Div) return a / b;
    if constexpr (Op == BinaryF32Op::MulAdd) return a * b + c;   // two roundings, as the reference affine
  }

  // One run of n outputs. AVec / BVec: the operand is read contiguously, else a[0] repeats.
  template <BinaryF32Op Op, bool AVec, bool BVec>
  static void run_inner(int64_t n, const float* a, const float* b, const float* c, float* y) {
    const Batch as(AVec ? 0.f : a[0]), bs(BVec ? 0.f : b[0]), cs(BVec || c == nullptr ? 0.f : c[0]);
    auto load_a = [&](int64_t i) { return AVec ? Batch::load_unaligned(a + i) : as; };
    auto load_b = [&](int64_t i) { return BVec ? Batch::load_unaligned(b + i) : bs; };
    auto load_c = [&](int64_t i) {
      if constexpr (Op != BinaryF32Op::MulAdd) return cs;
      return BVec ? Batch::load_unaligned(c + i) : cs;
    };
    int64_t i = 0;
    for (; i + 2 * W <= n; i += 2 * W) {
      apply<Op>(load_a(i), load_b(i), load_c(i)).store_unaligned(y + i);
      apply<Op>(load_a(i + W), load_b(i + W), load_c(i + W)).store_unaligned(y + i + W);
    }
    for (; i + W <= n; i += W) apply<Op>(load_a(i), load_b(i), load_c(i)).store_unaligned(y + i);
    // The last n % W outputs in one partial vector: a squeeze-excitation scale's runs are a
    // pixel's channels (72 or 120 in MobileNetV3: 8 left of AVX-512's 16 at every pixel), so
    // the tail, 8 scalar operations a pixel, took a third of the step. Lane by lane the same
    // operations as the full vectors'.
    if (const int64_t lanes = n - i; lanes > 0) {
      using Part = PartialVector<Arch>;
      const int32_t l = static_cast<int32_t>(lanes);
      const Batch av = AVec ? Part::load(a + i, l) : as, bv = BVec ? Part::load(b + i, l) : bs;
      const Batch cv = Op == BinaryF32Op::MulAdd && BVec ? Part::load(c + i, l) : cs;
      Part::store(y + i, apply<Op>(av, bv, cv), l);
    }
  }

  template <BinaryF32Op Op, bool AVec, bool BVec>
  static void run_rows(const BinaryF32Params& p, const float* a, const float* b, const float* c, float* y,
                       int64_t row_begin, int64_t row_end) {
    if (p.outer_dims == 0) return run_inner<Op, AVec, BVec>(p.inner, a, b, c, y);
    // Runs per outer row (the product of the dims after the first); idx counts them.
    int64_t per_row = 1;
    for (int32_t d = 1; d < p.outer_dims; ++d) per_row *= p.outer[d];
    for (int64_t r = row_begin; r < row_end; ++r) {
      int64_t idx[kBinaryMaxOuterDims] = {};
      int64_t ao = r * p.a_stride[0], bo = r * p.b_stride[0];
      float* yr = y + r * per_row * p.inner;
      for (int64_t k = 0; k < per_row; ++k) {
        run_inner<Op, AVec, BVec>(p.inner, a + ao, b + bo, c == nullptr ? nullptr : c + bo, yr + k * p.inner);
        // Next index of dims 1..outer_dims-1, innermost fastest, offsets updated in place.
        for (int32_t d = p.outer_dims - 1; d >= 1; --d) {
          ao += p.a_stride[d];
          bo += p.b_stride[d];
          if (++idx[d] < p.outer[d]) break;
          ao -= p.outer[d] * p.a_stride[d];
          bo -= p.outer[d] * p.b_stride[d];
          idx[d] = 0;
        }
      }
    }
  }

  template <BinaryF32Op Op>
  static void dispatch(const BinaryF32Params& p, const float* a, const float* b, const float* c, float* y,
                       int64_t row_begin, int64_t row_end) {
    if (!p.a_scalar && !p.b_scalar) return run_rows<Op, true, true>(p, a, b, c, y, row_begin, row_end);
    if (!p.a_scalar) return run_rows<Op, true, false>(p, a, b, c, y, row_begin, row_end);
    if (!p.b_scalar) return run_rows<Op, false, true>(p, a, b, c, y, row_begin, row_end);
    run_rows<Op, false, false>(p, a, b, c, y, row_begin, row_end);
  }

  // Output rows [row_begin, row_end) of outer dim 0 (the whole output when outer_dims is 0).
  static void binary(const BinaryF32Params& p, const float* a, const float* b, const float* c, float* y,
                     int64_t row_begin, int64_t row_end) {
    switch (p.op) {
      case BinaryF32Op::Add: return dispatch<BinaryF32Op::Add>(p, a, b, c, y, row_begin, row_end);
      case BinaryF32Op::Sub: return dispatch<BinaryF32Op::Sub>(p, a, b, c, y, row_begin, row_end);
      case BinaryF32Op::Mul: return dispatch<BinaryF32Op::Mul>(p, a, b, c, y, row_begin, row_end);
      case BinaryF32Op::Div: return dispatch<BinaryF32Op::Div>(p, a, b, c, y, row_begin, row_end);
      case BinaryF32Op::MulAdd: return dispatch<BinaryF32Op::MulAdd>(p, a, b, c, y, row_begin, row_end);
    }
  }
};

}  // namespace
}  // namespace octet::kernels
