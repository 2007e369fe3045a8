// The conformance runner: its comparison, skip-list and protobuf-scanning logic on crafted
// data, then the whole ONNX node-test suite through the library.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <set>
#include <unistd.h>

#include "engine/runtime/error.h"
#include "tools/conformance/conformance.h"

namespace octet::conformance {
namespace {

namespace fs = std::filesystem;

// ---- compare_tensors ------------------------------------------------------------------------

TEST(CompareTensors, EqualFloatsMatch) {
  Tensor a = Tensor::from<float>({2, 2}, {1.f, -2.f, 0.f, 3.5f});
  EXPECT_EQ(compare_tensors(a, a), std::nullopt);
}

TEST(CompareTensors, FloatToleranceIsAbsolutePlusRelative) {
  Tensor expected = Tensor::from<float>({3}, {1000.f, 0.f, 1.f});
  // 1000 * 1e-4 = 0.1 allowed; 5e-7 below atol 1e-6; 1 + 5e-5 within 1e-6 + 1e-4.
  Tensor close = Tensor::from<float>({3}, {1000.05f, 5e-7f, 1.00005f});
  EXPECT_EQ(compare_tensors(close, expected), std::nullopt);

  Tensor far = Tensor::from<float>({3}, {1000.2f, 0.f, 1.f});
  auto msg = compare_tensors(far, expected);
  ASSERT_TRUE(msg.has_value());
  EXPECT_NE(msg->find("1 of 3 values differ"), std::string::npos) << *msg;
  EXPECT_NE(msg->find("first at [0]"), std::string::npos) << *msg;
  EXPECT_NE(msg->find("expected 1000"), std::string::npos) << *msg;

  Tensor tiny = Tensor::from<float>({3}, {1000.f, 3e-6f, 1.f});   // beyond atol near zero
  EXPECT_TRUE(compare_tensors(tiny, expected).has_value());
  // A looser tolerance accepts it.
  EXPECT_EQ(compare_tensors(tiny, expected, Tolerance{1e-4, 1e-5}), std::nullopt);
}

TEST(CompareTensors, ReportsCoordinatesOfFirstMismatch) {
  Tensor expected = Tensor::from<float>({2, 3}, {0, 1, 2, 3, 4, 5});
  Tensor actual = Tensor::from<float>({2, 3}, {0, 1, 2, 3, 9, 7});
  auto msg = compare_tensors(actual, expected);
  ASSERT_TRUE(msg.has_value());
  EXPECT_NE(msg->find("2 of 6 values differ"), std::string::npos) << *msg;
  EXPECT_NE(msg->find("first at [1,1]: got 9, expected 4"), std::string::npos) << *msg;
}

TEST(CompareTensors, NaNMatchesOnlyNaNAndInfinityOnlyItself) {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  Tensor expected = Tensor::from<float>({3}, {nan, inf, -inf});
  EXPECT_EQ(compare_tensors(Tensor::from<float>({3}, {nan, inf, -inf}), expected), std::nullopt);
  EXPECT_TRUE(compare_tensors(Tensor::from<float>({3}, {0.f, inf, -inf}), expected).has_value());
  EXPECT_TRUE(compare_tensors(Tensor::from<float>({3}, {nan, -inf, -inf}), expected).has_value());
  EXPECT_TRUE(compare_tensors(Tensor::from<float>({3}, {nan, 1e30f, -inf}), expected).has_value());
  // A NaN where a number is expected fails too.
  EXPECT_TRUE(compare_tensors(Tensor::from<float>({1}, {nan}), Tensor::from<float>({1}, {1.f})).has_value());
}

TEST(CompareTensors, Float64UsesTheSameTolerance) {
  Tensor expected = Tensor::from<double>({2}, {1.0, 2.0});
  EXPECT_EQ(compare_tensors(Tensor::from<double>({2}, {1.00001, 2.0}), expected), std::nullopt);
  EXPECT_TRUE(compare_tensors(Tensor::from<double>({2}, {1.001, 2.0}), expected).has_value());
}

TEST(CompareTensors, DtypeMismatch) {
  auto msg = compare_tensors(Tensor::from<int32_t>({2}, {1, 2}), Tensor::from<int64_t>({2}, {1, 2}));
  ASSERT_TRUE(msg.has_value());
  EXPECT_EQ(*msg, "dtype int32, expected int64");
}

TEST(CompareTensors, ShapeMismatchEvenWithSameElementCount) {
  auto msg = compare_tensors(Tensor::from<float>({3, 2}, {0, 0, 0, 0, 0, 0}), Tensor::from<float>({2, 3}, {0, 0, 0, 0, 0, 0}));
  ASSERT_TRUE(msg.has_value());
  EXPECT_EQ(*msg, "shape [3,2], expected [2,3]");
  // A scalar is not a one-element vector.
  EXPECT_TRUE(compare_tensors(Tensor::from<float>({}, {1.f}), Tensor::from<float>({1}, {1.f})).has_value());
}

TEST(CompareTensors, IntegersAreExact) {
  const int64_t big = (int64_t{1} << 53) + 1;   // not representable as double
  Tensor expected = Tensor::from<int64_t>({2}, {big, -7});
  EXPECT_EQ(compare_tensors(Tensor::from<int64_t>({2}, {big, -7}), expected), std::nullopt);
  auto msg = compare_tensors(Tensor::from<int64_t>({2}, {big - 1, -7}), expected);
  ASSERT_TRUE(msg.has_value());
  EXPECT_NE(msg->find("got 9007199254740992, expected 9007199254740993"), std::string::npos) << *msg;

  EXPECT_TRUE(compare_tensors(Tensor::from<uint8_t>({1}, {200}), Tensor::from<uint8_t>({1}, {201})).has_value());
  EXPECT_EQ(compare_tensors(Tensor::from<bool>({2}, {true, false}), Tensor::from<bool>({2}, {true, false})), std::nullopt);
  EXPECT_TRUE(compare_tensors(Tensor::from<bool>({2}, {true, true}), Tensor::from<bool>({2}, {true, false})).has_value());
}

TEST(CompareTensors, EmptyTensorsMatch) {
  EXPECT_EQ(compare_tensors(Tensor(DType::Float32, {0, 3}), Tensor(DType::Float32, {0, 3})), std::nullopt);
  EXPECT_TRUE(compare_tensors(Tensor(DType::Float32, {0, 3}), Tensor(DType::Float32, {3, 0})).has_value());
}

// ---- skip list --------------------------------------------------------------------------------

TEST(SkipList, EveryEntryNamesATestAndAReasonOnce) {
  std::set<std::string_view> seen;
  ASSERT_FALSE(skip_list().empty());
  for (const SkipEntry& e : skip_list()) {
    EXPECT_EQ(e.test.rfind("test_", 0), 0u) << e.test;
    EXPECT_GT(e.reason.size(), 10u) << e.test << " needs a reason";
    EXPECT_TRUE(seen.insert(e.test).second) << e.test << " listed twice";
  }
  EXPECT_EQ(skip_reason("test_cast_FLOAT_to_FLOAT16"), std::optional<std::string_view>("float16 tensors are not supported"));
  EXPECT_EQ(skip_reason("test_add"), std::nullopt);
  EXPECT_EQ(skip_reason("test_cast_FLOAT_to_FLOAT1"), std::nullopt);   // exact names only
}

// ---- protobuf scanning on hand-encoded messages --------------------------------------------------

std::string varint(uint64_t v) {
  std::string s;
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    s += static_cast<char>(v ? (b | 0x80) : b);
  } while (v);
  return s;
}
std::string len_field(uint64_t field, const std::string& payload) {
  return varint(field << 3 | 2) + varint(payload.size()) + payload;
}
std::string int_field(uint64_t field, uint64_t v) { return varint(field << 3) + varint(v); }
std::string fixed32_field(uint64_t field) { return varint(field << 3 | 5) + std::string(4, '\0'); }

// NodeProto: input(1), output(2), name(3), op_type(4), domain(7).
std::string node(const std::string& op, const std::string& domain = "", const std::vector<std::string>& ins = {"x"},
                 const std::vector<std::string>& outs = {"y"}) {
  std::string n;
  for (const auto& i : ins) n += len_field(1, i);
  for (const auto& o : outs) n += len_field(2, o);
  n += len_field(3, "n_" + op) + len_field(4, op);
  if (!domain.empty()) n += len_field(7, domain);
  return n;
}
// ValueInfoProto{name(1), type(2): TypeProto{tensor_type(1): {elem_type(1): FLOAT}}}, rank unknown.
std::string float_value(const std::string& name) { return len_field(1, name) + len_field(2, len_field(1, int_field(1, 1))); }
// ModelProto{ir_version(1), opset_import(8): {domain "", version 13}, graph(7)}; GraphProto
// {node(1), name(2), input(11), output(12)}.
std::string model(const std::vector<std::string>& nodes, const std::vector<std::string>& inputs = {"x"},
                  const std::vector<std::string>& outputs = {"y"}) {
  std::string graph = len_field(2, "g");
  for (const auto& n : nodes) graph += len_field(1, n);
  for (const auto& i : inputs) graph += len_field(11, float_value(i));
  for (const auto& o : outputs) graph += len_field(12, float_value(o));
  return int_field(1, 8) + len_field(8, len_field(1, "") + int_field(2, 13)) + len_field(7, graph);
}
// TensorProto{dims(1), data_type(2): FLOAT, name(8), raw_data(9)}, a 1-D float tensor.
std::string float_tensor(const std::string& name, const std::vector<float>& values) {
  std::string raw(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float));
  return int_field(1, values.size()) + int_field(2, 1) + (name.empty() ? "" : len_field(8, name)) + len_field(9, raw);
}
std::vector<uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

