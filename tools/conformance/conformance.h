// The ONNX conformance runner: runs ONNX's own node tests (model.onnx + test_data_set_*/
// input_*.pb, output_*.pb, as shipped by Debian's libonnx-testdata) through the importer,
// prepare_graph and the ReferenceExecutor, and compares every output with the expected one.
// Used by the octet-conformance tool and by tests/test_conformance.cpp.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "graph/tensor.h"

namespace octet::conformance {

inline constexpr const char* kDefaultTestDir = "/usr/share/libonnx-testdata/data/node";

// ---- comparison -----------------------------------------------------------------------------

// Floating outputs pass when |actual - expected| <= atol + rtol * |expected| (NaN matches NaN,
// an infinity only the same infinity). Integers and bools must match exactly.
struct Tolerance {
  double rtol = 1e-4;
  double atol = 1e-6;
};

// nullopt when `actual` matches `expected` in dtype, dims and values; otherwise a one-line
// description of the first difference ("dtype int32, expected int64", "3 of 60 values differ ...").
std::optional<std::string> compare_tensors(const Tensor& actual, const Tensor& expected, const Tolerance& tol = {});

// ---- declared-unsupported features (conformance_skips.cpp) -------------------------------------

struct SkipEntry {
  std::string_view test;     // test directory name, e.g. "test_cast_FLOAT_to_FLOAT16"
  std::string_view reason;   // the feature octet does not support, never empty
};
std::span<const SkipEntry> skip_list();
// The reason a test is declared unsupported; nullopt when it is not on the list.
std::optional<std::string_view> skip_reason(std::string_view test_name);

// ---- reading the test files without the importer ----------------------------------------------

// The op types of a model's top-level nodes, in node order, read straight from the protobuf
// wire format: the importer refuses models with ops octet lacks, and those must be counted too.
// Ops of another domain are returned as "domain:OpType". Throws octet::Error on malformed bytes.
std::vector<std::string> scan_model_op_types(std::span<const uint8_t> model_bytes);
// The `name` field of a serialized TensorProto ("" when unset).
std::string scan_tensor_name(std::span<const uint8_t> tensor_bytes);

// ---- running -----------------------------------------------------------------------------------

enum class Outcome { Pass, Fail, Skipped };

struct TestResult {
  std::string name;      // "test_add_bcast"
  std::string op;        // "Add"; several distinct ops joined with '+'
  Outcome outcome = Outcome::Fail;
  std::string detail;    // Fail: the error; Skipped: the declared reason
  std::string error;     // Fail and Skipped: the error the run ended with
  bool stale_skip = false;   // on the skip list, yet passes: the entry should be removed
};

struct Options {
  std::string dir = kDefaultTestDir;
  std::string filter;    // only tests whose name contains this
  Tolerance tolerance;
};

struct Report {
  std::vector<TestResult> results;          // in-scope tests, sorted by name
  int out_of_scope_tests = 0;               // tests using an op octet does not implement
  std::vector<std::string> out_of_scope_ops;   // those ops, sorted, each once
};

// Runs one test directory whose model uses only ops octet implements. Never throws: errors
// become a Fail (or a Skipped when the test is on the skip list).
TestResult run_test(const std::string& test_dir, const std::string& name, const std::string& op,
                    const Tolerance& tol = {});
// Runs every test_* directory of `opts.dir` in scope. Throws octet::Error when the directory
// is missing or holds no tests.
Report run_suite(const Options& opts);

// ---- reporting (conformance_report.cpp) -------------------------------------------------------

struct OpCounts {
  std::string op;
  int pass = 0, fail = 0, skipped = 0;
};
std::vector<OpCounts> per_op_counts(const Report& report);   // sorted by op, plus no total row
OpCounts total_counts(const Report& report);                   // op = "total"

// The per-test table, the per-op summary and the totals; Markdown tables when `markdown`.
std::string format_results(const Report& report, bool markdown);
std::string format_summary(const Report& report, bool markdown);

}  // namespace octet::conformance
