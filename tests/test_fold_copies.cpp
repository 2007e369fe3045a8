// Copy folding (engine/fold_copies.h) on ShuffleNet units, FP32 and int8: the channel split
// reads through the channel shuffle before it (the shuffle step goes where nothing else reads
// it), the pass-through half is written straight into its Concat (that concat slice goes), and
// the plan computes what the unfolded plan and the reference executor compute: FP32 within
// float rounding of the reference (the bytes of the unfolded plan), int8 code for code, on
// batch 1 and 7, 1 and 2 threads, an even and an odd half (5 channels: the split cannot read
// through a shuffle of odd halves, the rule declines and the plain copies run), and after a
// .octet round trip.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/compile.h"
#include "engine/executor.h"
#include "engine/int8_coverage.h"
#include "engine/pipeline/calibration.h"
#include "engine/runtime/model_file.h"
#include "engine/runtime/steps/all.h"
#include "qdq_test_util.h"
#include "quant/qdq_export.h"

namespace octet {
namespace {

using namespace qdq_test;

constexpr int64_t kH = 5, kW = 7;

Tensor i64(std::vector<int64_t> v) {
  const int64_t n = static_cast<int64_t>(v.size());
  return Tensor::from<int64_t>({n}, std::move(v));
}

// A 1x1 max pool (into NHWC), then ShuffleNet units on [N, 2c, H, W] as torchvision writes them (x.chunk(2), branch on the
// second half, Concat, channel shuffle of 2 groups), through Net: `q` annotates every
// activation with one of two parameter sets (nullptr: a float model), the branch's output and
// the second half with the other one, so the int8 plan needs tables there.
struct UnitNet {
  Net n{13};
  int64_t c;
  const QuantParams* q;
  const QuantParams* q2;
  int k = 0;

