// Reference ops Shape, Reshape, Flatten, Squeeze, Unsqueeze, Concat, Cast, Constant,
// ConstantOfShape, Identity and Dropout on hand-built nodes, all opset forms.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

#include "tests/ref_op_test_util.h"

namespace octet {
namespace {

using namespace octet::testing;

Tensor iota_f(std::vector<int64_t> dims) {
  std::vector<float> v(static_cast<size_t>(checked_numel(dims)));
  std::iota(v.begin(), v.end(), 0.f);
  return Tensor::from<float>(std::move(dims), std::span<const float>(v));
}

// ---- Shape ----

TEST(ReferenceShape, WholeAndSliced) {
  Node n = make_node(OpKind::Shape, "shape");
  Tensor x(DType::Int8, {2, 3, 4, 5});
  ref::Outputs out = run(ref::eval_Shape, graph_at(13), n, {&x});
  EXPECT_EQ(out[0].dtype, DType::Int64);
  EXPECT_EQ(values<int64_t>(out[0]), (std::vector<int64_t>{2, 3, 4, 5}));
  n.attrs["start"] = int_attr(1);
  n.attrs["end"] = int_attr(-1);
  EXPECT_EQ(values<int64_t>(run(ref::eval_Shape, graph_at(15), n, {&x})[0]), (std::vector<int64_t>{3, 4}));
  // Before opset 15 the attributes do not exist.
  EXPECT_EQ(values<int64_t>(run(ref::eval_Shape, graph_at(14), n, {&x})[0]), (std::vector<int64_t>{2, 3, 4, 5}));
  n.attrs["start"] = int_attr(-100);
  n.attrs["end"] = int_attr(100);
  EXPECT_EQ(values<int64_t>(run(ref::eval_Shape, graph_at(15), n, {&x})[0]), (std::vector<int64_t>{2, 3, 4, 5}));
  n.attrs["start"] = int_attr(3);
  n.attrs["end"] = int_attr(1);
  ref::Outputs empty = run(ref::eval_Shape, graph_at(15), n, {&x});
  EXPECT_EQ(empty[0].dims, (std::vector<int64_t>{0}));
}

// ---- Reshape ----

TEST(ReferenceReshape, ZeroCopiesAndMinusOneInfers) {
  Node n = make_node(OpKind::Reshape, "reshape");
  Tensor x = iota_f({2, 3, 4});
  Tensor shape = vec<int64_t>({0, -1});
  ref::Outputs out = run(ref::eval_Reshape, graph_at(13), n, {&x, &shape});
  EXPECT_EQ(out[0].dims, (std::vector<int64_t>{2, 12}));
  EXPECT_EQ(values<float>(out[0]), values<float>(x));
  Tensor shape2 = vec<int64_t>({4, 0, -1});
  EXPECT_EQ(run(ref::eval_Reshape, graph_at(13), n, {&x, &shape2})[0].dims, (std::vector<int64_t>{4, 3, 2}));
}

TEST(ReferenceReshape, AllowZero) {
  Node n = make_node(OpKind::Reshape, "rz");
  n.attrs["allowzero"] = int_attr(1);
  Tensor x(DType::Float32, {0, 3});
  Tensor shape = vec<int64_t>({3, 0});
  EXPECT_EQ(run(ref::eval_Reshape, graph_at(14), n, {&x, &shape})[0].dims, (std::vector<int64_t>{3, 0}));
  Tensor y = iota_f({2, 3});
  Tensor s2 = vec<int64_t>({0, 6});   // opset 13 ignores allowzero: 0 copies dim 0 = 2 -> 12 != 6
  expect_error(ref::eval_Reshape, graph_at(13), n, {&y, &s2}, "element counts differ");
  Tensor s3 = vec<int64_t>({0, -1});
  expect_error(ref::eval_Reshape, graph_at(14), n, {&x, &s3}, "cannot be combined");
}

TEST(ReferenceReshape, Errors) {
  Node n = make_node(OpKind::Reshape, "rbad");
  Tensor x = iota_f({2, 3});
  Tensor wrong = vec<int64_t>({4, 2});
  expect_error(ref::eval_Reshape, graph_at(13), n, {&x, &wrong}, "element counts differ");
  Tensor two = vec<int64_t>({-1, -1});
  expect_error(ref::eval_Reshape, graph_at(13), n, {&x, &two}, "more than one -1");
  Tensor noinfer = vec<int64_t>({4, -1});
  expect_error(ref::eval_Reshape, graph_at(13), n, {&x, &noinfer}, "cannot be inferred");
  Tensor neg = vec<int64_t>({-2, 3});
  expect_error(ref::eval_Reshape, graph_at(13), n, {&x, &neg}, "negative size");
  Tensor huge = vec<int64_t>({int64_t{1} << 40, int64_t{1} << 40, 0});
  expect_error(ref::eval_Reshape, graph_at(13), n, {&x, &huge}, "0 at position 2");
  Tensor huge2 = vec<int64_t>({int64_t{1} << 40, int64_t{1} << 40});
  expect_error(ref::eval_Reshape, graph_at(13), n, {&x, &huge2}, "element counts differ");
  Tensor i32 = vec<int32_t>({6});
  expect_error(ref::eval_Reshape, graph_at(13), n, {&x, &i32}, "int64");
}

// ---- Flatten ----

TEST(ReferenceFlatten, Axes) {
  Node n = make_node(OpKind::Flatten, "flat");
  Tensor x = iota_f({2, 3, 4});
  EXPECT_EQ(run(ref::eval_Flatten, graph_at(13), n, {&x})[0].dims, (std::vector<int64_t>{2, 12}));
  n.attrs["axis"] = int_attr(0);
  EXPECT_EQ(run(ref::eval_Flatten, graph_at(13), n, {&x})[0].dims, (std::vector<int64_t>{1, 24}));
  n.attrs["axis"] = int_attr(3);
  EXPECT_EQ(run(ref::eval_Flatten, graph_at(13), n, {&x})[0].dims, (std::vector<int64_t>{24, 1}));
  n.attrs["axis"] = int_attr(-1);
  ref::Outputs out = run(ref::eval_Flatten, graph_at(13), n, {&x});
  EXPECT_EQ(out[0].dims, (std::vector<int64_t>{6, 4}));
  EXPECT_EQ(values<float>(out[0]), values<float>(x));
  n.attrs["axis"] = int_attr(4);
  expect_error(ref::eval_Flatten, graph_at(13), n, {&x}, "out of range");
}

// ---- Squeeze / Unsqueeze ----

TEST(ReferenceSqueeze, AttributeInputAndAll) {
  Tensor x = iota_f({1, 3, 1, 2});
  Node n = make_node(OpKind::Squeeze, "sq");
  EXPECT_EQ(run(ref::eval_Squeeze, graph_at(13), n, {&x})[0].dims, (std::vector<int64_t>{3, 2}));
  n.attrs["axes"] = ints_attr({-2});
  EXPECT_EQ(run(ref::eval_Squeeze, graph_at(11), n, {&x})[0].dims, (std::vector<int64_t>{1, 3, 2}));
  Tensor axes = vec<int64_t>({0});
  Node m = make_node(OpKind::Squeeze, "sq13");
  ref::Outputs out = run(ref::eval_Squeeze, graph_at(13), m, {&x, &axes});
  EXPECT_EQ(out[0].dims, (std::vector<int64_t>{3, 1, 2}));
  EXPECT_EQ(values<float>(out[0]), values<float>(x));
  Tensor bad = vec<int64_t>({1});
  expect_error(ref::eval_Squeeze, graph_at(13), m, {&x, &bad}, "not 1");
  Tensor oob = vec<int64_t>({4});
  expect_error(ref::eval_Squeeze, graph_at(13), m, {&x, &oob}, "out of range");
  expect_error(ref::eval_Squeeze, graph_at(11), m, {&x, &axes}, "inputs");
}

TEST(ReferenceUnsqueeze, AttributeAndInput) {
  Tensor x = iota_f({3, 2});
  Node n = make_node(OpKind::Unsqueeze, "unsq");
  n.attrs["axes"] = ints_attr({0, 3});
  EXPECT_EQ(run(ref::eval_Unsqueeze, graph_at(11), n, {&x})[0].dims, (std::vector<int64_t>{1, 3, 2, 1}));
  Node m = make_node(OpKind::Unsqueeze, "unsq13");
  Tensor axes = vec<int64_t>({-1, 1});   // unsorted, negative: output rank 4
  EXPECT_EQ(run(ref::eval_Unsqueeze, graph_at(13), m, {&x, &axes})[0].dims, (std::vector<int64_t>{3, 1, 2, 1}));
  Tensor dup = vec<int64_t>({1, -3});
  expect_error(ref::eval_Unsqueeze, graph_at(13), m, {&x, &dup}, "more than once");
  expect_error(ref::eval_Unsqueeze, graph_at(13), m, {&x}, "inputs");
  Node none = make_node(OpKind::Unsqueeze, "unsq11");
  expect_error(ref::eval_Unsqueeze, graph_at(11), none, {&x}, "'axes' is required");
  Tensor s = Tensor::from<float>({}, {7});
  Tensor zero = vec<int64_t>({0});
  EXPECT_EQ(run(ref::eval_Unsqueeze, graph_at(13), m, {&s, &zero})[0].dims, (std::vector<int64_t>{1}));
}

// ---- Concat ----

TEST(ReferenceConcat, NegativeAxis) {
  Node n = make_node(OpKind::Concat, "cat");
  n.attrs["axis"] = int_attr(-1);
  Tensor a = Tensor::from<int32_t>({2, 1}, {1, 2});
  Tensor b = Tensor::from<int32_t>({2, 2}, {3, 4, 5, 6});
  Tensor e(DType::Int32, {2, 0});
  ref::Outputs out = run(ref::eval_Concat, graph_at(13), n, {&a, &e, &b});
  EXPECT_EQ(out[0].dims, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(values<int32_t>(out[0]), (std::vector<int32_t>{1, 3, 4, 2, 5, 6}));
  n.attrs["axis"] = int_attr(0);
  Tensor c = Tensor::from<int32_t>({1, 2}, {7, 8});
  out = run(ref::eval_Concat, graph_at(13), n, {&b, &c});
  EXPECT_EQ(out[0].dims, (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(values<int32_t>(out[0]), (std::vector<int32_t>{3, 4, 5, 6, 7, 8}));
}

TEST(ReferenceConcat, Errors) {
  Node n = make_node(OpKind::Concat, "catbad");
  n.attrs["axis"] = int_attr(1);
  Tensor a = Tensor::from<int32_t>({2, 1}, {1, 2});
  Tensor f = Tensor::from<float>({2, 1}, {1, 2});
  Tensor r3(DType::Int32, {2, 1, 1});
  Tensor rows(DType::Int32, {3, 1});
  expect_error(ref::eval_Concat, graph_at(13), n, {&a, &f}, "float32");
  expect_error(ref::eval_Concat, graph_at(13), n, {&a, &r3}, "incompatible");
  expect_error(ref::eval_Concat, graph_at(13), n, {&a, &rows}, "incompatible");
  n.attrs["axis"] = int_attr(2);
  expect_error(ref::eval_Concat, graph_at(13), n, {&a, &a}, "out of range");
  Node no_axis = make_node(OpKind::Concat, "catnoaxis");
  expect_error(ref::eval_Concat, graph_at(13), no_axis, {&a}, "'axis' is required");
}

// ---- Cast ----

TEST(ReferenceCast, FloatToIntTruncatesAndSaturates) {
  Node n = make_node(OpKind::Cast, "cast");
  n.attrs["to"] = int_attr(static_cast<int64_t>(DType::Int32));
  Tensor x = Tensor::from<float>({6}, {1.9f, -1.9f, 0.5f, 1e20f, -1e20f, std::nanf("")});
  ref::Outputs out = run(ref::eval_Cast, graph_at(13), n, {&x});
  EXPECT_EQ(out[0].dtype, DType::Int32);
  EXPECT_EQ(values<int32_t>(out[0]), (std::vector<int32_t>{1, -1, 0, std::numeric_limits<int32_t>::max(),
                                                           std::numeric_limits<int32_t>::min(), 0}));
  n.attrs["to"] = int_attr(static_cast<int64_t>(DType::Uint8));
  Tensor y = Tensor::from<double>({3}, {-3.5, 255.9, 300});
  EXPECT_EQ(values<uint8_t>(run(ref::eval_Cast, graph_at(13), n, {&y})[0]), (std::vector<uint8_t>{0, 255, 255}));
}

TEST(ReferenceCast, BoolAndIntegerConversions) {
  Node n = make_node(OpKind::Cast, "castb");
  n.attrs["to"] = int_attr(static_cast<int64_t>(DType::Bool));
  Tensor x = Tensor::from<float>({4}, {0.f, -0.f, 0.1f, -3.f});
  EXPECT_EQ(values<bool>(run(ref::eval_Cast, graph_at(13), n, {&x})[0]), (std::vector<bool>{false, false, true, true}));
  n.attrs["to"] = int_attr(static_cast<int64_t>(DType::Float32));
  Tensor b = Tensor::from<bool>({2}, {true, false});
  EXPECT_EQ(values<float>(run(ref::eval_Cast, graph_at(13), n, {&b})[0]), (std::vector<float>{1, 0}));
  Tensor i = Tensor::from<int64_t>({2}, {-5, int64_t{1} << 40});
  EXPECT_EQ(values<float>(run(ref::eval_Cast, graph_at(13), n, {&i})[0]),
            (std::vector<float>{-5.f, 1099511627776.f}));
  n.attrs["to"] = int_attr(static_cast<int64_t>(DType::Int8));
  Tensor w = Tensor::from<int32_t>({2}, {300, -129});   // wraps modulo 256
  EXPECT_EQ(values<int8_t>(run(ref::eval_Cast, graph_at(13), n, {&w})[0]), (std::vector<int8_t>{44, 127}));
  n.attrs["to"] = int_attr(static_cast<int64_t>(DType::Int32));
  Tensor same = Tensor::from<int32_t>({1}, {9});
  EXPECT_EQ(values<int32_t>(run(ref::eval_Cast, graph_at(13), n, {&same})[0]), (std::vector<int32_t>{9}));
}

TEST(ReferenceCast, UnsupportedTypesNamed) {
  Node n = make_node(OpKind::Cast, "cast_h");
  n.attrs["to"] = int_attr(static_cast<int64_t>(DType::Float16));
  Tensor x = Tensor::from<float>({1}, {1});
  expect_error(ref::eval_Cast, graph_at(13), n, {&x}, "Cast from float32 to float16 is not supported");
  n.attrs["to"] = int_attr(static_cast<int64_t>(DType::String));
  expect_error(ref::eval_Cast, graph_at(13), n, {&x}, "to string");
  Node no_to = make_node(OpKind::Cast, "cast_noto");
  expect_error(ref::eval_Cast, graph_at(13), no_to, {&x}, "'to' is required");
}

// ---- Constant / ConstantOfShape ----

TEST(ReferenceConstant, AttributeForms) {
  Node n = make_node(OpKind::Constant, "const");
  n.attrs["value"] = tensor_attr(Tensor::from<int32_t>({2}, {4, 5}));
  ref::Outputs out = run(ref::eval_Constant, graph_at(13), n, {});
  EXPECT_EQ(out[0].dtype, DType::Int32);
  EXPECT_EQ(values<int32_t>(out[0]), (std::vector<int32_t>{4, 5}));
  Node f = make_node(OpKind::Constant, "cf");
  f.attrs["value_float"] = float_attr(2.5f);
  out = run(ref::eval_Constant, graph_at(13), f, {});
  EXPECT_TRUE(out[0].dims.empty());
  EXPECT_EQ(values<float>(out[0]), (std::vector<float>{2.5f}));
  Node fs = make_node(OpKind::Constant, "cfs");
  fs.attrs["value_floats"] = floats_attr({1, 2, 3});
  EXPECT_EQ(run(ref::eval_Constant, graph_at(13), fs, {})[0].dims, (std::vector<int64_t>{3}));
  Node i = make_node(OpKind::Constant, "ci");
  i.attrs["value_int"] = int_attr(-4);
  EXPECT_EQ(values<int64_t>(run(ref::eval_Constant, graph_at(13), i, {})[0]), (std::vector<int64_t>{-4}));
  Node is = make_node(OpKind::Constant, "cis");
  is.attrs["value_ints"] = ints_attr({7, 8});
  EXPECT_EQ(values<int64_t>(run(ref::eval_Constant, graph_at(13), is, {})[0]), (std::vector<int64_t>{7, 8}));
}

TEST(ReferenceConstant, Errors) {
  Node none = make_node(OpKind::Constant, "cnone");
  expect_error(ref::eval_Constant, graph_at(13), none, {}, "exactly one");
  Node two = make_node(OpKind::Constant, "ctwo");
  two.attrs["value_int"] = int_attr(1);
  two.attrs["value_float"] = float_attr(1);
  expect_error(ref::eval_Constant, graph_at(13), two, {}, "exactly one");
  Node str = make_node(OpKind::Constant, "cstr");
  str.attrs["value_string"] = string_attr("hi");
  expect_error(ref::eval_Constant, graph_at(13), str, {}, "value_string");
}

TEST(ReferenceConstantOfShape, DefaultAndTypedValue) {
  Node n = make_node(OpKind::ConstantOfShape, "cos");
  Tensor shape = vec<int64_t>({2, 3});
  ref::Outputs out = run(ref::eval_ConstantOfShape, graph_at(13), n, {&shape});
  EXPECT_EQ(out[0].dtype, DType::Float32);
  EXPECT_EQ(out[0].dims, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(values<float>(out[0]), (std::vector<float>(6, 0.f)));
  n.attrs["value"] = tensor_attr(Tensor::from<int64_t>({1}, {42}));
  out = run(ref::eval_ConstantOfShape, graph_at(13), n, {&shape});
  EXPECT_EQ(values<int64_t>(out[0]), (std::vector<int64_t>(6, 42)));
  Tensor empty(DType::Int64, {0});   // empty shape: a scalar
  out = run(ref::eval_ConstantOfShape, graph_at(13), n, {&empty});
  EXPECT_TRUE(out[0].dims.empty());
  EXPECT_EQ(values<int64_t>(out[0]), (std::vector<int64_t>{42}));
}

TEST(ReferenceConstantOfShape, Errors) {
  Node n = make_node(OpKind::ConstantOfShape, "cosbad");
  Tensor huge = vec<int64_t>({int64_t{1} << 40});
  expect_error(ref::eval_ConstantOfShape, graph_at(13), n, {&huge}, "2^31");
  Tensor neg = vec<int64_t>({2, -1});
  expect_error(ref::eval_ConstantOfShape, graph_at(13), n, {&neg}, "negative");
  Tensor i32 = vec<int32_t>({2});
  expect_error(ref::eval_ConstantOfShape, graph_at(13), n, {&i32}, "int64");
  n.attrs["value"] = tensor_attr(Tensor::from<float>({2}, {1, 2}));
  Tensor ok = vec<int64_t>({2});
  expect_error(ref::eval_ConstantOfShape, graph_at(13), n, {&ok}, "one element");
}

// ---- Identity / Dropout ----

TEST(ReferenceIdentity, CopiesAnyType) {
  Node n = make_node(OpKind::Identity, "id");
  Tensor x(DType::Float16, {2});
  x.bytes = {1, 2, 3, 4};
  ref::Outputs out = run(ref::eval_Identity, graph_at(13), n, {&x});
  EXPECT_EQ(out[0].dtype, DType::Float16);
  EXPECT_EQ(out[0].bytes, (std::vector<uint8_t>{1, 2, 3, 4}));
  expect_error(ref::eval_Identity, graph_at(13), n, {}, "inputs");
}

TEST(ReferenceDropout, InferenceAndMask) {
  Tensor x = Tensor::from<float>({3}, {1, -2, 3});
  Node n = make_node(OpKind::Dropout, "drop");
  ref::Outputs out = run(ref::eval_Dropout, graph_at(13), n, {&x});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(values<float>(out[0]), (std::vector<float>{1, -2, 3}));
  n.outputs = {0, 1};
  Tensor ratio = Tensor::from<float>({}, {0.3f});
  Tensor off = Tensor::from<bool>({}, {false});
  out = run(ref::eval_Dropout, graph_at(13), n, {&x, &ratio, &off});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].dtype, DType::Bool);
  EXPECT_EQ(values<bool>(out[1]), (std::vector<bool>{true, true, true}));
  // Dropout-7 types the mask like the data.
  n.attrs["ratio"] = float_attr(0.2f);
  out = run(ref::eval_Dropout, graph_at(7), n, {&x});
  EXPECT_EQ(out[1].dtype, DType::Float32);
  EXPECT_EQ(values<float>(out[1]), (std::vector<float>{1, 1, 1}));
}

TEST(ReferenceDropout, TrainingMode) {
  Tensor x = Tensor::from<float>({2}, {1, 2});
  Node n = make_node(OpKind::Dropout, "droptrain");
  Tensor on = Tensor::from<bool>({}, {true});
  expect_error(ref::eval_Dropout, graph_at(13), n, {&x, nullptr, &on}, "training_mode");
  Tensor zero = Tensor::from<float>({}, {0.f});
  EXPECT_EQ(values<float>(run(ref::eval_Dropout, graph_at(13), n, {&x, &zero, &on})[0]),
            (std::vector<float>{1, 2}));
  expect_error(ref::eval_Dropout, graph_at(11), n, {&x, &zero}, "inputs");
}

}  // namespace
}  // namespace octet
