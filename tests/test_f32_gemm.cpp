// FP32 packed GEMM variants (kernels/f32/gemm.h) against the scalar reference
// (kernels/reference/gemm.h): every M, N, K in {1, 3, 7, 10, 17, 64, 100}, ResNet8's 64 -> 10
// classifier, squares 64..256, B plain and transposed, with and without bias, None and Relu,
// padded leading dimensions, and row ranges computed in pieces. Variants the CPU lacks are
// skipped visibly.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "kernels/reference/gemm.h"
#include "tests/kernel_variants_util.h"

namespace octet {
namespace {

using kernels::Activation;
using kernels::GemmF32Kernel;

using kernel_test::VariantParam;

// A poison value that no correct output can equal.
constexpr float kSentinel = -12345.f;

struct Case {
  Case(int32_t m_, int32_t n_, int32_t k_, bool trans_b_ = false, bool bias_ = true,
       Activation act_ = Activation::None, int32_t lda_pad_ = 0, int32_t ldc_pad_ = 0,
       std::vector<int32_t> row_cuts_ = {})
      : m(m_), n(n_), k(k_), trans_b(trans_b_), bias(bias_), act(act_), lda_pad(lda_pad_), ldc_pad(ldc_pad_),
        row_cuts(std::move(row_cuts_)) {}
  int32_t m, n, k;
  bool trans_b;
  bool bias;
  Activation act;
  int32_t lda_pad, ldc_pad;
  std::vector<int32_t> row_cuts;   // run [0, cut0), [cut0, cut1), ..., [last, m)
};

std::string describe(const Case& c) {
  return "M=" + std::to_string(c.m) + " N=" + std::to_string(c.n) + " K=" + std::to_string(c.k) +
         (c.trans_b ? " trans_b" : "") + (c.bias ? " bias" : " no-bias") +
         (c.act == Activation::Relu ? " relu" : "") + " lda+" + std::to_string(c.lda_pad) + " ldc+" +
         std::to_string(c.ldc_pad);
}

class F32Gemm : public ::testing::TestWithParam<VariantParam> {
 protected:
  void SetUp() override {
    if (!GetParam().v->supported()) GTEST_SKIP() << "CPU lacks " << kernels::isa_name(GetParam().v->isa) << " (" << GetParam().v->name << ")";
  }