TEST(Scan, ModelOpTypesInNodeOrderWithForeignDomainsQualified) {
  auto ops = scan_model_op_types(bytes(model({node("Conv"), node("Relu", "ai.onnx"), node("Foo", "com.microsoft")})));
  EXPECT_EQ(ops, (std::vector<std::string>{"Conv", "Relu", "com.microsoft:Foo"}));
  EXPECT_TRUE(scan_model_op_types(bytes(model({}))).empty());
}

TEST(Scan, TruncatedOrMalformedBytesThrow) {
  std::string m = model({node("Conv")});
  EXPECT_THROW(scan_model_op_types(bytes(m.substr(0, m.size() - 3))), Error);
  EXPECT_THROW(scan_model_op_types(bytes(std::string(12, '\xff'))), Error);
  EXPECT_THROW(scan_model_op_types(bytes(varint(7 << 3 | 3))), Error);   // group wire type
}

TEST(Scan, TensorName) {
  // TensorProto: dims(1)=2, data_type(2)=1, float_data(4) packed, name(8).
  std::string t = int_field(1, 2) + int_field(2, 1) + len_field(4, std::string(8, '\0')) + fixed32_field(15) +
                  len_field(8, "input_a");
  EXPECT_EQ(scan_tensor_name(bytes(t)), "input_a");
  EXPECT_EQ(scan_tensor_name(bytes(int_field(1, 2))), "");
}

