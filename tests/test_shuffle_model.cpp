// ShuffleNet's building blocks on the optimised runtime, end to end, exported as
// torch.onnx.export writes them with a dynamic batch: the Shape → Gather → Div → Cast →
// Unsqueeze → Concat subgraphs fold at preparation into constant Reshape targets that keep the
// batch symbolic (0 where the batch is); channel shuffle (Reshape → Transpose → Reshape) is one
// channel_shuffle copy, the channel split (Slice along channels) channel_split copies, the
// final ReduceMean over H and W the global average, ReduceMax over H and W and GlobalMaxPool
// the global max. An operator without a kernel of its own (a broadcasting Mul, ReduceMax over
// channels) runs as reference_<op> inside the plan. Batch 1 and 7,
// 1 and 2 threads, against the reference executor.
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

using plan_test::expect_close;
using opt_test::Builder;
using opt_test::integer;
using opt_test::ints;

constexpr int64_t kC = 10, kH = 7, kW = 5;

Tensor scalar_i64(int64_t v) { return Tensor::from<int64_t>({}, {v}); }

// Dim `axis` of x as a 1-element int64 tensor, the way torch exports x.size(axis).
int dim_of(Builder& b, const std::string& name, int x, int64_t axis) {
  const int shape = b.node(OpKind::Shape, name + ".shape", {x});
  const int g = b.node(OpKind::Gather, name + ".gather", {shape, b.constant(name + ".i", scalar_i64(axis))},
                       {{"axis", integer(0)}});
  return g;
}
int unsqueeze(Builder& b, const std::string& name, int scalar) {
  return b.node(OpKind::Unsqueeze, name, {scalar, b.constant(name + ".axes", opt_test::i64({0}))});
}

// torchvision's channel_shuffle(x, 2) on [N, kC, kH, kW].
int channel_shuffle(Builder& b, const std::string& name, int x) {
  const int n = unsqueeze(b, name + ".n", dim_of(b, name + ".d0", x, 0));
  const int c = dim_of(b, name + ".d1", x, 1);
  const int per_group = b.node(OpKind::Cast, name + ".cast",
                               {b.node(OpKind::Div, name + ".div", {c, b.constant(name + ".two", scalar_i64(2))})},
                               {{"to", integer(static_cast<int64_t>(DType::Int64))}});
  const int h = unsqueeze(b, name + ".h", dim_of(b, name + ".d2", x, 2));
  const int w = unsqueeze(b, name + ".w", dim_of(b, name + ".d3", x, 3));
  const int target5 = b.node(OpKind::Concat, name + ".t5",
                             {n, b.constant(name + ".g", opt_test::i64({2})), unsqueeze(b, name + ".cpg", per_group), h, w},
                             {{"axis", integer(0)}});
  const int grouped = b.node(OpKind::Reshape, name + ".view", {x, target5});
  const int swapped = b.node(OpKind::Transpose, name + ".transpose", {grouped}, {{"perm", ints({0, 2, 1, 3, 4})}});
  const int target4 = b.node(OpKind::Concat, name + ".t4", {n, b.constant(name + ".m1", opt_test::i64({-1})), h, w},
                             {{"axis", integer(0)}});
  return b.node(OpKind::Reshape, name + ".flat", {swapped, target4});
}

// x.chunk(2, dim=1)[half], with the split point computed from Shape as torch exports it.
int chunk(Builder& b, const std::string& name, int x, int half) {
  const int c = b.node(OpKind::Gather, name + ".c",
                       {b.node(OpKind::Shape, name + ".shape", {x}), b.constant(name + ".i", opt_test::i64({1}))},
                       {{"axis", integer(0)}});
  const int mid = b.node(OpKind::Div, name + ".mid", {c, b.constant(name + ".two", opt_test::i64({2}))});
  const int start = half == 0 ? b.constant(name + ".zero", opt_test::i64({0})) : mid;
  const int end = half == 0 ? mid : b.node(OpKind::Mul, name + ".end", {mid, b.constant(name + ".k", opt_test::i64({2}))});
  return b.node(OpKind::Slice, name, {x, start, end, b.constant(name + ".axes", opt_test::i64({1}))});
}

