// Reference ops Transpose, Pad, Slice and Gather on hand-built nodes, all opset forms.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

#include "tests/ref_op_test_util.h"

namespace octet {
namespace {

using namespace octet::testing;

constexpr int64_t kI64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kI64Min = std::numeric_limits<int64_t>::min();

Tensor iota_f(std::vector<int64_t> dims) {
  std::vector<float> v(static_cast<size_t>(checked_numel(dims)));
  std::iota(v.begin(), v.end(), 0.f);
  return Tensor::from<float>(std::move(dims), std::span<const float>(v));
}

// ---- Transpose ----

TEST(ReferenceTranspose, DefaultReversesDims) {
  Node n = make_node(OpKind::Transpose, "t");
  Tensor x = iota_f({2, 3});
  ref::Outputs out = run(ref::eval_Transpose, graph_at(13), n, {&x});
  EXPECT_EQ(out[0].dims, (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(values<float>(out[0]), (std::vector<float>{0, 3, 1, 4, 2, 5}));
}

TEST(ReferenceTranspose, PermOnRank3AnyDtype) {
  Node n = make_node(OpKind::Transpose, "t3");
  n.attrs["perm"] = ints_attr({1, 2, 0});
  std::vector<int64_t> v(24);
  std::iota(v.begin(), v.end(), 0);
  Tensor x = Tensor::from<int64_t>({2, 3, 4}, std::span<const int64_t>(v));
  ref::Outputs out = run(ref::eval_Transpose, graph_at(13), n, {&x});
  ASSERT_EQ(out[0].dims, (std::vector<int64_t>{3, 4, 2}));
  // out[i][j][k] = x[k][i][j]
  const std::vector<int64_t> got = values<int64_t>(out[0]);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j)
      for (int k = 0; k < 2; ++k) EXPECT_EQ(got[static_cast<size_t>((i * 4 + j) * 2 + k)], k * 12 + i * 4 + j);
  Tensor b = Tensor::from<bool>({1, 2, 1}, {true, false});
  EXPECT_EQ(values<bool>(run(ref::eval_Transpose, graph_at(13), n, {&b})[0]), (std::vector<bool>{true, false}));
}

TEST(ReferenceTranspose, RejectsBadPerm) {
  Tensor x = iota_f({2, 3});
  Node n = make_node(OpKind::Transpose, "tp");
  n.attrs["perm"] = ints_attr({0, 0});
  expect_error(ref::eval_Transpose, graph_at(13), n, {&x}, "not a permutation");
  n.attrs["perm"] = ints_attr({0, 2});
  expect_error(ref::eval_Transpose, graph_at(13), n, {&x}, "not a permutation");
  n.attrs["perm"] = ints_attr({1, 0, 2});
  expect_error(ref::eval_Transpose, graph_at(13), n, {&x}, "rank 2");
}

// ---- Pad ----

TEST(ReferencePad, Opset2AttributesConstant) {
  Node n = make_node(OpKind::Pad, "pad2");
  n.attrs["pads"] = ints_attr({1, 0, 0, 1});   // begin dim0, begin dim1, end dim0, end dim1
  n.attrs["value"] = float_attr(9.f);
  Tensor x = Tensor::from<float>({2, 2}, {1, 2, 3, 4});
  ref::Outputs out = run(ref::eval_Pad, graph_at(2), n, {&x});
  EXPECT_EQ(out[0].dims, (std::vector<int64_t>{3, 3}));
  EXPECT_EQ(values<float>(out[0]), (std::vector<float>{9, 9, 9, 1, 2, 9, 3, 4, 9}));
  Node missing = make_node(OpKind::Pad, "pad2m");
  expect_error(ref::eval_Pad, graph_at(2), missing, {&x}, "pads");
}

TEST(ReferencePad, Opset11InputsAndConstantValue) {
  Node n = make_node(OpKind::Pad, "pad11");
  Tensor x = Tensor::from<int32_t>({3}, {1, 2, 3});
  Tensor pads = vec<int64_t>({1, 2});
  Tensor cv = Tensor::from<int32_t>({}, {-7});
  EXPECT_EQ(values<int32_t>(run(ref::eval_Pad, graph_at(11), n, {&x, &pads, &cv})[0]),
            (std::vector<int32_t>{-7, 1, 2, 3, -7, -7}));
  EXPECT_EQ(values<int32_t>(run(ref::eval_Pad, graph_at(13), n, {&x, &pads})[0]),
            (std::vector<int32_t>{0, 1, 2, 3, 0, 0}));
  Tensor wrong = Tensor::from<float>({}, {1});
  expect_error(ref::eval_Pad, graph_at(13), n, {&x, &pads, &wrong}, "constant_value");
  Tensor short_pads = vec<int64_t>({1});
  expect_error(ref::eval_Pad, graph_at(13), n, {&x, &short_pads}, "2 entries");
  expect_error(ref::eval_Pad, graph_at(13), n, {&x}, "inputs");
}

TEST(ReferencePad, ReflectEdgeWrap) {
  Tensor x = Tensor::from<float>({3}, {1, 2, 3});
  Tensor pads = vec<int64_t>({2, 2});
  Node n = make_node(OpKind::Pad, "padm");
  n.attrs["mode"] = string_attr("reflect");
  EXPECT_EQ(values<float>(run(ref::eval_Pad, graph_at(13), n, {&x, &pads})[0]),
            (std::vector<float>{3, 2, 1, 2, 3, 2, 1}));
  Tensor big = vec<int64_t>({4, 0});   // wider than the data: reflects again, like numpy
  EXPECT_EQ(values<float>(run(ref::eval_Pad, graph_at(13), n, {&x, &big})[0]),
            (std::vector<float>{1, 2, 3, 2, 1, 2, 3}));
  n.attrs["mode"] = string_attr("edge");
  EXPECT_EQ(values<float>(run(ref::eval_Pad, graph_at(13), n, {&x, &pads})[0]),
            (std::vector<float>{1, 1, 1, 2, 3, 3, 3}));
  n.attrs["mode"] = string_attr("wrap");
  EXPECT_EQ(values<float>(run(ref::eval_Pad, graph_at(19), n, {&x, &pads})[0]),
            (std::vector<float>{2, 3, 1, 2, 3, 1, 2}));
  expect_error(ref::eval_Pad, graph_at(18), n, {&x, &pads}, "opset 19");
  n.attrs["mode"] = string_attr("symmetric");
  expect_error(ref::eval_Pad, graph_at(13), n, {&x, &pads}, "unknown mode 'symmetric'");
}

TEST(ReferencePad, Reflect2DMatchesNumpy) {
  Node n = make_node(OpKind::Pad, "pad2d");
  n.attrs["mode"] = string_attr("reflect");
  Tensor x = iota_f({2, 3});
  Tensor pads = vec<int64_t>({1, 2, 2, 1});
  ref::Outputs out = run(ref::eval_Pad, graph_at(13), n, {&x, &pads});
  EXPECT_EQ(out[0].dims, (std::vector<int64_t>{5, 6}));
  // np.pad(np.arange(6).reshape(2,3), ((1,2),(2,1)), 'reflect')
  EXPECT_EQ(values<float>(out[0]), (std::vector<float>{5, 4, 3, 4, 5, 4, 2, 1, 0, 1, 2, 1, 5, 4, 3, 4, 5, 4,
                                                      2, 1, 0, 1, 2, 1, 5, 4, 3, 4, 5, 4}));
  n.attrs["mode"] = string_attr("edge");
  Tensor pads2 = vec<int64_t>({1, 0, 0, 2});
  EXPECT_EQ(values<float>(run(ref::eval_Pad, graph_at(13), n, {&x, &pads2})[0]),
            (std::vector<float>{0, 1, 2, 2, 2, 0, 1, 2, 2, 2, 3, 4, 5, 5, 5}));
}

TEST(ReferencePad, NegativePadsCropFirst) {
  Node n = make_node(OpKind::Pad, "padneg");
  Tensor x = Tensor::from<float>({5}, {1, 2, 3, 4, 5});
  Tensor pads = vec<int64_t>({-1, 2});
  EXPECT_EQ(values<float>(run(ref::eval_Pad, graph_at(13), n, {&x, &pads})[0]),
            (std::vector<float>{2, 3, 4, 5, 0, 0}));
  n.attrs["mode"] = string_attr("reflect");
  EXPECT_EQ(values<float>(run(ref::eval_Pad, graph_at(13), n, {&x, &pads})[0]),
            (std::vector<float>{2, 3, 4, 5, 4, 3}));
  Tensor all = vec<int64_t>({-3, -2});
  EXPECT_EQ(run(ref::eval_Pad, graph_at(13), n, {&x, &all})[0].dims, (std::vector<int64_t>{0}));
  Tensor too_much = vec<int64_t>({-3, -3});
  expect_error(ref::eval_Pad, graph_at(13), n, {&x, &too_much}, "negative pads remove 6");
  Tensor gone = vec<int64_t>({-5, 1});   // nothing left to reflect
  expect_error(ref::eval_Pad, graph_at(13), n, {&x, &gone}, "no elements are left");
}

TEST(ReferencePad, Opset18Axes) {
  Node n = make_node(OpKind::Pad, "pad18");
  Tensor x = Tensor::from<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor pads = vec<int64_t>({1, 1});
  Tensor axes = vec<int32_t>({-1});
  Tensor cv = Tensor::from<float>({}, {0.5f});
  ref::Outputs out = run(ref::eval_Pad, graph_at(18), n, {&x, &pads, &cv, &axes});
  EXPECT_EQ(out[0].dims, (std::vector<int64_t>{2, 5}));
  EXPECT_EQ(values<float>(out[0]), (std::vector<float>{0.5f, 1, 2, 3, 0.5f, 0.5f, 4, 5, 6, 0.5f}));
  Tensor bad_axes = vec<int64_t>({2});
  expect_error(ref::eval_Pad, graph_at(18), n, {&x, &pads, nullptr, &bad_axes}, "out of range");
  expect_error(ref::eval_Pad, graph_at(13), n, {&x, &pads, &cv, &axes}, "inputs");
}

TEST(ReferencePad, AbsurdSizesAreRefused) {
  Node n = make_node(OpKind::Pad, "padbig");
  Tensor x = Tensor::from<float>({2}, {1, 2});
  Tensor huge = vec<int64_t>({kI64Max, 0});
  expect_error(ref::eval_Pad, graph_at(13), n, {&x, &huge}, "out of range");
  Tensor x2 = Tensor::from<float>({2, 2}, {1, 2, 3, 4});
  Tensor large2 = vec<int64_t>({int64_t{1} << 20, int64_t{1} << 20, 0, 0});
  expect_error(ref::eval_Pad, graph_at(13), n, {&x2, &large2}, "2^31");
}

// ---- Slice ----

TEST(ReferenceSlice, Opset13InputsWithStepsAndClamping) {
  Node n = make_node(OpKind::Slice, "s");
  Tensor x = iota_f({4, 5});
  Tensor starts = vec<int64_t>({1, 0});
  Tensor ends = vec<int64_t>({3, kI64Max});
  Tensor axes = vec<int64_t>({0, 1});
  Tensor steps = vec<int64_t>({1, 2});
  ref::Outputs out = run(ref::eval_Slice, graph_at(13), n, {&x, &starts, &ends, &axes, &steps});
  EXPECT_EQ(out[0].dims, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(values<float>(out[0]), (std::vector<float>{5, 7, 9, 10, 12, 14}));
  // Default axes and steps.
  Tensor s1 = vec<int64_t>({-2});
  Tensor e1 = vec<int64_t>({1000});
  out = run(ref::eval_Slice, graph_at(13), n, {&x, &s1, &e1});
  EXPECT_EQ(out[0].dims, (std::vector<int64_t>{2, 5}));
  EXPECT_EQ(values<float>(out[0])[0], 10.f);
}

TEST(ReferenceSlice, NegativeStepsAndAxes) {
  Node n = make_node(OpKind::Slice, "sneg");
  Tensor x = iota_f({4, 5});
  Tensor starts = vec<int32_t>({-1});
  Tensor ends = vec<int32_t>({std::numeric_limits<int32_t>::min()});
  Tensor axes = vec<int32_t>({-1});
  Tensor steps = vec<int32_t>({-2});
  ref::Outputs out = run(ref::eval_Slice, graph_at(11), n, {&x, &starts, &ends, &axes, &steps});
  EXPECT_EQ(out[0].dims, (std::vector<int64_t>{4, 3}));
  EXPECT_EQ(values<float>(out[0]), (std::vector<float>{4, 2, 0, 9, 7, 5, 14, 12, 10, 19, 17, 15}));
  // Reverse everything with INT64 extremes and a huge negative step.
  Tensor s = vec<int64_t>({kI64Max});
  Tensor e = vec<int64_t>({kI64Min});
  Tensor a = vec<int64_t>({0});
  Tensor st = vec<int64_t>({-1});
  out = run(ref::eval_Slice, graph_at(13), n, {&x, &s, &e, &a, &st});
  EXPECT_EQ(out[0].dims, (std::vector<int64_t>{4, 5}));
  EXPECT_EQ(values<float>(out[0])[0], 15.f);
  Tensor huge_step = vec<int64_t>({kI64Min});
  out = run(ref::eval_Slice, graph_at(13), n, {&x, &s, &e, &a, &huge_step});
  EXPECT_EQ(out[0].dims, (std::vector<int64_t>{1, 5}));
  EXPECT_EQ(values<float>(out[0]), (std::vector<float>{15, 16, 17, 18, 19}));
}

TEST(ReferenceSlice, EmptyResults) {
  Node n = make_node(OpKind::Slice, "sempty");
  Tensor x = iota_f({4, 5});
  Tensor s = vec<int64_t>({3});
  Tensor e = vec<int64_t>({1});
  ref::Outputs out = run(ref::eval_Slice, graph_at(13), n, {&x, &s, &e});
  EXPECT_EQ(out[0].dims, (std::vector<int64_t>{0, 5}));
  Tensor z(DType::Float32, {0, 2});
  Tensor st = vec<int64_t>({-1});
  Tensor s0 = vec<int64_t>({0});
  Tensor e0 = vec<int64_t>({-10});
  out = run(ref::eval_Slice, graph_at(13), n, {&z, &s0, &e0, nullptr, &st});
  EXPECT_EQ(out[0].dims, (std::vector<int64_t>{0, 2}));
}

TEST(ReferenceSlice, Opset1Attributes) {
  Node n = make_node(OpKind::Slice, "s1");
  n.attrs["starts"] = ints_attr({0, 1});
  n.attrs["ends"] = ints_attr({2, -1});
  Tensor x = iota_f({4, 5});
  ref::Outputs out = run(ref::eval_Slice, graph_at(9), n, {&x});
  EXPECT_EQ(out[0].dims, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(values<float>(out[0]), (std::vector<float>{1, 2, 3, 6, 7, 8}));
  n.attrs["axes"] = ints_attr({1, 0});
  out = run(ref::eval_Slice, graph_at(1), n, {&x});
  EXPECT_EQ(out[0].dims, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(values<float>(out[0]), (std::vector<float>{5, 6, 10, 11}));
  Node bare = make_node(OpKind::Slice, "s1bare");
  expect_error(ref::eval_Slice, graph_at(9), bare, {&x}, "'starts'");
}

TEST(ReferenceSlice, Errors) {
  Node n = make_node(OpKind::Slice, "sbad");
  Tensor x = iota_f({4, 5});
  Tensor s = vec<int64_t>({0});
  Tensor e = vec<int64_t>({1});
  Tensor axis2 = vec<int64_t>({2});
  expect_error(ref::eval_Slice, graph_at(13), n, {&x, &s, &e, &axis2}, "out of range");
  Tensor zero = vec<int64_t>({0});
  expect_error(ref::eval_Slice, graph_at(13), n, {&x, &s, &e, nullptr, &zero}, "step 0");
  Tensor two = vec<int64_t>({0, 1});
  expect_error(ref::eval_Slice, graph_at(13), n, {&x, &s, &two}, "different lengths");
  Tensor dup_axes = vec<int64_t>({1, -1});
  expect_error(ref::eval_Slice, graph_at(13), n, {&x, &two, &two, &dup_axes}, "more than once");
  Tensor fs = vec<float>({0});
  expect_error(ref::eval_Slice, graph_at(13), n, {&x, &fs, &e}, "int64 or int32");
}

// ---- Gather ----

TEST(ReferenceGather, Axis0With2DIndices) {
  Node n = make_node(OpKind::Gather, "g");
  Tensor x = Tensor::from<float>({3, 2}, {1, 2, 3, 4, 5, 6});
  Tensor idx = Tensor::from<int64_t>({2, 2}, {0, 1, 1, 2});
  ref::Outputs out = run(ref::eval_Gather, graph_at(13), n, {&x, &idx});
  EXPECT_EQ(out[0].dims, (std::vector<int64_t>{2, 2, 2}));
  EXPECT_EQ(values<float>(out[0]), (std::vector<float>{1, 2, 3, 4, 3, 4, 5, 6}));
  Tensor scalar = Tensor::from<int64_t>({}, {-1});
  out = run(ref::eval_Gather, graph_at(13), n, {&x, &scalar});
  EXPECT_EQ(out[0].dims, (std::vector<int64_t>{2}));
  EXPECT_EQ(values<float>(out[0]), (std::vector<float>{5, 6}));
}

TEST(ReferenceGather, NegativeAxisAndIndicesInt32) {
  Node n = make_node(OpKind::Gather, "g1");
  n.attrs["axis"] = int_attr(-1);
  Tensor x = Tensor::from<int8_t>({3, 2}, {1, 2, 3, 4, 5, 6});
  Tensor idx = vec<int32_t>({-1, 0, 1});
  ref::Outputs out = run(ref::eval_Gather, graph_at(13), n, {&x, &idx});
  EXPECT_EQ(out[0].dims, (std::vector<int64_t>{3, 3}));
  EXPECT_EQ(values<int8_t>(out[0]), (std::vector<int8_t>{2, 1, 2, 4, 3, 4, 6, 5, 6}));
}

TEST(ReferenceGather, Errors) {
  Node n = make_node(OpKind::Gather, "gbad");
  Tensor x = Tensor::from<float>({3, 2}, {1, 2, 3, 4, 5, 6});
  Tensor idx = vec<int64_t>({0, 3});
  expect_error(ref::eval_Gather, graph_at(13), n, {&x, &idx}, "index 3");
  Tensor neg = vec<int64_t>({-4});
  expect_error(ref::eval_Gather, graph_at(13), n, {&x, &neg}, "index -4");
  Tensor fidx = vec<float>({0});
  expect_error(ref::eval_Gather, graph_at(13), n, {&x, &fidx}, "int32 or int64");
  n.attrs["axis"] = int_attr(2);
  Tensor ok = vec<int64_t>({0});
  expect_error(ref::eval_Gather, graph_at(13), n, {&x, &ok}, "axis 2 is out of range");
}

}  // namespace
}  // namespace octet