  std::optional<QuantParams> p(const QuantParams* x) const { return x ? std::optional<QuantParams>(*x) : std::nullopt; }
  std::string id(const std::string& s) { return s + std::to_string(k); }
  int slice(int x, int64_t first, int64_t end, const QuantParams* out) {
    return n.node(OpKind::Slice, id("slice") + std::to_string(first), {x, n.constant(id("st") + std::to_string(first), i64({first})),
                  n.constant(id("en") + std::to_string(first), i64({end})), n.constant(id("ax") + std::to_string(first), i64({1}))},
                  id("half") + std::to_string(first), p(out));
  }
  int unit(int x, const QuantParams* in) {
    ++k;
    const int left = slice(x, 0, c, in);   // the input's parameters: a plain copy
    const int right = slice(x, c, 2 * c, q2);
    // The branch: a 1x1 max pool (an int8 kernel that moves codes, so int8 stays exact).
    const int branch = n.node(OpKind::MaxPool, id("branch"), {right}, id("branch_out"), p(q2),
                              {{"kernel_shape", ints({1, 1})}});
    const int cat = n.node(OpKind::Concat, id("concat"), {left, branch}, id("cat"), p(q), {{"axis", integer(1)}});
    const int grouped = n.node(OpKind::Reshape, id("view"), {cat, n.constant(id("t5"), i64({0, 2, c, kH, kW}))}, id("grouped"), p(q));
    const int swapped = n.node(OpKind::Transpose, id("transpose"), {grouped}, id("swapped"), p(q), {{"perm", ints({0, 2, 1, 3, 4})}});
    return n.node(OpKind::Reshape, id("flat"), {swapped, n.constant(id("t4"), i64({0, 2 * c, kH, kW}))}, id("shuffled"), p(q));
  }
  Graph build(int units) {
    int x = n.input("x", {-1, 2 * c, kH, kW}, p(q));
    // The stem's output takes the other parameters: the first unit's pass-through half is
    // requantised as it is written into its Concat (the concat slice's table, taken over by
    // the split writing into the Concat: a table on a copy that fills half rows).
    x = n.node(OpKind::MaxPool, "stem", {x}, "stem_out", p(q2), {{"kernel_shape", ints({1, 1})}});   // to NHWC
    for (int u = 0; u < units; ++u) x = unit(x, u == 0 ? q2 : q);
    Graph g = n.done({x});
    prepare_graph(g);
    return g;
  }
};

int count_kernel(const Plan& plan, const std::string& kernel) {
  int count = 0;
  for (const Step& s : plan.steps) count += kernel == s.kernel_name();
  return count;
}

TEST(FoldCopies, Fp32UnitsReadThroughTheShuffleAndWriteIntoTheConcat) {
  for (int64_t c : {6, 5}) {
    SCOPED_TRACE("half of " + std::to_string(c) + " channels");
    const Graph g = UnitNet{Net{13}, c, nullptr, nullptr}.build(3);
    CompileOptions off;
    off.fold_copies = false;
    const Plan folded = compile_plan(g), plain = compile_plan(g, off);
    const std::string text = folded.describe();
    EXPECT_EQ(count_kernel(plain, "channel_shuffle"), 3) << plain.describe();
    EXPECT_EQ(count_kernel(plain, "concat_slice"), 6);
    // Every unit's pass-through half goes straight into its Concat; with an even half the
    // splits also read through the shuffles, and only the last one (the output) is left.
    EXPECT_EQ(count_kernel(folded, "concat_slice"), 3) << text;
    EXPECT_EQ(count_kernel(folded, "channel_shuffle"), c % 2 == 0 ? 1 : 3) << text;
    EXPECT_LT(folded.buffers.size(), plain.buffers.size());
    const Plan loaded = load_model_file(model_file_bytes(folded));
    EXPECT_EQ(loaded.describe(), text);
    for (int batch : {1, 7}) {
      const Tensor in = uniform({batch, 2 * c, kH, kW}, 10 + uint32_t(batch), -2.f, 2.f);
      const std::vector<Tensor> want = ReferenceExecutor(g).run(std::span<const Tensor>(&in, 1));
      for (int threads : {1, 2}) {
        SCOPED_TRACE("batch " + std::to_string(batch) + ", threads " + std::to_string(threads));
        const std::vector<Tensor> got = run_plan(folded, {in}, threads);
        EXPECT_TRUE(got[0].bytes == want[0].bytes) << "a copy moves values exactly";
        EXPECT_TRUE(run_plan(loaded, {in}, threads)[0].bytes == want[0].bytes);
        EXPECT_TRUE(run_plan(plain, {in}, threads)[0].bytes == want[0].bytes);
      }
    }
  }
}

const QuantParams kA = qp(DType::Uint8, 0.04f, 100), kB = qp(DType::Uint8, 0.05f, 90);

std::string units_qdq(int64_t c) { return quant::export_qdq(UnitNet{Net{13}, c, &kA, &kB}.build(3)); }

Plan qdq_plan(const std::string& bytes, const CompileOptions& options = {}) {
  Graph g = import_onnx_bytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  quant::recognise_qdq(g);
  prepare_graph(g);
  return compile_for_runtime(g, options);
}

TEST(FoldCopies, Int8UnitsMoveCodesBitExactWithTheReference) {
  for (int64_t c : {6, 5}) {
    SCOPED_TRACE("half of " + std::to_string(c) + " channels");
    const std::string bytes = units_qdq(c);
    const Plan plan = qdq_plan(bytes);
    const std::string text = plan.describe();
    // Codes all the way: the input's Quantize and the output's Dequantize only, no float copy.
    EXPECT_EQ(count_kernel(plan, "quantize") + count_kernel(plan, "dequantize"), 2) << text;
    EXPECT_EQ(count_kernel(plan, "channel_shuffle") + count_kernel(plan, "channel_split"), 0) << text;
    EXPECT_EQ(count_kernel(plan, "qu8_channel_shuffle"), c % 2 == 0 ? 1 : 3) << text;
    int tables = 0;
    for (const Step& s : plan.steps)
      if (const auto* p = s.params_if<QStridedCopyStep>()) tables += p->has_table;
    EXPECT_EQ(tables, 3) << text;   // the first unit's first half kB -> kA, the others' second half kA -> kB
    const Plan loaded = load_model_file(model_file_bytes(plan));
    EXPECT_EQ(loaded.describe(), text);
    CompileOptions off;
    off.fold_copies = false;
    for (int batch : {1, 7}) {
      SCOPED_TRACE(batch);
      // Values over and beyond kA's range (saturation).
      const std::vector<Tensor> inputs{uniform({batch, 2 * c, kH, kW}, 60 + uint32_t(batch), -5.f, 7.f)};
      expect_optimised_near_reference(bytes, inputs, kA.scale, 0.0, 1.0);
      EXPECT_TRUE(run_qdq_optimised(bytes, inputs)[0].bytes == run_qdq_optimised(bytes, inputs, off)[0].bytes);
      EXPECT_TRUE(run_plan(loaded, inputs, 2)[0].bytes == run_qdq_optimised(bytes, inputs)[0].bytes);
    }
  }
}

// A float model quantized u8s8: the Slices run on codes (no float island), their outputs
// keep their own parameters where calibration gives them other ones.
TEST(FoldCopies, QuantizerKeepsSliceAndShuffleInInt8) {
  const Graph base = quantization_base(UnitNet{Net{13}, 6, nullptr, nullptr}.build(2));
  TensorBatches calib({{uniform({16, 12, kH, kW}, 101, -1.f, 1.f)}});
  const Graph q = quantize_model(base, calibrate(base, calib), quant::Scheme::U8S8, {});
  EXPECT_EQ(float_compute_summary(q), "none");
  const Plan plan = qdq_plan(quant::export_qdq(q));
  EXPECT_EQ(count_kernel(plan, "quantize") + count_kernel(plan, "dequantize"), 2) << plan.describe();
  const std::vector<Tensor> inputs{uniform({7, 12, kH, kW}, 5, -1.2f, 1.2f)};
  expect_optimised_near_reference(quant::export_qdq(q), inputs, q.value(q.outputs[0]).quant->scale, 0.0, 1.0);
}

}  // namespace
}  // namespace octet
