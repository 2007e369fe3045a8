// The broadcast binary kernels (kernels/f32/binary.h, every VectorF32 variant of the kernel
// table) with the compiler's lowering (engine/binary_broadcast.h) against the reference
// broadcast (kernels/reference/elementwise.h) on NCHW data: 4-D activations stored NHWC as in
// the plan, constants packed in the output's order, random shapes with odd channel counts,
// batches of 1 and 7, the broadcasting patterns of CNNs (same shape, squeeze-excitation
// [N,C,1,1], per-channel constants, scalars, [N,1,H,W], 2-D [N,C] x [C]) and odd ones, and
// row ranges stitched from two pieces. Add, Sub, Mul and Div round once, as the reference:
// compared bit for bit; a * b + c (MulAdd) may be contracted into an FMA: within 1e-6.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "engine/binary_broadcast.h"
#include "engine/runtime/error.h"
#include "kernels/reference/elementwise.h"
#include "tests/kernel_variants_util.h"

namespace octet {
namespace {

using kernels::BinaryF32Op;
using kernels::BinaryF32Params;
using kernel_test::VariantParam;

// One operand: full ONNX dims (an activation's start with the batch; a constant's may be of
// lower rank, right-aligned) and how it is stored.
struct OperandSpec {
  std::vector<int64_t> dims;
  bool constant = false;
  bool nhwc = false;   // a 4-D activation in the plan's NHWC storage
};

int64_t numel(const std::vector<int64_t>& d) {
  int64_t n = 1;
  for (int64_t x : d) n *= x;
  return n;
}

// Row-major strides of `dims` right-aligned to `rank`, 0 where the dim is 1 (broadcast).
std::vector<int64_t> broadcast_strides(const std::vector<int64_t>& dims, size_t rank) {
  std::vector<int64_t> s(rank, 0);
  int64_t step = 1;
  for (size_t i = dims.size(); i-- > 0;) {
    s[rank - dims.size() + i] = dims[i] == 1 ? 0 : step;
    step *= dims[i];
  }
  return s;
}

std::vector<float> random_values(int64_t n, std::mt19937& rng, bool nonzero) {
  std::uniform_real_distribution<float> d(-2.f, 2.f);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) {
    x = d(rng);
    if (nonzero && std::fabs(x) < 0.05f) x = 0.5f;   // Div: keep quotients finite and tame
  }
  return v;
}

// One image of a 4-D NCHW tensor [C,H,W] in NHWC order, or back.
std::vector<float> to_nhwc(const float* x, int64_t c, int64_t hw) {
  std::vector<float> y(static_cast<size_t>(c * hw));
  for (int64_t ch = 0; ch < c; ++ch)
    for (int64_t i = 0; i < hw; ++i) y[static_cast<size_t>(i * c + ch)] = x[ch * hw + i];
  return y;
}

class F32Binary : public ::testing::TestWithParam<VariantParam> {
 protected:
  void SetUp() override {
    if (!GetParam().v->supported()) GTEST_SKIP() << "CPU lacks " << kernels::isa_name(GetParam().v->isa);
  }