// ---- running on crafted directories --------------------------------------------------------------

class CraftedSuite : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) / ("octet_conformance_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path add_test(const std::string& name, const std::string& model_bytes) {
    fs::path dir = root_ / name;
    fs::create_directories(dir / "test_data_set_0");
    std::ofstream(dir / "model.onnx", std::ios::binary) << model_bytes;
    return dir;
  }
  static void write(const fs::path& path, const std::string& contents) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << contents;
  }
  // Sub(a, b) → c, with its data set 0 given as files in the order b, a: only binding by
  // TensorProto name gets a - b right.
  fs::path add_sub_test(const std::string& name, const std::vector<float>& expected) {
    fs::path dir = add_test(name, model({node("Sub", "", {"a", "b"}, {"c"})}, {"a", "b"}, {"c"}));
    write(dir / "test_data_set_0/input_0.pb", float_tensor("b", {10, 20}));
    write(dir / "test_data_set_0/input_1.pb", float_tensor("a", {1, 2}));
    write(dir / "test_data_set_0/output_0.pb", float_tensor("c", expected));
    return dir;
  }
  fs::path root_;
};

TEST_F(CraftedSuite, OutOfScopeOpsAreCountedNotListed) {
  add_test("test_foo", model({node("FooBar")}));
  add_test("test_mixed", model({node("Relu"), node("Bar", "com.x")}));
  Report r = run_suite({root_.string(), "", {}});
  EXPECT_TRUE(r.results.empty());
  EXPECT_EQ(r.out_of_scope_tests, 2);
  EXPECT_EQ(r.out_of_scope_ops, (std::vector<std::string>{"FooBar", "com.x:Bar"}));
  EXPECT_NE(format_summary(r, false).find("2 tests of 2 other operators not in scope"), std::string::npos);
}

