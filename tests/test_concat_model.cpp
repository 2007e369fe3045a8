// Concat on the optimised runtime, end to end: along channels between convs (2 and 3 inputs
// of 3, 5 and 7 channels, a negative axis, a Concat read by convs and one that is a graph
// output), and along H, W and a flattened axis (pure copies: the same bits as the reference
// executor). Batch 1 and 7, 1 and 2 threads, a .octet round trip; the validator refuses a
// slice past its output row; the batch axis is refused naming the node.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/compile.h"
#include "engine/executor.h"
#include "engine/runtime/model_file.h"
#include "engine/runtime/steps/all.h"
#include "graph/passes/optimize.h"
#include "tests/expect_error.h"
#include "tests/optimize_test_util.h"
#include "tests/plan_run_test_util.h"

namespace octet {
namespace {

using opt_test::Builder;
using opt_test::integer;
using opt_test::ints;
using plan_test::expect_close;
using plan_test::run;

constexpr int64_t kH = 9, kW = 7;

int concat(Builder& b, const std::string& name, std::vector<int> inputs, int64_t axis) {
  return b.node(OpKind::Concat, name, std::move(inputs), {{"axis", integer(axis)}});
}

Graph channel_net() {
  Builder b;
  const int x = b.input("x", {-1, 3, kH, kW});
  const int a = b.conv("a", x, 3, 3, 3, 1, {{"pads", ints({1, 1, 1, 1})}});
  const int c5 = b.conv("b", x, 5, 3, 1, 3);
  const int c7 = b.conv("c", x, 7, 3, 3, 5, {{"pads", ints({1, 1, 1, 1})}});
  const int two = concat(b, "concat2", {a, c5}, 1);            // 8 channels
  const int three = concat(b, "concat3", {a, c5, c7}, -3);     // 15 channels
  const int d = b.conv("d", two, 7, 8, 1, 7);
  const int e = b.conv("e", three, 5, 15, 3, 9, {{"pads", ints({1, 1, 1, 1})}});
  b.output(concat(b, "concat_out", {d, e}, 1));                // 12 channels, a graph output
  return b.prepared();
}

// Copies only: along H and W of a 4-D value, then along the axis of two flattened ones.
Graph other_axes_net() {
  Builder b;
  const int x = b.input("x", {-1, 3, kH, kW});
  const int h = concat(b, "along_h", {x, x}, 2);                 // [3, 2H, W]
  const int w = concat(b, "along_w", {h, h, h}, 3);              // [3, 2H, 3W]
  const int flat = b.node(OpKind::Flatten, "flat", {w}, {{"axis", integer(1)}});
  const int flat_x = b.node(OpKind::Flatten, "flat_x", {x}, {{"axis", integer(1)}});
  b.output(concat(b, "along_flat", {flat_x, flat}, 1));
  return b.prepared();
}

void expect_runtime_matches_reference(const Graph& reference, int concat_steps, float tolerance) {
  Graph optimised = reference;
  optimize_graph(optimised);
  const Plan plan = compile_plan(optimised);
  const std::string text = plan.describe();
  EXPECT_EQ(text.find("reference_"), std::string::npos) << text;
  int steps = 0;
  for (const Step& s : plan.steps) steps += s.params_if<ConcatSliceF32Step>() != nullptr;
  EXPECT_EQ(steps, concat_steps) << text;
  const Plan loaded = load_model_file(model_file_bytes(plan));
  EXPECT_EQ(loaded.describe(), text);
  for (const int batch : {1, 7}) {
    const Tensor in = opt_test::random_tensor({batch, 3, kH, kW}, 31 + batch, -2.f, 2.f);
    const Tensor want = ReferenceExecutor(reference).run(std::span<const Tensor>(&in, 1)).at(0);
    const std::string what = "batch " + std::to_string(batch);
    for (const int threads : {1, 2})
      expect_close(run(plan, in, batch, threads), want, what + ", threads " + std::to_string(threads), tolerance);
    expect_close(run(loaded, in, batch, 2), want, what + ", .octet round trip", tolerance);
  }
}

TEST(ConcatModel, AlongChannelsBetweenConvsMatchesTheReference) {
  expect_runtime_matches_reference(channel_net(), 2 + 3 + 2, 1e-4f);
}

TEST(ConcatModel, AlongOtherAxesGivesTheReferenceBits) {
  expect_runtime_matches_reference(other_axes_net(), 2 + 3 + 2, 0.f);
}

TEST(ConcatModel, ChannelSlicesArePixelRows) {
  Graph g = channel_net();
  optimize_graph(g);
  const Plan plan = compile_plan(g);
  std::vector<std::vector<int64_t>> slices;   // {rows, in_row, out_row, offset} of concat3
  for (const Step& s : plan.steps)
    if (const auto* p = s.params_if<ConcatSliceF32Step>(); p != nullptr && s.name == "concat3")
      slices.push_back({p->row_count, p->in_row, p->out_row, p->offset});
  const std::vector<std::vector<int64_t>> want{
      {kH * kW, 3, 15, 0}, {kH * kW, 5, 15, 3}, {kH * kW, 7, 15, 8}};
  EXPECT_EQ(slices, want);
}

// A slice that would write past its output row, or read past its input, is refused, file or plan.
TEST(ConcatModel, ValidatorRefusesSlicesOutsideTheirBuffers) {
  Graph g = channel_net();
  optimize_graph(g);
  const Plan plan = compile_plan(g);
  int edited_steps = 0;
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    if (plan.steps[i].params_if<ConcatSliceF32Step>() == nullptr) continue;
    ++edited_steps;
    SCOPED_TRACE(plan.steps[i].name + " step " + std::to_string(i));
    for (int edit = 0; edit < 3; ++edit) {
      Plan edited = load_model_file(model_file_bytes(plan));   // a copy to edit
      auto* p = edited.steps[i].params_if<ConcatSliceF32Step>();
      if (edit == 0) p->offset = p->out_row - p->in_row + 1;  // one element past the row
      if (edit == 1) p->in_row = p->out_row + 1;
      if (edit == 2) p->row_count *= 2;                              // twice the buffers' rows
      EXPECT_ERROR(validate_plan(edited), "concat");
      EXPECT_THROW(load_model_file(model_file_bytes(edited)), Error);
    }
  }
  EXPECT_EQ(edited_steps, 7);
}

TEST(ConcatModel, BatchAxisIsRefusedNamingTheNode) {
  Builder b;
  const int x = b.input("x", {2, 3, kH, kW});
  b.output(concat(b, "batch_concat", {x, x}, 0));
  Graph g = b.prepared();
  optimize_graph(g);
  EXPECT_ERROR(compile_plan(g), "batch_concat");
  EXPECT_ERROR(compile_plan(g), "batch axis");
}

}  // namespace
}  // namespace octet