  // Runs out = a op b (or a * b + c, c a constant like b) through the lowering and the
  // kernel, image by image, and compares with the reference on NCHW data.
  void check(BinaryF32Op op, const OperandSpec& a, const OperandSpec& b, std::mt19937& rng) {
    const std::vector<int64_t> out_full = broadcast_dims(a.dims, b.dims);
    const size_t rank = out_full.size();
    const int64_t batch = out_full[0];
    const std::vector<int64_t> out_img(out_full.begin() + 1, out_full.end());
    const int64_t out_per_image = numel(out_img);
    const bool div = op == BinaryF32Op::Div;
    const std::vector<float> av = random_values(numel(a.dims), rng, false);
    const std::vector<float> bv = random_values(numel(b.dims), rng, div);
    const std::vector<float> cv = random_values(numel(b.dims), rng, false);

    // The reference, on NCHW.
    std::vector<float> want(static_cast<size_t>(numel(out_full)));
    const std::vector<int64_t> as = broadcast_strides(a.dims, rank), bs = broadcast_strides(b.dims, rank);
    const std::vector<int64_t> cs = broadcast_strides(out_full, rank);
    auto ref = [&](kernels::BinaryOp o, const float* x, const std::vector<int64_t>& xs, const float* y,
                   const std::vector<int64_t>& ys, float* out) {
      kernels::binary_broadcast<float>(o, {out_full, xs, ys}, x, y, out);
    };
    static const kernels::BinaryOp kRef[] = {kernels::BinaryOp::Add, kernels::BinaryOp::Sub, kernels::BinaryOp::Mul,
                                             kernels::BinaryOp::Div, kernels::BinaryOp::Mul};
    ref(kRef[static_cast<int>(op)], av.data(), as, bv.data(), bs, want.data());
    if (op == BinaryF32Op::MulAdd) {
      const std::vector<float> product = want;
      ref(kernels::BinaryOp::Add, product.data(), cs, cv.data(), bs, want.data());
    }

    // The plan's form: per image, NHWC where the output is, constants packed in its order.
    const bool image = rank == 4;
    const bool nhwc_out = image && ((!a.constant && a.nhwc) || (!b.constant && b.nhwc));
    const std::vector<int> out_order = nhwc_out ? nhwc_order() : row_major_order(rank - 1);
    auto per_image_dims = [&](const OperandSpec& o) {
      std::vector<int64_t> d(rank - o.dims.size(), 1);
      d.insert(d.end(), o.dims.begin(), o.dims.end());
      return std::vector<int64_t>(d.begin() + 1, d.end());
    };
    auto operand = [&](const OperandSpec& o) {
      const std::vector<int64_t> d = per_image_dims(o);
      if (o.constant) return BroadcastOperand{d, out_order};
      return BroadcastOperand{d, o.nhwc ? nhwc_order() : row_major_order(rank - 1)};
    };
    const BinaryF32Params p = lower_binary(op, out_img, out_order, operand(a), operand(b));
    auto image_of = [&](const OperandSpec& o, const std::vector<float>& v, int64_t n) {
      const std::vector<int64_t> d = per_image_dims(o);
      if (o.constant) return to_storage_order(v, d, out_order);
      const float* x = v.data() + n * numel(d);
      if (o.nhwc) return to_nhwc(x, d[0], d[1] * d[2]);
      return std::vector<float>(x, x + numel(d));
    };
    const std::vector<float> c_packed = to_storage_order(cv, per_image_dims(b), out_order);
    const kernels::VectorF32Kernels& k = *GetParam().v->vector;
    ASSERT_LE(p.output_elements(), out_per_image);
    for (int64_t n = 0; n < batch; ++n) {
      const std::vector<float> ai = image_of(a, av, n), bi = image_of(b, bv, n);
      ASSERT_LE(p.a_extent(), static_cast<int64_t>(ai.size()));
      ASSERT_LE(p.b_extent(), static_cast<int64_t>(bi.size()));
      std::vector<float> y(static_cast<size_t>(out_per_image), -12345.f);
      const int64_t split = p.rows() / 2;
      k.binary(p, ai.data(), bi.data(), c_packed.data(), y.data(), 0, split);
      k.binary(p, ai.data(), bi.data(), c_packed.data(), y.data(), split, p.rows());
      const std::vector<float> got = nhwc_out ? [&] {
        // NHWC back to NCHW.
        std::vector<float> z(y.size());
        const int64_t c = out_img[0], hw = out_img[1] * out_img[2];
        for (int64_t ch = 0; ch < c; ++ch)
          for (int64_t i = 0; i < hw; ++i) z[static_cast<size_t>(ch * hw + i)] = y[static_cast<size_t>(i * c + ch)];
        return z;
      }() : y;
      int failures = 0;
      for (int64_t i = 0; i < out_per_image && failures < 5; ++i) {
        const float w = want[static_cast<size_t>(n * out_per_image + i)], g = got[static_cast<size_t>(i)];
        const bool ok = op == BinaryF32Op::MulAdd ? std::fabs(g - w) <= 1e-6f * (1.f + std::fabs(w)) : g == w;
        if (!ok) ++failures;
        EXPECT_TRUE(ok) << "image " << n << " element " << i << ": got " << g << " want " << w;
      }
    }
  }
};

constexpr BinaryF32Op kOps[] = {BinaryF32Op::Add, BinaryF32Op::Sub, BinaryF32Op::Mul, BinaryF32Op::Div};

TEST_P(F32Binary, CnnPatternsOnRandomShapes) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int64_t> ch(1, 37), hw(1, 9);
  for (int round = 0; round < 12; ++round) {
    const int64_t n = round % 2 == 0 ? 1 : 7, c = ch(rng) | 1, h = hw(rng), w = hw(rng);
    const std::vector<int64_t> x{n, c, h, w};
    SCOPED_TRACE("x [" + std::to_string(n) + "," + std::to_string(c) + "," + std::to_string(h) + "," +
                 std::to_string(w) + "]");
    for (BinaryF32Op op : kOps) {
      check(op, {x, false, true}, {x, false, true}, rng);                 // same shape
      check(op, {x, false, true}, {{n, c, 1, 1}, false, true}, rng);      // squeeze-excitation scale
      check(op, {{n, c, 1, 1}, false, true}, {x, false, true}, rng);      // ... on the left
      check(op, {x, false, true}, {{c, 1, 1}, true}, rng);                // per-channel constant
      check(op, {{1, c, 1, 1}, true}, {x, false, true}, rng);             // constant on the left
      check(op, {x, false, true}, {{1}, true}, rng);                      // scalar
      check(op, {x, false, true}, {{n, 1, h, w}, false, false}, rng);     // per-pixel, plain storage
      check(op, {x, false, true}, {x, false, false}, rng);                // NHWC with plain
      check(op, {x, false, true}, {{w}, true}, rng);                      // along W only
      check(op, {{n, c}, false, false}, {{c}, true}, rng);                // 2-D after a Gemm
      check(op, {{n, c}, false, false}, {{n, 1}, false, false}, rng);     // per-row
      check(op, {{n, 3, c, 2, 5}, false, false}, {{3, 1, 2, 1}, true}, rng);   // 5-D, alternating
    }
    check(BinaryF32Op::MulAdd, {x, false, true}, {{c, 1, 1}, true}, rng);   // BatchNormalization 4-D
    check(BinaryF32Op::MulAdd, {{n, c}, false, false}, {{c}, true}, rng);   // ... after a Gemm
  }
}