TEST_F(CraftedSuite, BrokenTestsFailInsteadOfDisappearing) {
  add_test("test_garbage", std::string(16, '\xff'));
  add_test("test_empty_graph", model({}));
  Report r = run_suite({root_.string(), "", {}});
  ASSERT_EQ(r.results.size(), 2u);
  for (const TestResult& t : r.results) {
    EXPECT_EQ(t.outcome, Outcome::Fail) << t.name;
    EXPECT_FALSE(t.detail.empty()) << t.name;
  }
  EXPECT_EQ(total_counts(r).fail, 2);
}

TEST_F(CraftedSuite, ListedFailureIsSkippedWithItsReasonUnlistedIsFail) {
  // Relu is in scope; the data set is empty, so both tests fail while reading test data.
  add_test("test_identity_sequence", model({node("Relu")}));
  add_test("test_relu_crafted", model({node("Relu")}));
  Report r = run_suite({root_.string(), "", {}});
  ASSERT_EQ(r.results.size(), 2u);
  const TestResult& listed = r.results[0];
  EXPECT_EQ(listed.name, "test_identity_sequence");
  EXPECT_EQ(listed.op, "Relu");
  EXPECT_EQ(listed.outcome, Outcome::Skipped);
  EXPECT_EQ(listed.detail, std::string(*skip_reason("test_identity_sequence")));
  EXPECT_NE(listed.error.find("0 input_*.pb files for 1 graph inputs"), std::string::npos)
      << "the real error is kept: " << listed.error;
  const TestResult& unlisted = r.results[1];
  EXPECT_EQ(unlisted.outcome, Outcome::Fail);
  EXPECT_FALSE(unlisted.detail.empty());
  EXPECT_EQ(unlisted.detail.find(root_.string()), std::string::npos) << "paths are shown relative: " << unlisted.detail;

  OpCounts total = total_counts(r);
  EXPECT_EQ(total.pass, 0);
  EXPECT_EQ(total.fail, 1);
  EXPECT_EQ(total.skipped, 1);
  // Filter selects by directory name.
  Report only = run_suite({root_.string(), "relu_cr", {}});
  ASSERT_EQ(only.results.size(), 1u);
  EXPECT_EQ(only.results[0].name, "test_relu_crafted");
}

// These run the importer and the Sub operator: the end-to-end path of run_test.
TEST_F(CraftedSuite, BindsDataFilesByNameAndComparesOutputs) {
  add_sub_test("test_sub_right", {-9, -18});
  add_sub_test("test_sub_wrong", {-9, -17});
  fs::path two = add_sub_test("test_sub_two_sets", {-9, -18});
  write(two / "test_data_set_1/input_0.pb", float_tensor("", {5, 5}));   // unnamed: bound by position
  write(two / "test_data_set_1/input_1.pb", float_tensor("", {1, 2}));
  write(two / "test_data_set_1/output_0.pb", float_tensor("", {4, 4}));   // 5-1, 5-2=3: wrong
  Report r = run_suite({root_.string(), "", {}});
  ASSERT_EQ(r.results.size(), 3u);
  EXPECT_EQ(r.results[0].name, "test_sub_right");
  EXPECT_EQ(r.results[0].op, "Sub");
  EXPECT_EQ(r.results[0].outcome, Outcome::Pass) << r.results[0].detail;
  EXPECT_EQ(r.results[1].name, "test_sub_two_sets");
  EXPECT_EQ(r.results[1].outcome, Outcome::Fail);
  EXPECT_EQ(r.results[1].detail, "test_data_set_1: output 'c': 1 of 2 values differ (rtol 0.0001, atol 1e-06); "
                                 "first at [1]: got 3, expected 4");
  EXPECT_EQ(r.results[2].name, "test_sub_wrong");
  EXPECT_EQ(r.results[2].outcome, Outcome::Fail);
  EXPECT_NE(r.results[2].detail.find("first at [1]: got -18, expected -17"), std::string::npos) << r.results[2].detail;
}

TEST_F(CraftedSuite, DataFilesThatDoNotFitTheGraphFail) {
  fs::path dir = add_sub_test("test_sub_misnamed", {-9, -18});
  write(dir / "test_data_set_0/input_1.pb", float_tensor("zz", {1, 2}));
  fs::path extra = add_sub_test("test_sub_extra_output", {-9, -18});
  write(extra / "test_data_set_0/output_1.pb", float_tensor("d", {0, 0}));
  Report r = run_suite({root_.string(), "", {}});
  ASSERT_EQ(r.results.size(), 2u);
  EXPECT_EQ(r.results[0].outcome, Outcome::Fail);
  EXPECT_NE(r.results[0].detail.find("2 output_*.pb files for 1 graph outputs"), std::string::npos) << r.results[0].detail;
  EXPECT_EQ(r.results[1].outcome, Outcome::Fail);
  EXPECT_NE(r.results[1].detail.find("input_1.pb is named 'zz', which is no graph input"), std::string::npos)
      << r.results[1].detail;
}

