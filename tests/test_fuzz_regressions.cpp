// Inputs the fuzz targets (tests/fuzz, run by tools/octet-fuzz) once crashed on, each kept in
// tests/fixtures/fuzz/. Each must now be refused with a clean octet::Error that says why;
// anything else escaping, or a crash, fails the test.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "engine/compile.h"
#include "engine/prepare.h"
#include "engine/runtime/session.h"
#include "engine/runtime/error.h"
#include "graph/onnx_import.h"
#include "graph/passes/optimize.h"

namespace octet {
namespace {

const std::string kFixtures = std::string(OCTET_SOURCE_DIR) + "/tests/fixtures/fuzz/";

std::vector<uint8_t> read_bytes(const std::string& name) {
  std::ifstream f(kFixtures + name, std::ios::binary);
  if (!f) throw std::runtime_error("missing fixture " + kFixtures + name);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// The fuzz target's model path: import → prepare → optimise → compile → one zero-input run.
// Returns the octet::Error message, or "" when the model runs.
std::string model_error(const std::string& name) {
  try {
    Graph g = import_onnx_bytes(read_bytes(name), name);
    prepare_graph(g);
    optimize_graph(g);
    CompileOptions options;
    options.autotune = false;
    Plan plan = compile_plan(g, options);
    Session session(plan, SessionOptions{.threads = 1, .max_batch = 1});
    std::vector<std::vector<float>> in, out;
    std::vector<const float*> in_ptrs;
    std::vector<float*> out_ptrs;
    for (const Port& p : plan.inputs) in.emplace_back(static_cast<size_t>(p.floats_per_image()), 0.f);
    for (const Port& p : plan.outputs) out.emplace_back(static_cast<size_t>(p.floats_per_image()), 0.f);
    for (auto& v : in) in_ptrs.push_back(v.data());
    for (auto& v : out) out_ptrs.push_back(v.data());
    session.run(1, in_ptrs, out_ptrs);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

void expect_error(const std::string& name, const std::string& part) {
  SCOPED_TRACE(name);
  const std::string msg = model_error(name);
  EXPECT_NE(msg.find(part), std::string::npos) << "message: " << msg;
}

// A Softmax whose input is [2]: only the batch axis, nothing per image. The compiler read
// the last per-image dim of an empty list (UB in std::vector::back).
TEST(FuzzRegressions, SoftmaxOverTheBatchAxisOnly) {
  expect_error("softmax_batch_axis_only.onnx", "(Softmax, opset 13): softmax needs a non-empty axis");
}

// Pad with int64 pads near 2^62: the padded dim's sum overflowed int64 in shape inference.
TEST(FuzzRegressions, PadAmountsPastTheTensorLimit) {
  expect_error("pad_overflow.onnx", "exceed octet's limit of 2^31 elements");
}

// An input of shape [3,0,91]: zero floats per image. The plan gave it an empty buffer and
// Session::run memcpy'd from the caller's (null) pointer.
TEST(FuzzRegressions, EmptyInputTensor) {
  expect_error("empty_input.onnx", "value 'x' is empty (a dimension is 0)");
}

// A node naming the same output twice: the importer's message looked up the node that
// already produced it, which was the node itself, not yet in the graph (an out-of-range index).
TEST(FuzzRegressions, ANodeNamingOneOutputTwice) {
  expect_error("output_named_twice.onnx", "is already an earlier output of this node");
}

// An Add with one input: the compiler read its second input past the end of the node's list.
// The importer now refuses it (graph/op_signature.h) before the compiler sees it.
TEST(FuzzRegressions, AddWithOneInput) {
  expect_error("add_one_input.onnx", "(Add, opset 13): ONNX defines 2 inputs at this opset, got 1");
}

}  // namespace
}  // namespace octet
