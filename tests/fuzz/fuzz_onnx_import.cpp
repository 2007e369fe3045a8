// libFuzzer target: arbitrary bytes as an ONNX model, through everything a model file goes
// through (import → prepare → optimise → compile → one run) plus the reference executor.
// octet::Error anywhere is the expected answer to bad input; a crash, a sanitizer report, any
// other exception escaping, running out of memory or a timeout is a finding.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/compile.h"
#include "engine/executor.h"
#include "engine/prepare.h"
#include "engine/runtime/session.h"
#include "engine/runtime/error.h"
#include "graph/onnx_import.h"
#include "graph/passes/optimize.h"

namespace {

using namespace octet;

// Runs are only attempted on models this small, so that a legitimately big model (a large
// but valid Conv) is not reported as a timeout. Counts are floats / multiply-adds per image.
constexpr int64_t kMaxRunFloats = int64_t{1} << 22;
constexpr int64_t kMaxRunMacs = int64_t{1} << 26;

void run_compiled(const Graph& graph) {
  CompileOptions options;
  options.autotune = false;   // timing kernels would make runs slow and nondeterministic
  Plan plan = compile_plan(graph, options);
  int64_t floats = static_cast<int64_t>((plan.arena_bytes_per_image + plan.workspace_bytes) / sizeof(float));
  for (const Port& p : plan.inputs) floats += p.floats_per_image();
  for (const Port& p : plan.outputs) floats += p.floats_per_image();
  if (floats > kMaxRunFloats || plan.macs_per_image() > kMaxRunMacs) return;

  Session session(plan, SessionOptions{.threads = 1, .max_batch = 1});
  std::vector<std::vector<float>> in, out;
  std::vector<const float*> in_ptrs;
  std::vector<float*> out_ptrs;
  for (const Port& p : plan.inputs) in.emplace_back(static_cast<size_t>(p.floats_per_image()), 0.f);
  for (const Port& p : plan.outputs) out.emplace_back(static_cast<size_t>(p.floats_per_image()), 0.f);
  for (auto& v : in) in_ptrs.push_back(v.data());
  for (auto& v : out) out_ptrs.push_back(v.data());
  session.run(1, in_ptrs, out_ptrs);
}

// A rough upper bound of the reference executor's work: every node touches its inputs and
// outputs, and the contracting ops (Conv, MatMul, Gemm...) each output element times the
// weight size. Unknown shapes: not run.
bool small_enough_for_reference(const Graph& graph) {
  int64_t cost = 0;
  auto numel = [&](int id, int64_t& n) {
    if (id == kNoValue) return true;
    const Shape& s = graph.value(id).shape;
    if (!s.fully_known()) return false;
    n = 1;
    for (const Dim& d : s.dims) {
      if (d.value > kMaxRunFloats) return false;
      n *= d.value;
      if (n > kMaxRunFloats) return false;
    }
    return true;
  };
  for (int id : graph.inputs) {
    int64_t n = 0;
    if (!numel(id, n)) return false;
  }
  for (const Node& node : graph.nodes) {
    int64_t in_total = 0, out_total = 0, widest_in = 1;
    for (int id : node.inputs) {
      int64_t n = 0;
      if (!numel(id, n)) return false;
      in_total += n;
      if (n > widest_in) widest_in = n;
    }
    for (int id : node.outputs) {
      int64_t n = 0;
      if (!numel(id, n)) return false;
      out_total += n;
    }
    // Every output element may read every input element (Conv, MatMul, reductions, Gather).
    if (out_total > 0 && widest_in > kMaxRunMacs / out_total) return false;
    cost += in_total + out_total * widest_in;
    if (cost > kMaxRunMacs) return false;
  }
  return true;
}

void run_reference(const Graph& graph) {
  if (!small_enough_for_reference(graph)) return;
  std::vector<Tensor> inputs;
  for (int id : graph.inputs) {
    const Value& v = graph.value(id);
    inputs.emplace_back(v.dtype, v.shape.known_dims());
  }
  ReferenceExecutor(graph).run(inputs);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    Graph graph = import_onnx_bytes(std::span<const uint8_t>(data, size), "fuzz.onnx");
    prepare_graph(graph);
    try {
      run_reference(graph);
    } catch (const Error&) {
    }
    optimize_graph(graph);
    run_compiled(graph);
  } catch (const Error&) {
  }
  return 0;
}
