// Reference MatMul and Gemm: hand-computed cases, numpy broadcasting and 1-D operands,
// random shapes against a double-precision triple loop, and validation errors.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "kernels/reference/gemm.h"
#include "tests/ref_op_test_util.h"

namespace octet {
namespace {

using namespace octet::testing;

Tensor tensor_f32(std::vector<int64_t> dims, const std::vector<float>& v) {
  return Tensor::from<float>(std::move(dims), std::span<const float>(v));
}

std::vector<float> random_floats(size_t n, std::mt19937& rng) {
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  std::vector<float> v(n);
  for (float& f : v) f = dist(rng);
  return v;
}

TEST(ReferenceMatMul, TwoByThreeTimesThreeByTwo) {
  Graph g = graph_at(13);
  Node n = make_node(OpKind::MatMul, "mm");
  Tensor a = tensor_f32({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor b = tensor_f32({3, 2}, {7, 8, 9, 10, 11, 12});
  ref::Outputs r = run(ref::eval_MatMul, g, n, {&a, &b});
  EXPECT_EQ(r[0].dims, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(values<float>(r[0]), (std::vector<float>{58, 64, 139, 154}));
}

TEST(ReferenceMatMul, OneDimensionalOperands) {
  Graph g = graph_at(13);
  Node n = make_node(OpKind::MatMul, "mm");
  Tensor v = tensor_f32({3}, {1, 2, 3});
  Tensor m = tensor_f32({3, 2}, {7, 8, 9, 10, 11, 12});
  Tensor mt = tensor_f32({2, 3}, {1, 0, 2, 0, 1, 0});
  ref::Outputs r = run(ref::eval_MatMul, g, n, {&v, &m});   // [3] x [3,2] -> [2]
  EXPECT_EQ(r[0].dims, (std::vector<int64_t>{2}));
  EXPECT_EQ(values<float>(r[0]), (std::vector<float>{58, 64}));
  r = run(ref::eval_MatMul, g, n, {&mt, &v});   // [2,3] x [3] -> [2]
  EXPECT_EQ(r[0].dims, (std::vector<int64_t>{2}));
  EXPECT_EQ(values<float>(r[0]), (std::vector<float>{7, 2}));
  r = run(ref::eval_MatMul, g, n, {&v, &v});   // [3] x [3] -> scalar
  EXPECT_TRUE(r[0].dims.empty());
  EXPECT_EQ(values<float>(r[0]), (std::vector<float>{14}));
  // A 1-D operand against a batched one: [3] x [2,3,2] -> [2,2]
  Tensor batched = tensor_f32({2, 3, 2}, {7, 8, 9, 10, 11, 12, 1, 0, 0, 1, 0, 0});
  r = run(ref::eval_MatMul, g, n, {&v, &batched});
  EXPECT_EQ(r[0].dims, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(values<float>(r[0]), (std::vector<float>{58, 64, 1, 2}));
}

TEST(ReferenceMatMul, DoubleAndEmptyInnerDim) {
  Graph g = graph_at(13);
  Node n = make_node(OpKind::MatMul, "mm");
  Tensor a = Tensor::from<double>({1, 2}, {0.1, 0.2});
  Tensor b = Tensor::from<double>({2, 1}, {3, 4});
  EXPECT_EQ(values<double>(run(ref::eval_MatMul, g, n, {&a, &b})[0]), (std::vector<double>{0.1 * 3 + 0.2 * 4}));
  Tensor e1(DType::Float32, {2, 0}), e2(DType::Float32, {0, 3});
  ref::Outputs r = run(ref::eval_MatMul, g, n, {&e1, &e2});
  EXPECT_EQ(r[0].dims, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(values<float>(r[0]), std::vector<float>(6, 0.f));
}

// Random batched shapes, broadcast batch dims, against a direct loop in double.
TEST(ReferenceMatMul, RandomBroadcastBatchesMatchDoubleLoop) {
  struct Case {
    std::vector<int64_t> a, b;
  };
  const std::vector<Case> cases = {
      {{7, 5, 3}, {7, 3, 4}}, {{2, 1, 5, 3}, {3, 3, 6}}, {{5, 3}, {4, 3, 2}}, {{1, 4, 1, 3}, {2, 1, 3, 5}},
      {{3, 1, 9}, {9, 1}},
  };
  std::mt19937 rng(7);
  Graph g = graph_at(13);
  Node n = make_node(OpKind::MatMul, "mm");
  for (const Case& c : cases) {
    const size_t ra = c.a.size(), rb = c.b.size();
    const int64_t M = c.a[ra - 2], K = c.a[ra - 1], N = c.b[rb - 1];
    // Broadcast batch dims by hand.
    const size_t rank = std::max(ra, rb) - 2;
    std::vector<int64_t> batch(rank), ba(rank, 1), bb(rank, 1);
    for (size_t i = 0; i < rank; ++i) {
      if (i + ra - 2 >= rank) ba[i] = c.a[i + ra - 2 - rank];
      if (i + rb - 2 >= rank) bb[i] = c.b[i + rb - 2 - rank];
      batch[i] = std::max(ba[i], bb[i]);
    }
    int64_t na = 1, nb = 1;
    for (int64_t d : c.a) na *= d;
    for (int64_t d : c.b) nb *= d;
    const std::vector<float> av = random_floats(static_cast<size_t>(na), rng),
                             bv = random_floats(static_cast<size_t>(nb), rng);
    Tensor a = tensor_f32(c.a, av), b = tensor_f32(c.b, bv);
    ref::Outputs r = run(ref::eval_MatMul, g, n, {&a, &b});
    std::vector<int64_t> want_dims = batch;
    want_dims.push_back(M);
    want_dims.push_back(N);
    ASSERT_EQ(r[0].dims, want_dims);
    const std::vector<float> got = values<float>(r[0]);
    int64_t count = 1;
    for (int64_t d : batch) count *= d;
    for (int64_t bi = 0; bi < count; ++bi) {
      // Batch index -> offsets into a and b (index 0 along a broadcast dim of size 1).
      int64_t rem = bi, oa = 0, ob = 0, sa = 1, sb = 1;
      for (size_t i = rank; i-- > 0;) {
        const int64_t idx = rem % batch[i];
        rem /= batch[i];
        oa += (ba[i] == 1 ? 0 : idx) * sa;
        ob += (bb[i] == 1 ? 0 : idx) * sb;
        sa *= ba[i];
        sb *= bb[i];
      }
      for (int64_t m = 0; m < M; ++m)
        for (int64_t j = 0; j < N; ++j) {
          double want = 0;
          for (int64_t k = 0; k < K; ++k)
            want += static_cast<double>(av[static_cast<size_t>(oa * M * K + m * K + k)]) *
                    bv[static_cast<size_t>(ob * K * N + k * N + j)];
          ASSERT_NEAR(got[static_cast<size_t>((bi * M + m) * N + j)], want, 1e-5 * K);
        }
    }
  }
}

TEST(ReferenceMatMulErrors, BadShapes) {
  Graph g = graph_at(13);
  Node n = make_node(OpKind::MatMul, "mm_bad");
  Tensor a(DType::Float32, {2, 3}), b(DType::Float32, {4, 2});
  expect_error(ref::eval_MatMul, g, n, {&a, &b}, "inner dimensions differ: A [2,3] x B [4,2]");
  Tensor a3(DType::Float32, {2, 2, 3}), b3(DType::Float32, {3, 3, 1});
  expect_error(ref::eval_MatMul, g, n, {&a3, &b3}, "cannot be broadcast");
  Tensor s(DType::Float32, {});
  expect_error(ref::eval_MatMul, g, n, {&s, &b}, "must not be scalars");
  Tensor ai(DType::Int64, {2, 3}), bi(DType::Int64, {3, 2});
  expect_error(ref::eval_MatMul, g, n, {&ai, &bi}, "int64 is not supported");
  Tensor bd(DType::Float64, {3, 2});
  expect_error(ref::eval_MatMul, g, n, {&a, &bd}, "expected float32");
}

// ---- Gemm ----

TEST(ReferenceGemm, TransposesAlphaBetaAndBiasShapes) {
  Graph g = graph_at(13);
  // A = [[1,2,3],[4,5,6]] (2x3), B = [[1,0],[0,1],[1,1]] (3x2): A*B = [[4,5],[10,11]].
  Tensor a = tensor_f32({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor at = tensor_f32({3, 2}, {1, 4, 2, 5, 3, 6});
  Tensor b = tensor_f32({3, 2}, {1, 0, 0, 1, 1, 1});
  Tensor bt = tensor_f32({2, 3}, {1, 0, 1, 0, 1, 1});
  Node n = make_node(OpKind::Gemm, "gemm");
  EXPECT_EQ(values<float>(run(ref::eval_Gemm, g, n, {&a, &b})[0]), (std::vector<float>{4, 5, 10, 11}));
  Node t = n;
  t.attrs["transA"] = int_attr(1);
  t.attrs["transB"] = int_attr(1);
  EXPECT_EQ(values<float>(run(ref::eval_Gemm, g, t, {&at, &bt})[0]), (std::vector<float>{4, 5, 10, 11}));

  Node ab = n;
  ab.attrs["alpha"] = float_attr(0.5f);
  ab.attrs["beta"] = float_attr(2.f);
  Tensor scalar = tensor_f32({}, {1});
  Tensor single = tensor_f32({1}, {1});
  Tensor row = tensor_f32({2}, {1, 2});
  Tensor row2 = tensor_f32({1, 2}, {1, 2});
  Tensor col = tensor_f32({2, 1}, {1, 2});
  Tensor full = tensor_f32({2, 2}, {1, 2, 3, 4});
  // 0.5 * [[4,5],[10,11]] + 2 * C
  EXPECT_EQ(values<float>(run(ref::eval_Gemm, g, ab, {&a, &b, &scalar})[0]), (std::vector<float>{4, 4.5, 7, 7.5}));
  EXPECT_EQ(values<float>(run(ref::eval_Gemm, g, ab, {&a, &b, &single})[0]), (std::vector<float>{4, 4.5, 7, 7.5}));
  EXPECT_EQ(values<float>(run(ref::eval_Gemm, g, ab, {&a, &b, &row})[0]), (std::vector<float>{4, 6.5, 7, 9.5}));
  EXPECT_EQ(values<float>(run(ref::eval_Gemm, g, ab, {&a, &b, &row2})[0]), (std::vector<float>{4, 6.5, 7, 9.5}));
  EXPECT_EQ(values<float>(run(ref::eval_Gemm, g, ab, {&a, &b, &col})[0]), (std::vector<float>{4, 4.5, 9, 9.5}));
  EXPECT_EQ(values<float>(run(ref::eval_Gemm, g, ab, {&a, &b, &full})[0]), (std::vector<float>{4, 6.5, 11, 13.5}));
  // Without C, beta plays no part.
  EXPECT_EQ(values<float>(run(ref::eval_Gemm, g, ab, {&a, &b, nullptr})[0]), (std::vector<float>{2, 2.5, 5, 5.5}));
}

TEST(ReferenceGemm, RandomTransposesMatchDoubleLoop) {
  std::mt19937 rng(11);
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb) {
      const int64_t M = 5, K = 13, N = 7;
      kernels::GemmParams p;
      p.M = M;
      p.N = N;
      p.K = K;
      p.trans_a = ta;
      p.trans_b = tb;
      p.alpha = 0.75f;
      p.beta = -1.5f;
      p.c_row_stride = 0;   // C is a row vector [N]
      p.c_col_stride = 1;
      const std::vector<float> a = random_floats(M * K, rng), b = random_floats(K * N, rng), c = random_floats(N, rng);
      std::vector<float> y(M * N);
      kernels::gemm_ref<float>(p, a.data(), b.data(), c.data(), y.data());
      for (int64_t m = 0; m < M; ++m)
        for (int64_t j = 0; j < N; ++j) {
          double acc = 0;
          for (int64_t k = 0; k < K; ++k) {
            const double av = ta ? a[static_cast<size_t>(k * M + m)] : a[static_cast<size_t>(m * K + k)];
            const double bv = tb ? b[static_cast<size_t>(j * K + k)] : b[static_cast<size_t>(k * N + j)];
            acc += av * bv;
          }
          const double want = 0.75 * acc - 1.5 * c[static_cast<size_t>(j)];
          ASSERT_NEAR(y[static_cast<size_t>(m * N + j)], want, 1e-5 * K) << "transA " << ta << " transB " << tb;
        }
    }
}

TEST(ReferenceGemmErrors, BadShapes) {
  Graph g = graph_at(13);
  Node n = make_node(OpKind::Gemm, "gemm_bad");
  Tensor a(DType::Float32, {2, 3}), b(DType::Float32, {2, 3});
  expect_error(ref::eval_Gemm, g, n, {&a, &b}, "inner dimensions differ");
  Node tb = n;
  tb.attrs["transB"] = int_attr(1);
  Tensor c(DType::Float32, {3, 2});
  expect_error(ref::eval_Gemm, g, tb, {&a, &b, &c}, "C [3,2] does not broadcast to the output [2,2]");
  Tensor c3(DType::Float32, {1, 2, 2});
  expect_error(ref::eval_Gemm, g, tb, {&a, &b, &c3}, "does not broadcast");
  Tensor a3(DType::Float32, {1, 2, 3});
  expect_error(ref::eval_Gemm, g, tb, {&a3, &b}, "must be 2-D");
}

}  // namespace
}  // namespace octet
