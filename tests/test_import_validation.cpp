// Validation that both executors rely on, done once when a model is imported and its shapes
// inferred (issue 17): ONNX's input counts and attribute values per operator
// (graph/op_signature.h), and windows that lie entirely in padding (graph/op_attrs.h).
// Before, the optimised runtime accepted an Add with three inputs and MaxPool storage_order 5
// that the reference executor and ONNX Runtime refuse, and an FP32 pool whose pads covered a
// whole window output NaN.
#include <gtest/gtest.h>

#include <string>

#include "engine/compile.h"
#include "engine/prepare.h"
#include "graph/onnx_import.h"
#include "graph/op_signature.h"
#include "graph/passes/optimize.h"
#include "tests/expect_error.h"
#include "tests/optimize_test_util.h"
#include "tests/plan_run_test_util.h"

namespace octet {
namespace {

using opt_test::Builder;
using opt_test::i64;
using opt_test::ints;

const std::string kFixtures = std::string(OCTET_SOURCE_DIR) + "/tests/fixtures/signature/";

Graph import_and_prepare(const std::string& file) {
  Graph g = import_onnx_file(kFixtures + file);
  prepare_graph(g);
  return g;
}

// ---------------------------------------------------------------------------- signatures

TEST(ImportValidation, AddWithThreeInputsIsRefusedAtImport) {
  EXPECT_ERROR(import_onnx_file(kFixtures + "add_three_inputs.onnx"),
               "node 'add3' (Add, opset 13): ONNX defines 2 inputs at this opset, got 3");
}

TEST(ImportValidation, MaxPoolStorageOrderOutsideZeroOneIsRefusedAtImport) {
  EXPECT_ERROR(import_onnx_file(kFixtures + "maxpool_storage_order_5.onnx"),
               "node 'pool' (MaxPool, opset 13): storage_order must be 0 (row-major) or 1 (column-major), got 5");
}

Node node_with_inputs(OpKind op, std::vector<int> inputs) {
  Node n;
  n.op = op;
  n.name = "n";
  n.inputs = std::move(inputs);
  return n;
}

// Ranges that change with the opset, and the rules for omitted inputs.
TEST(ImportValidation, InputCountsFollowTheOpsetAndOmittedInputs) {
  Graph g9, g10, g11, g13, g18;
  g9.opset = 9, g10.opset = 10, g11.opset = 11, g13.opset = 13, g18.opset = 18;
  const int x = 0, y = 1, z = 2, w = 3;
  EXPECT_ERROR(check_onnx_signature(g10, node_with_inputs(OpKind::Clip, {x, y, z})),
               "(Clip, opset 10): ONNX defines 1 inputs at this opset, got 3");
  EXPECT_NO_THROW(check_onnx_signature(g11, node_with_inputs(OpKind::Clip, {x, y, z})));
  EXPECT_NO_THROW(check_onnx_signature(g11, node_with_inputs(OpKind::Clip, {x, kNoValue, z})));
  // A trailing omitted input does not count; a required one may not be omitted.
  EXPECT_NO_THROW(check_onnx_signature(g13, node_with_inputs(OpKind::Conv, {x, w, kNoValue})));
  EXPECT_ERROR(check_onnx_signature(g13, node_with_inputs(OpKind::Conv, {x, kNoValue, z})),
               "(Conv, opset 13): required input 1 is omitted");
  EXPECT_ERROR(check_onnx_signature(g13, node_with_inputs(OpKind::Conv, {x, w, z, y})),
               "ONNX defines 2 to 3 inputs at this opset, got 4");
  EXPECT_ERROR(check_onnx_signature(g10, node_with_inputs(OpKind::Gemm, {x, w})), "ONNX defines 3 inputs");
  EXPECT_NO_THROW(check_onnx_signature(g11, node_with_inputs(OpKind::Gemm, {x, w})));
  EXPECT_ERROR(check_onnx_signature(g13, node_with_inputs(OpKind::Pad, {x, y, z, w})), "2 to 3 inputs");
  EXPECT_NO_THROW(check_onnx_signature(g18, node_with_inputs(OpKind::Pad, {x, y, z, w})));
  EXPECT_ERROR(check_onnx_signature(g13, node_with_inputs(OpKind::Concat, {})), "at least 1 inputs");
  EXPECT_NO_THROW(check_onnx_signature(g13, node_with_inputs(OpKind::Concat, {x, y, z, w, x, y})));
  EXPECT_ERROR(check_onnx_signature(g13, node_with_inputs(OpKind::Constant, {x})), "ONNX defines 0 inputs");
  EXPECT_ERROR(check_onnx_signature(g13, node_with_inputs(OpKind::Unsqueeze, {x})), "ONNX defines 2 inputs");
  EXPECT_ERROR(check_onnx_signature(g9, node_with_inputs(OpKind::Slice, {x, y, z})), "ONNX defines 1 inputs");
  EXPECT_NO_THROW(check_onnx_signature(g10, node_with_inputs(OpKind::Slice, {x, y, z})));
  EXPECT_ERROR(check_onnx_signature(g13, node_with_inputs(OpKind::QLinearConv, {x, y, z, w, x, y, z})),
               "8 to 9 inputs at this opset, got 7");
}

// ---------------------------------------------------------------------------- window padding

TEST(ImportValidation, PoolWithAWindowEntirelyInPaddingIsRefusedNamingThePad) {
  EXPECT_ERROR(import_and_prepare("maxpool_pad_covers_window.onnx"),
               "node 'pool' (MaxPool, opset 13): pad 2 at the begin of spatial dim 0 is not smaller than the "
               "kernel extent 2: some windows would lie entirely in padding");
}

TEST(ImportValidation, ConvAndPoolPadsMustBeNarrowerThanTheKernelExtent) {
  {
    Builder b;
    b.output(b.conv("c", b.input("x", {1, 2, 8, 8}), 2, 2, 3, 1, {{"pads", ints({1, 1, 1, 3})}}));
    EXPECT_ERROR(b.prepared(), "node 'c' (Conv, opset 13): pad 3 at the end of spatial dim 1 is not smaller "
                               "than the kernel extent 3");
  }
  {   // a dilated 3x3 covers 5 positions: pad 4 still touches the input
    Builder b;
    b.output(b.conv("c", b.input("x", {1, 2, 8, 8}), 2, 2, 3, 1,
                    {{"pads", ints({4, 4, 4, 4})}, {"dilations", ints({2, 2})}}));
    Graph g = b.prepared();
    EXPECT_EQ(g.value(g.outputs[0]).shape.to_string(), "[1,2,12,12]");
  }
  {   // 1x1 conv with any pad
    Builder b;
    b.output(b.conv("one", b.input("x", {1, 2, 8, 8}), 2, 2, 1, 1, {{"pads", ints({0, 1, 0, 0})}}));
    EXPECT_ERROR(b.prepared(), "node 'one' (Conv, opset 13): pad 1 at the begin of spatial dim 1");
  }
  {   // symbolic spatial dims: refused all the same, whatever size the model will run at
    Builder b;
    const int x = b.input("x", {1, 2, -1, -1}, "H");
    b.output(b.node(OpKind::AveragePool, "avg", {x}, {{"kernel_shape", ints({3, 3})}, {"pads", ints({3, 0, 0, 0})}}));
    EXPECT_ERROR(b.prepared(), "node 'avg' (AveragePool, opset 13): pad 3 at the begin of spatial dim 0");
  }
}

// Pad → Conv is a valid model even when the Pad is wider than the Conv's window; folding it
// into the Conv's pads would make windows of padding only, so the Pad stays: the reference
// executor runs the optimised graph as before, and the optimised runtime runs the Pad on the
// reference executor inside the plan (reference_pad: it has no Pad step) instead of compiling
// windows of padding.
TEST(ImportValidation, PadWiderThanTheConvWindowIsNotFolded) {
  Builder b;
  const int x = b.input("x", {1, 2, 6, 6});
  const int pad = b.node(OpKind::Pad, "pad", {x, b.constant("pads", i64({0, 0, 2, 1, 0, 0, 2, 1}))});
  b.output(b.conv("one_by_one", pad, 3, 2, 1, 5));
  const Graph before = b.prepared();
  Graph after = before;
  optimize_graph(after);
  EXPECT_EQ(opt_test::count_op(after, OpKind::Pad), 1);
  EXPECT_EQ(after.value(after.outputs[0]).shape.to_string(), "[1,3,10,8]");
  opt_test::expect_same_outputs(before, after, {opt_test::random_tensor({1, 2, 6, 6}, 9)});
  CompileOptions options;
  options.autotune = false;
  const Plan plan = compile_plan(after, options);
  EXPECT_NE(plan.describe().find("reference_pad"), std::string::npos) << plan.describe();
  const Tensor in = opt_test::random_tensor({1, 2, 6, 6}, 10);
  const Tensor want = ReferenceExecutor(before).run(std::span<const Tensor>(&in, 1)).at(0);
  plan_test::expect_close(plan_test::run(plan, in, 1, 1), want, "reference_pad in the plan", 1e-5f);
}

}  // namespace
}  // namespace octet