TEST_F(CraftedSuite, MissingDirectoryOrNoTestsThrow) {
  EXPECT_THROW(run_suite({(root_ / "nope").string(), "", {}}), Error);
  EXPECT_THROW(run_suite({root_.string(), "", {}}), Error);   // exists, but empty
}

TEST(Report, TablesCountPerOpAndEscapeMarkdown) {
  Report r;
  r.results = {{"test_a", "Add", Outcome::Pass, "", "", false},
               {"test_b", "Add", Outcome::Fail, "x | y", "x | y", false},
               {"test_c", "Conv", Outcome::Skipped, "3-D", "no 3-D", false},
               {"test_d", "Conv", Outcome::Pass, "", "", true}};
  auto ops = per_op_counts(r);
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_EQ(ops[0].op, "Add");
  EXPECT_EQ(ops[0].pass, 1);
  EXPECT_EQ(ops[0].fail, 1);
  EXPECT_EQ(ops[1].op, "Conv");
  EXPECT_EQ(ops[1].skipped, 1);
  EXPECT_EQ(ops[1].pass, 1);
  std::string md = format_results(r, true);
  EXPECT_NE(md.find("| test_b | Add | FAIL: x \\| y |"), std::string::npos) << md;
  EXPECT_NE(md.find("| test_c | Conv | skipped: 3-D |"), std::string::npos) << md;
  std::string summary = format_summary(r, true);
  EXPECT_NE(summary.find("| total | 2 | 1 | 1 |"), std::string::npos) << summary;
  EXPECT_NE(summary.find("note: test_d passes but is listed"), std::string::npos) << summary;
  std::string plain = format_results(r, false);
  EXPECT_NE(plain.find("test_a  Add   pass\n"), std::string::npos) << plain;
}

// ---- the ONNX node-test suite ---------------------------------------------------------------------

bool have_onnx_tests() {
  if (fs::is_directory(kDefaultTestDir)) return true;
  std::cout << "*** ONNX conformance data ABSENT: " << kDefaultTestDir
            << " not found; install Debian's libonnx-testdata to run the suite ***\n";
  return false;
}

TEST(OnnxNodeTests, SkipListNamesOnlyExistingInScopeTests) {
  if (!have_onnx_tests()) GTEST_SKIP() << "libonnx-testdata not installed";
  for (const SkipEntry& e : skip_list()) {
    fs::path model_path = fs::path(kDefaultTestDir) / e.test / "model.onnx";
    ASSERT_TRUE(fs::exists(model_path)) << e.test << " is listed but does not exist";
    Report r = run_suite({kDefaultTestDir, std::string(e.test), {}});
    bool found = false;
    for (const TestResult& t : r.results) found |= t.name == e.test;
    EXPECT_TRUE(found) << e.test << " is listed but its ops are not in scope";
  }
}

TEST(OnnxNodeTests, WholeSuitePasses) {
  if (!have_onnx_tests()) GTEST_SKIP() << "libonnx-testdata not installed";
  Report r = run_suite({});
  std::cout << format_results(r, false) << "\n" << format_summary(r, false);
  // The errors behind the skips, so that a reader can check each reason is the real one.
  std::cout << "\nskipped tests and the errors they ended with:\n";
  for (const TestResult& t : r.results)
    if (t.outcome == Outcome::Skipped) std::cout << "  " << t.name << ": " << t.error << "\n";
  OpCounts total = total_counts(r);
  for (const TestResult& t : r.results) {
    if (t.outcome == Outcome::Fail) ADD_FAILURE() << t.name << " (" << t.op << ") FAILS: " << t.detail;
    EXPECT_FALSE(t.stale_skip) << t.name << " passes: remove it from tools/conformance/conformance_skips.cpp";
  }
  EXPECT_EQ(total.fail, 0);
  EXPECT_GT(total.pass, 150);
  EXPECT_GT(r.out_of_scope_tests, 0);   // the scan does tell ops apart
}

}  // namespace
}  // namespace octet::conformance