Graph shuffle_net(bool with_fallbacks) {
  Builder b;
  const int x = b.input("x", {-1, 3, kH, kW});
  const int stem = b.conv("stem", x, kC, 3, 3, 1, {{"pads", ints({1, 1, 1, 1})}});
  const int left = chunk(b, "left", stem, 0);
  const int right = b.conv("branch", chunk(b, "right", stem, 1), kC / 2, kC / 2, 3, 7, {{"pads", ints({1, 1, 1, 1})}});
  int joined = b.node(OpKind::Concat, "join", {left, right}, {{"axis", integer(1)}});
  joined = channel_shuffle(b, "shuffle", joined);
  if (with_fallbacks) {
    const int scaled = b.node(OpKind::Mul, "scale", {joined, b.constant("s", opt_test::random_tensor({1, kC, 1, 1}, 3))});
    b.output(b.node(OpKind::ReduceMax, "channel_max", {scaled}, {{"axes", ints({1})}, {"keepdims", integer(1)}}));
    b.output(b.node(OpKind::ReduceMax, "spatial_max", {scaled}, {{"axes", ints({-1, 2})}, {"keepdims", integer(0)}}));
    b.output(b.node(OpKind::GlobalMaxPool, "global_max", {joined}));
  }
  b.output(b.node(OpKind::ReduceMean, "mean", {joined}, {{"axes", ints({2, 3})}, {"keepdims", integer(0)}}));
  return b.prepared();
}

int count_purpose(const Plan& plan, StridedCopyF32Step::Purpose p) {
  int n = 0;
  for (const Step& s : plan.steps)
    if (const auto* c = s.params_if<StridedCopyF32Step>(); c && c->purpose == p) ++n;
  return n;
}

TEST(ShuffleModel, ShapeSubgraphsFoldKeepingTheBatchSymbolic) {
  const Graph g = shuffle_net(false);
  EXPECT_EQ(opt_test::count_op(g, OpKind::Shape), 0);
  EXPECT_EQ(opt_test::count_op(g, OpKind::Gather), 0);
  EXPECT_EQ(opt_test::count_op(g, OpKind::Concat), 1);   // the channel join only
  for (const Node& n : g.nodes) {
    if (n.op == OpKind::Reshape) {
      const Value& target = g.value(n.inputs[1]);
      ASSERT_TRUE(target.constant) << n.name;
      const std::vector<int64_t> t = target.constant->as_int64();
      EXPECT_EQ(t[0], 0) << n.name << ": the batch is copied from the input";
      const std::vector<int64_t> want = t.size() == 5 ? std::vector<int64_t>{0, 2, 5, kH, kW}
                                                      : std::vector<int64_t>{0, -1, kH, kW};
      EXPECT_EQ(t, want) << n.name;
      EXPECT_EQ(g.value(n.outputs[0]).shape.dims[0], Dim::named("N")) << n.name;
    }
    if (n.op == OpKind::Slice) {
      EXPECT_TRUE(g.value(n.inputs[2]).constant) << n.name;
    }
  }
}

void expect_matches_reference(const Graph& reference, const Plan& plan, int outputs) {
  for (const int batch : {1, 7}) {
    const Tensor in = opt_test::random_tensor({batch, 3, kH, kW}, 40 + batch, -2.f, 2.f);
    const std::vector<Tensor> want = ReferenceExecutor(reference).run(std::span<const Tensor>(&in, 1));
    ASSERT_EQ(static_cast<int>(want.size()), outputs);
    for (const int threads : {1, 2}) {
      const std::string what = "batch " + std::to_string(batch) + ", threads " + std::to_string(threads);
      Session session(plan, {threads, batch});
      std::vector<std::vector<float>> got;
      std::vector<float*> ptrs;
      for (const Port& p : plan.outputs) got.emplace_back(static_cast<size_t>(p.floats_per_image() * batch), std::nanf(""));
      for (auto& v : got) ptrs.push_back(v.data());
      const float* ip = in.data<float>();
      session.run(batch, std::span<const float* const>(&ip, 1), std::span<float* const>(ptrs));
      for (int o = 0; o < outputs; ++o) expect_close(got[static_cast<size_t>(o)], want[static_cast<size_t>(o)], what, 1e-5f);
    }
  }
}