  // Runs the variant and checks every element against the reference within 1e-5 of the
  // magnitude of its terms (sum of |a*b| plus |bias|: FMA and summation order may differ).
  void check(const Case& c, uint32_t seed) {
    SCOPED_TRACE(describe(c));
    const GemmF32Kernel& kern = *GetParam().v->gemm;
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(-1.f, 1.f);
    const int32_t lda = c.k + c.lda_pad, ldc = c.n + c.ldc_pad;
    std::vector<float> a(static_cast<size_t>(c.m) * lda), b(static_cast<size_t>(c.k) * c.n), bias(c.n);
    for (float& v : a) v = dist(rng);
    for (float& v : b) v = dist(rng);
    for (float& v : bias) v = dist(rng);

    // Pack into a buffer with a guard zone: pack must stay within packed_floats.
    const size_t packed_n = kern.packed_floats(c.k, c.n);
    std::vector<float> packed(packed_n + 64, kSentinel);
    kern.pack(c.k, c.n, b.data(), c.trans_b, c.bias ? bias.data() : nullptr, packed.data());
    for (size_t i = packed_n; i < packed.size(); ++i) ASSERT_EQ(packed[i], kSentinel) << "pack wrote past packed_floats";

    std::vector<float> out(static_cast<size_t>(c.m) * ldc, kSentinel);
    int32_t begin = 0;
    std::vector<int32_t> cuts = c.row_cuts;
    cuts.push_back(c.m);
    for (int32_t end : cuts) {
      kern.run(begin, end, c.n, c.k, a.data(), lda, packed.data(), out.data(), ldc, c.act);
      begin = end;
    }

    // Reference on a dense copy of A.
    std::vector<float> dense_a(static_cast<size_t>(c.m) * c.k);
    for (int32_t i = 0; i < c.m; ++i)
      for (int32_t j = 0; j < c.k; ++j) dense_a[static_cast<size_t>(i) * c.k + j] = a[static_cast<size_t>(i) * lda + j];
    kernels::GemmParams p;
    p.M = c.m;
    p.N = c.n;
    p.K = c.k;
    p.trans_b = c.trans_b;
    p.c_row_stride = 0;
    p.c_col_stride = 1;
    std::vector<float> want(static_cast<size_t>(c.m) * c.n);
    kernels::gemm_ref<float>(p, dense_a.data(), b.data(), c.bias ? bias.data() : nullptr, want.data());

    int failures = 0;
    for (int32_t i = 0; i < c.m && failures < 10; ++i) {
      for (int32_t j = 0; j < c.n + c.ldc_pad; ++j) {
        const float got = out[static_cast<size_t>(i) * ldc + j];
        if (j >= c.n) {   // the ldc padding must stay untouched
          if (got != kSentinel) ++failures;
          EXPECT_EQ(got, kSentinel) << "row " << i << " col " << j << " is padding";
          continue;
        }
        float w = want[static_cast<size_t>(i) * c.n + j];
        if (c.act == Activation::Relu) w = w < 0.f ? 0.f : w;
        double scale = c.bias ? std::fabs(bias[j]) : 0.0;
        for (int32_t kk = 0; kk < c.k; ++kk) {
          const float bv = c.trans_b ? b[static_cast<size_t>(j) * c.k + kk] : b[static_cast<size_t>(kk) * c.n + j];
          scale += std::fabs(dense_a[static_cast<size_t>(i) * c.k + kk] * bv);
        }
        const double tol = 1e-5 * scale + 1e-30;
        if (!(std::fabs(got - w) <= tol)) ++failures;
        EXPECT_NEAR(got, w, tol) << "row " << i << " col " << j;
      }
    }
  }
};

TEST_P(F32Gemm, AllSmallShapesAgainstReference) {
  const int32_t sizes[] = {1, 3, 7, 10, 17, 64, 100};
  uint32_t seed = 1;
  int flavour = 0;
  for (int32_t m : sizes) {
    for (int32_t n : sizes) {
      for (int32_t k : sizes) {
        Case c{m, n, k};
        // Cycle through the flags so that every combination meets many shapes.
        c.trans_b = flavour & 1;
        c.bias = (flavour >> 1) % 2 == 0;
        c.act = (flavour >> 2) % 2 ? Activation::Relu : Activation::None;
        ++flavour;
        check(c, seed++);
        if (HasFailure()) return;
      }
    }
  }
}

TEST_P(F32Gemm, EveryFlagCombinationOnOddShapes) {
  uint32_t seed = 100;
  for (auto [m, n, k] : {std::tuple{17, 33, 19}, std::tuple{10, 10, 64}, std::tuple{9, 47, 5}}) {
    for (bool trans_b : {false, true}) {
      for (bool bias : {false, true}) {
        for (Activation act : {Activation::None, Activation::Relu}) {
          Case c{m, n, k, trans_b, bias, act};
          check(c, seed++);
        }
      }
    }
  }
}

TEST_P(F32Gemm, ResNet8Classifier64To10) {
  for (int32_t batch : {1, 7, 64}) {
    Case c{batch, 10, 64, /*trans_b=*/true, /*bias=*/true, Activation::None};
    check(c, 7u + batch);
    c.trans_b = false;
    check(c, 8u + batch);
  }
}

TEST_P(F32Gemm, SquaresBothLayoutsOfB) {
  uint32_t seed = 200;
  for (int32_t s : {64, 128, 256}) {
    for (bool trans_b : {false, true}) {
      Case c{s, s, s, trans_b, true, trans_b ? Activation::Relu : Activation::None};
      check(c, seed++);
    }
  }
}

TEST_P(F32Gemm, PaddedLeadingDimensionsAndRowPieces) {
  // Pieces that split inside micro-kernel row blocks, and empty pieces.
  Case c{37, 45, 23, false, true, Activation::Relu, /*lda_pad=*/5, /*ldc_pad=*/3, {0, 1, 5, 5, 13, 30}};
  check(c, 300);
  Case d{100, 100, 17, true, false, Activation::None, 1, 7, {6, 8, 48, 99}};
  check(d, 301);
}

TEST_P(F32Gemm, ZeroKGivesBiasThenActivation) {
  // K = 0: C = act(bias), and no reads of A or B.
  const GemmF32Kernel& kern = *GetParam().v->gemm;
  const int32_t n = 21;
  std::vector<float> bias(n);
  for (int32_t j = 0; j < n; ++j) bias[j] = static_cast<float>(j) - 10.f;
  std::vector<float> packed(kern.packed_floats(0, n));
  kern.pack(0, n, nullptr, false, bias.data(), packed.data());
  std::vector<float> out(3 * n, kSentinel);
  kern.run(0, 3, n, 0, nullptr, 0, packed.data(), out.data(), n, Activation::Relu);
  for (int32_t i = 0; i < 3; ++i)
    for (int32_t j = 0; j < n; ++j) EXPECT_EQ(out[i * n + j], j < 10 ? 0.f : bias[j]) << i << "," << j;
}

TEST_P(F32Gemm, ReluPropagatesNaN) {
  // Relu is `x < 0 ? 0 : x` as in the reference, so NaN stays NaN rather than becoming 0.
  const GemmF32Kernel& kern = *GetParam().v->gemm;
  const int32_t m = 2, n = 5, k = 3;
  std::vector<float> a = {1, 2, 3, NAN, 0, 0};
  std::vector<float> b(k * n, -1.f);
  std::vector<float> packed(kern.packed_floats(k, n));
  kern.pack(k, n, b.data(), false, nullptr, packed.data());
  std::vector<float> out(m * n);
  kern.run(0, m, n, k, a.data(), k, packed.data(), out.data(), n, Activation::Relu);
  for (int32_t j = 0; j < n; ++j) {
    EXPECT_EQ(out[j], 0.f);
    EXPECT_TRUE(std::isnan(out[n + j])) << j;
  }
}

INSTANTIATE_TEST_SUITE_P(Isa, F32Gemm, ::testing::ValuesIn(kernel_test::variant_params(kernels::KernelFamily::GemmF32)),
                         kernel_test::isa_param_name);

}  // namespace
}  // namespace octet