TEST(BinaryLowering, MergesRunsAndRefusesWhatDoesNotBroadcast) {
  // Same shape: one run. SE on NHWC: pixels around a run of channels, the scale's stride 0.
  const BinaryF32Params same = lower_binary(BinaryF32Op::Add, {5, 3, 4}, nhwc_order(), {{5, 3, 4}, nhwc_order()},
                                            {{5, 3, 4}, nhwc_order()});
  EXPECT_EQ(same.outer_dims, 0);
  EXPECT_EQ(same.inner, 60);
  const BinaryF32Params se = lower_binary(BinaryF32Op::Mul, {5, 3, 4}, nhwc_order(), {{5, 3, 4}, nhwc_order()},
                                          {{5, 1, 1}, nhwc_order()});
  ASSERT_EQ(se.outer_dims, 1);
  EXPECT_EQ(se.outer[0], 12);
  EXPECT_EQ(se.a_stride[0], 5);
  EXPECT_EQ(se.b_stride[0], 0);
  EXPECT_EQ(se.inner, 5);
  EXPECT_FALSE(se.a_scalar || se.b_scalar);
  EXPECT_THROW(lower_binary(BinaryF32Op::Add, {5, 3}, row_major_order(2), {{5, 3}, row_major_order(2)},
                            {{4, 3}, row_major_order(2)}),
               Error);
  EXPECT_THROW(broadcast_dims({2, 3}, {4, 3}), Error);
}

INSTANTIATE_TEST_SUITE_P(Isa, F32Binary,
                         ::testing::ValuesIn(kernel_test::variant_params(kernels::KernelFamily::VectorF32)),
                         kernel_test::isa_param_name);

}  // namespace
}  // namespace octet