TEST(ShuffleModel, ChannelShuffleAndSplitAreCopiesMatchingTheReference) {
  const Graph reference = shuffle_net(false);
  Graph optimised = reference;
  optimize_graph(optimised);
  const Plan plan = compile_plan(optimised);
  const std::string text = plan.describe();
  EXPECT_EQ(text.find("reference_"), std::string::npos) << text;
  EXPECT_EQ(count_purpose(plan, StridedCopyF32Step::Purpose::ChannelShuffle), 1) << text;
  EXPECT_EQ(count_purpose(plan, StridedCopyF32Step::Purpose::ChannelSplit), 2) << text;
  EXPECT_NE(text.find("global_average"), std::string::npos) << text;
  EXPECT_EQ(plan.outputs.at(0).dims, (std::vector<int64_t>{-1, kC}));
  const Plan loaded = load_model_file(model_file_bytes(plan));
  EXPECT_EQ(loaded.describe(), text);
  expect_matches_reference(reference, plan, 1);
  expect_matches_reference(reference, loaded, 1);
}

TEST(ShuffleModel, OperatorsWithoutKernelsRunOnTheReferenceInsideThePlan) {
  const Graph reference = shuffle_net(true);
  Graph optimised = reference;
  optimize_graph(optimised);
  const Plan plan = compile_plan(optimised);
  const std::string text = plan.describe();
  EXPECT_NE(text.find("binary mul"), std::string::npos) << text;             // the Mul has a step
  EXPECT_NE(text.find("reference_reduce_max"), std::string::npos) << text;   // over channels
  int global_max = 0;
  for (const Step& s : plan.steps) global_max += s.params_if<GlobalMaxF32Step>() != nullptr;
  EXPECT_EQ(global_max, 2) << text;   // ReduceMax over H, W and GlobalMaxPool
  expect_matches_reference(reference, plan, 4);
  // A .octet file cannot hold a reference step: refused naming it.
  EXPECT_ERROR(model_file_bytes(plan), "reference_reduce_max");
}

// Transposes and slices that are not channel moves: strided copies of the row-major value,
// which copy folding merges into one.
TEST(ShuffleModel, OtherTransposesAndSlicesAreStridedCopies) {
  Builder b;
  const int x = b.input("x", {-1, 3, kH, kW});
  const int t = b.node(OpKind::Transpose, "swap_hw", {x}, {{"perm", ints({0, 1, 3, 2})}});   // [3, W, H]
  const int s = b.node(OpKind::Slice, "every_other_h",
                       {t, b.constant("st", opt_test::i64({1, 1})), b.constant("en", opt_test::i64({kW, 100})),
                        b.constant("ax", opt_test::i64({2, -1})), b.constant("sp", opt_test::i64({1, 2}))});
  b.output(s);
  const Graph reference = b.prepared();
  Graph optimised = reference;
  optimize_graph(optimised);
  CompileOptions unfolded;
  unfolded.fold_copies = false;
  const Plan two_copies = compile_plan(optimised, unfolded);
  const std::string text = two_copies.describe();
  EXPECT_EQ(count_purpose(two_copies, StridedCopyF32Step::Purpose::Transpose), 1) << text;
  EXPECT_EQ(count_purpose(two_copies, StridedCopyF32Step::Purpose::Slice), 1) << text;
  EXPECT_EQ(text.find("reference_"), std::string::npos) << text;
  expect_matches_reference(reference, load_model_file(model_file_bytes(two_copies)), 1);
  // Copy folding (engine/fold_copies.h): the slice reads through the transpose, one copy.
  const Plan plan = compile_plan(optimised);
  EXPECT_EQ(count_purpose(plan, StridedCopyF32Step::Purpose::Transpose), 0) << plan.describe();
  EXPECT_EQ(count_purpose(plan, StridedCopyF32Step::Purpose::Slice), 1) << plan.describe();
  const Plan loaded = load_model_file(model_file_bytes(plan));
  expect_matches_reference(reference, loaded, 1);

  // The validator refuses a copy reaching past its input.
  Plan corrupt = load_model_file(model_file_bytes(plan));
  for (Step& st : corrupt.steps)
    if (auto* p = st.params_if<StridedCopyF32Step>(); p && p->purpose == StridedCopyF32Step::Purpose::Slice)
      p->src_offset = p->in_elements - 1;
  EXPECT_ERROR(load_model_file(model_file_bytes(corrupt)), "copy outside its buffers");
}

}  // namespace
}  // namespace octet
