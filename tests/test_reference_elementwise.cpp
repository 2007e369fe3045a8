// Reference ops Add/Sub/Mul/Div (broadcasting), Relu and Clip, on hand-built nodes.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "tests/ref_op_test_util.h"

namespace octet {
namespace {

using namespace octet::testing;

TEST(ReferenceBinary, AddBroadcasts_2x3x1_With_1x4) {
  Graph g = graph_at(13);
  Node n = make_node(OpKind::Add, "add");
  Tensor a = Tensor::from<float>({2, 3, 1}, {1, 2, 3, 4, 5, 6});
  Tensor b = Tensor::from<float>({1, 4}, {10, 20, 30, 40});
  ref::Outputs out = run(ref::eval_Add, g, n, {&a, &b});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].dims, (std::vector<int64_t>{2, 3, 4}));
  std::vector<float> want;
  for (float x : {1, 2, 3, 4, 5, 6})
    for (float y : {10, 20, 30, 40}) want.push_back(x + y);
  EXPECT_EQ(values<float>(out[0]), want);
}

TEST(ReferenceBinary, ScalarBroadcastBothSides) {
  Graph g = graph_at(14);
  Node n = make_node(OpKind::Sub, "sub");
  Tensor a = Tensor::from<double>({2, 2}, {1, 2, 3, 4});
  Tensor s = Tensor::from<double>({}, {10});
  EXPECT_EQ(values<double>(run(ref::eval_Sub, g, n, {&a, &s})[0]), (std::vector<double>{-9, -8, -7, -6}));
  ref::Outputs r = run(ref::eval_Sub, g, n, {&s, &a});
  EXPECT_EQ(r[0].dims, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(values<double>(r[0]), (std::vector<double>{9, 8, 7, 6}));
  // scalar op scalar stays rank 0
  ref::Outputs rr = run(ref::eval_Sub, g, n, {&s, &s});
  EXPECT_TRUE(rr[0].dims.empty());
  EXPECT_EQ(values<double>(rr[0]), (std::vector<double>{0}));
}

TEST(ReferenceBinary, ZeroSizedBroadcast) {
  Graph g = graph_at(13);
  Node n = make_node(OpKind::Mul, "mul");
  Tensor a(DType::Float32, {0, 3});
  Tensor b = Tensor::from<float>({1, 3}, {1, 2, 3});
  ref::Outputs r = run(ref::eval_Mul, g, n, {&a, &b});
  EXPECT_EQ(r[0].dims, (std::vector<int64_t>{0, 3}));
  EXPECT_EQ(r[0].numel(), 0);
}

TEST(ReferenceBinary, IntegerDivTruncatesTowardZero) {
  Graph g = graph_at(13);
  Node n = make_node(OpKind::Div, "div");
  Tensor a = Tensor::from<int32_t>({6}, {7, -7, 7, -7, std::numeric_limits<int32_t>::min(), 0});
  Tensor b = Tensor::from<int32_t>({6}, {2, 2, -2, -2, -1, 5});
  EXPECT_EQ(values<int32_t>(run(ref::eval_Div, g, n, {&a, &b})[0]),
            (std::vector<int32_t>{3, -3, -3, 3, std::numeric_limits<int32_t>::min(), 0}));
  Tensor a64 = Tensor::from<int64_t>({2}, {std::numeric_limits<int64_t>::min(), -9});
  Tensor b64 = Tensor::from<int64_t>({}, {-1});
  EXPECT_EQ(values<int64_t>(run(ref::eval_Div, g, n, {&a64, &b64})[0]),
            (std::vector<int64_t>{std::numeric_limits<int64_t>::min(), 9}));
  Tensor a8 = Tensor::from<int8_t>({2}, {-128, 100});
  Tensor b8 = Tensor::from<int8_t>({2}, {-1, 7});
  EXPECT_EQ(values<int8_t>(run(ref::eval_Div, g, n, {&a8, &b8})[0]), (std::vector<int8_t>{-128, 14}));
}

TEST(ReferenceBinary, IntegerDivisionByZeroIsAnError) {
  Graph g = graph_at(13);
  Node n = make_node(OpKind::Div, "div0");
  Tensor a = Tensor::from<int64_t>({2}, {1, 2});
  Tensor b = Tensor::from<int64_t>({2}, {1, 0});
  expect_error(ref::eval_Div, g, n, {&a, &b}, "division by zero");
  Tensor ua = Tensor::from<uint8_t>({1}, {1});
  Tensor ub = Tensor::from<uint8_t>({1}, {0});
  expect_error(ref::eval_Div, g, n, {&ua, &ub}, "division by zero");
  // Float division by zero is IEEE: inf, no error.
  Tensor fa = Tensor::from<float>({1}, {1});
  Tensor fb = Tensor::from<float>({1}, {0});
  EXPECT_TRUE(std::isinf(values<float>(run(ref::eval_Div, g, n, {&fa, &fb})[0])[0]));
}

TEST(ReferenceBinary, IntegerArithmeticWraps) {
  Graph g = graph_at(14);
  Node add = make_node(OpKind::Add, "add_u8");
  Tensor a = Tensor::from<uint8_t>({3}, {250, 1, 0});
  Tensor b = Tensor::from<uint8_t>({3}, {10, 2, 0});
  EXPECT_EQ(values<uint8_t>(run(ref::eval_Add, g, add, {&a, &b})[0]), (std::vector<uint8_t>{4, 3, 0}));
  Node mul = make_node(OpKind::Mul, "mul_i32");
  Tensor x = Tensor::from<int32_t>({2}, {65536, -3});
  Tensor y = Tensor::from<int32_t>({2}, {65536, 7});
  EXPECT_EQ(values<int32_t>(run(ref::eval_Mul, g, mul, {&x, &y})[0]), (std::vector<int32_t>{0, -21}));
  Tensor u = Tensor::from<uint16_t>({1}, {65535});
  EXPECT_EQ(values<uint16_t>(run(ref::eval_Mul, g, mul, {&u, &u})[0]), (std::vector<uint16_t>{1}));
  Node sub = make_node(OpKind::Sub, "sub_i8");
  Tensor p = Tensor::from<int8_t>({2}, {-128, 5});
  Tensor q = Tensor::from<int8_t>({2}, {1, 7});
  EXPECT_EQ(values<int8_t>(run(ref::eval_Sub, g, sub, {&p, &q})[0]), (std::vector<int8_t>{127, -2}));
}

TEST(ReferenceBinary, Errors) {
  Graph g = graph_at(13);
  Node n = make_node(OpKind::Add, "bad_add");
  Tensor f = Tensor::from<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor f4 = Tensor::from<float>({4}, {1, 2, 3, 4});
  Tensor i = Tensor::from<int32_t>({3}, {1, 2, 3});
  expect_error(ref::eval_Add, g, n, {&f, &f4}, "cannot be broadcast");
  expect_error(ref::eval_Add, g, n, {&f, &i}, "same element type");
  expect_error(ref::eval_Add, g, n, {&f}, "inputs");
  expect_error(ref::eval_Add, g, n, {&f, nullptr}, "inputs");
  Tensor bools = Tensor::from<bool>({1}, {true});
  expect_error(ref::eval_Add, g, n, {&bools, &bools}, "bool");
  Tensor h(DType::Float16, {2});
  expect_error(ref::eval_Add, g, n, {&h, &h}, "float16");
}

// Naive numpy broadcasting: unravel the output index, read each input at the aligned index
// with broadcast dims pinned to 0.
int64_t naive_offset(const std::vector<int64_t>& in_dims, const std::vector<int64_t>& out_index) {
  const size_t shift = out_index.size() - in_dims.size();
  int64_t off = 0;
  for (size_t d = 0; d < in_dims.size(); ++d) {
    const int64_t i = in_dims[d] == 1 ? 0 : out_index[d + shift];
    off = off * in_dims[d] + i;
  }
  return off;
}

TEST(ReferenceBinary, RandomBroadcastingMatchesNaiveIndexing) {
  Graph g = graph_at(13);
  std::mt19937 rng(1234);
  const OpKind kinds[] = {OpKind::Add, OpKind::Sub, OpKind::Mul, OpKind::Div};
  const EvalFn fns[] = {ref::eval_Add, ref::eval_Sub, ref::eval_Mul, ref::eval_Div};
  for (int iter = 0; iter < 300; ++iter) {
    const int rank = static_cast<int>(rng() % 5);   // output rank 0..4
    std::vector<int64_t> out_dims;
    for (int d = 0; d < rank; ++d) out_dims.push_back(1 + static_cast<int64_t>(rng() % 4));
    auto derive = [&]() {   // drop leading dims, set some to 1
      std::vector<int64_t> dims(out_dims.begin() + static_cast<long>(rng() % (out_dims.size() + 1)), out_dims.end());
      for (int64_t& d : dims)
        if (rng() % 3 == 0) d = 1;
      return dims;
    };
    const std::vector<int64_t> da = derive(), db = derive();
    std::vector<float> va(static_cast<size_t>(checked_numel(da))), vb(static_cast<size_t>(checked_numel(db)));
    for (float& v : va) v = static_cast<float>(static_cast<int>(rng() % 21) - 10);
    for (float& v : vb) v = static_cast<float>(1 + rng() % 9);
    Tensor a = Tensor::from<float>(da, std::span<const float>(va));
    Tensor b = Tensor::from<float>(db, std::span<const float>(vb));
    const int k = static_cast<int>(rng() % 4);
    Node n = make_node(kinds[k], "rand");
    ref::Outputs out = run(fns[k], g, n, {&a, &b});
    // Expected rank: max of the two input ranks (the leading dims may all have been dropped).
    const size_t want_rank = std::max(da.size(), db.size());
    std::vector<int64_t> expect_dims;
    for (size_t d = 0; d < want_rank; ++d) {
      const int64_t xa = d + da.size() < want_rank ? 1 : da[d + da.size() - want_rank];
      const int64_t xb = d + db.size() < want_rank ? 1 : db[d + db.size() - want_rank];
      expect_dims.push_back(std::max(xa, xb));
    }
    ASSERT_EQ(out[0].dims, expect_dims) << "iteration " << iter;
    const std::vector<float> got = values<float>(out[0]);
    std::vector<int64_t> idx(expect_dims.size(), 0);
    for (size_t flat = 0; flat < got.size(); ++flat) {
      const float x = va[static_cast<size_t>(naive_offset(da, idx))];
      const float y = vb[static_cast<size_t>(naive_offset(db, idx))];
      const float want = k == 0 ? x + y : k == 1 ? x - y : k == 2 ? x * y : x / y;
      ASSERT_EQ(got[flat], want) << "iteration " << iter << " element " << flat;
      for (size_t d = idx.size(); d-- > 0;) {   // odometer increment
        if (++idx[d] < expect_dims[d]) break;
        idx[d] = 0;
      }
    }
  }
}

TEST(ReferenceRelu, FloatAndNaN) {
  Graph g = graph_at(13);
  Node n = make_node(OpKind::Relu, "relu");
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Tensor x = Tensor::from<float>({2, 2}, {-1.5f, 0.f, 2.5f, nan});
  ref::Outputs out = run(ref::eval_Relu, g, n, {&x});
  EXPECT_EQ(out[0].dims, (std::vector<int64_t>{2, 2}));
  std::vector<float> v = values<float>(out[0]);
  EXPECT_EQ(v[0], 0.f);
  EXPECT_EQ(v[1], 0.f);
  EXPECT_EQ(v[2], 2.5f);
  EXPECT_TRUE(std::isnan(v[3]));
}

TEST(ReferenceRelu, IntegersFromOpset14) {
  Node n = make_node(OpKind::Relu, "relu_int");
  Tensor x = Tensor::from<int32_t>({3}, {-5, 0, 7});
  EXPECT_EQ(values<int32_t>(run(ref::eval_Relu, graph_at(14), n, {&x})[0]), (std::vector<int32_t>{0, 0, 7}));
  expect_error(ref::eval_Relu, graph_at(13), n, {&x}, "int32");
  Tensor u = Tensor::from<uint8_t>({1}, {3});
  expect_error(ref::eval_Relu, graph_at(14), n, {&u}, "uint8");
}

TEST(ReferenceClip, Opset6Attributes) {
  Graph g = graph_at(6);
  Node n = make_node(OpKind::Clip, "clip6");
  n.attrs["min"] = float_attr(-1.f);
  n.attrs["max"] = float_attr(2.f);
  Tensor x = Tensor::from<float>({4}, {-3, -0.5f, 1.5f, 9});
  EXPECT_EQ(values<float>(run(ref::eval_Clip, g, n, {&x})[0]), (std::vector<float>{-1, -0.5f, 1.5f, 2}));
  // Defaults: float's range, so only infinities change.
  Node d = make_node(OpKind::Clip, "clip6d");
  const float inf = std::numeric_limits<float>::infinity();
  Tensor y = Tensor::from<float>({2}, {-inf, 5});
  EXPECT_EQ(values<float>(run(ref::eval_Clip, g, d, {&y})[0]),
            (std::vector<float>{std::numeric_limits<float>::lowest(), 5}));
  Tensor extra = Tensor::from<float>({}, {0});
  expect_error(ref::eval_Clip, g, n, {&x, &extra}, "inputs");
}

TEST(ReferenceClip, Opset11OptionalInputs) {
  Graph g = graph_at(11);
  Node n = make_node(OpKind::Clip, "clip11");
  const float inf = std::numeric_limits<float>::infinity();
  Tensor x = Tensor::from<float>({5}, {-inf, -3, 0, 3, inf});
  Tensor lo = Tensor::from<float>({}, {-1});
  Tensor hi = Tensor::from<float>({}, {2});
  EXPECT_EQ(values<float>(run(ref::eval_Clip, g, n, {&x, &lo, &hi})[0]), (std::vector<float>{-1, -1, 0, 2, 2}));
  EXPECT_EQ(values<float>(run(ref::eval_Clip, g, n, {&x, &lo})[0]), (std::vector<float>{-1, -1, 0, 3, inf}));
  EXPECT_EQ(values<float>(run(ref::eval_Clip, g, n, {&x, nullptr, &hi})[0]),
            (std::vector<float>{-inf, -3, 0, 2, 2}));
  EXPECT_EQ(values<float>(run(ref::eval_Clip, g, n, {&x})[0]), (std::vector<float>{-inf, -3, 0, 3, inf}));
  // min > max: everything becomes max.
  EXPECT_EQ(values<float>(run(ref::eval_Clip, g, n, {&x, &hi, &lo})[0]), (std::vector<float>{-1, -1, -1, -1, -1}));
  Tensor wrong_type = Tensor::from<double>({}, {1});
  expect_error(ref::eval_Clip, g, n, {&x, &wrong_type}, "min");
  Tensor not_scalar = Tensor::from<float>({2}, {1, 2});
  expect_error(ref::eval_Clip, g, n, {&x, nullptr, &not_scalar}, "scalar");
}

TEST(ReferenceClip, IntegersFromOpset12) {
  Node n = make_node(OpKind::Clip, "clip_i8");
  Tensor x = Tensor::from<int8_t>({4}, {-128, -5, 5, 127});
  Tensor lo = Tensor::from<int8_t>({}, {-10});
  Tensor hi = Tensor::from<int8_t>({}, {10});
  EXPECT_EQ(values<int8_t>(run(ref::eval_Clip, graph_at(12), n, {&x, &lo, &hi})[0]),
            (std::vector<int8_t>{-10, -5, 5, 10}));
  EXPECT_EQ(values<int8_t>(run(ref::eval_Clip, graph_at(13), n, {&x, nullptr, &hi})[0]),
            (std::vector<int8_t>{-128, -5, 5, 10}));
  expect_error(ref::eval_Clip, graph_at(11), n, {&x, &lo, &hi}, "int8");
  Tensor u = Tensor::from<uint64_t>({2}, {1, 100});
  Tensor uhi = Tensor::from<uint64_t>({}, {50});
  EXPECT_EQ(values<uint64_t>(run(ref::eval_Clip, graph_at(13), n, {&u, nullptr, &uhi})[0]),
            (std::vector<uint64_t>{1, 50}));
}

}  // namespace
}  // namespace octet
