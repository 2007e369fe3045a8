// octet-zoo-run: runs one model of the zoo (tools/zoo/make_zoo.py) on its .npy inputs with
// octet's reference executor or optimised runtime and compares with ONNX Runtime's committed
// outputs (tools/zoo/ort_reference.js). The ctest hook (OCTET_ZOO) and tools/zoo/octet_status.py
// call it. A stand-in until the library's front door can run a model on arrays directly.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include "engine/executor.h"
#include "engine/prepare.h"
#include "engine/runtime/session.h"
#include "engine/runtime/error.h"
#include "graph/onnx_import.h"
#include "tools/cli/cli.h"
#include "engine/pipeline/stages.h"
#include "tools/datasets/npy.h"

namespace octet::zoo {
namespace {

constexpr const char* kUsage = R"(usage: octet-zoo-run MODEL.onnx INPUTS.npy ORT.npy [options]

Runs MODEL on the first rows of INPUTS ([rows, *input shape], float32) and compares its one
output with ORT.npy ([rows, ...], ONNX Runtime's outputs): per row, the largest difference must
be within --tol times the row's largest |ORT value|; with --top1, each row's argmax must also
agree wherever ORT's best two values are further apart than that tolerance.

  --rows R      rows to run (default: all rows of ORT.npy)
  --tol T       relative tolerance (default 1e-4)
  --top1        also compare each row's argmax (classifiers)
  --runtime     run the optimised runtime (compiled plan, fixed kernel rule, one thread)
                instead of the reference executor
  --status      run every stage (import, reference executor, compile, runtime) and print one
                JSON object; each stage is "ok", "mismatch: ..." or the error it threw
  --help        this text

Exit status: 0 match (always 0 with --status), 1 mismatch or error, 2 usage error.
)";

struct Options {
  bool help = false, top1 = false, runtime = false, status = false;
  std::string model, inputs, expected;
  int64_t rows = 0;
  double tol = 1e-4;
};

Options parse_options(int argc, char** argv) {
  cli::Args args(argc, argv, {"help", "top1", "runtime", "status"}, {"rows", "tol"});
  Options o;
  if ((o.help = args.flag("help"))) return o;
  if (args.positional().size() != 3) throw Error("expected MODEL.onnx INPUTS.npy ORT.npy");
  o.model = args.positional()[0];
  o.inputs = args.positional()[1];
  o.expected = args.positional()[2];
  o.rows = args.get_int("rows", 0, 0, 1 << 20);
  o.tol = std::stod(args.get_or("tol", "1e-4"));
  o.top1 = args.flag("top1");
  o.runtime = args.flag("runtime");
  o.status = args.flag("status");
  return o;
}

struct Data {
  Tensor inputs, expected;
  int64_t rows = 0, in_per_row = 0, out_per_row = 0;
};

Data load_data(const Options& o) {
  Data d{read_npy(o.inputs), read_npy(o.expected)};
  if (d.inputs.dims.empty() || d.expected.dims.empty()) throw Error("inputs and ORT outputs need a row dimension");
  d.rows = o.rows ? o.rows : d.expected.dims[0];
  if (d.rows > d.inputs.dims[0] || d.rows > d.expected.dims[0])
    throw Error("--rows " + std::to_string(d.rows) + " is more than the files hold");
  if (d.inputs.dims[0] == 0 || d.expected.dims[0] == 0) throw Error("inputs and ORT outputs need at least one row");
  d.in_per_row = d.inputs.numel() / d.inputs.dims[0];
  d.out_per_row = d.expected.numel() / d.expected.dims[0];
  return d;
}

// mismatch: "" when every row matches, else what differs first. worst: the largest of the
// rows' max |diff| / max |ORT value| over the rows compared (the issue's "max rel. diff").
struct Comparison {
  std::string mismatch;
  double worst = 0;
};

Comparison compare(const Data& d, std::span<const float> got, double tol, bool top1) {
  if (static_cast<int64_t>(got.size()) != d.rows * d.out_per_row)
    return {"output has " + std::to_string(got.size()) + " values, ORT's " + std::to_string(d.rows * d.out_per_row)};
  double worst = 0;
  for (int64_t r = 0; r < d.rows; ++r) {
    const float* want = d.expected.data<float>() + r * d.out_per_row;
    const float* have = got.data() + r * d.out_per_row;
    double scale = 0, diff = 0;
    for (int64_t i = 0; i < d.out_per_row; ++i) {
      scale = std::max(scale, std::fabs(double{want[i]}));
      diff = std::max(diff, std::fabs(double{have[i]} - want[i]));
    }
    worst = std::max(worst, scale > 0 ? diff / scale : 0);
    if (!(diff <= tol * scale)) {
      char msg[160];
      std::snprintf(msg, sizeof msg, "row %lld: max |diff| %.3g > %.1g x max |ORT| %.3g", static_cast<long long>(r),
                    diff, tol, scale);
      return {msg, worst};
    }
    if (!top1) continue;
    std::vector<float> sorted(want, want + d.out_per_row);
    std::partial_sort(sorted.begin(), sorted.begin() + 2, sorted.end(), std::greater<>());
    const auto want_best = std::max_element(want, want + d.out_per_row) - want;
    const auto have_best = std::max_element(have, have + d.out_per_row) - have;
    if (sorted[0] - sorted[1] > tol * scale && want_best != have_best)
      return {"row " + std::to_string(r) + ": top-1 " + std::to_string(have_best) + ", ORT's " + std::to_string(want_best),
              worst};
  }
  return {"", worst};
}

std::vector<float> run_reference(const Graph& graph, const Data& d) {
  std::vector<int64_t> dims = d.inputs.dims;
  dims[0] = d.rows;
  const std::span<const float> rows(d.inputs.data<float>(), static_cast<size_t>(d.rows * d.in_per_row));
  const Tensor input = Tensor::from<float>(dims, rows);
  const std::vector<Tensor> out = ReferenceExecutor(graph).run(std::span<const Tensor>(&input, 1));
  const std::span<const float> values = out.at(0).values<float>();
  return {values.begin(), values.end()};
}

std::vector<float> run_runtime(const Plan& plan, const Data& d) {
  if (plan.inputs.size() != 1 || plan.outputs.empty()) throw Error("the zoo's models have one input");
  Session session(plan, SessionOptions{1, static_cast<int>(d.rows)});
  std::vector<float> out(static_cast<size_t>(d.rows * plan.outputs[0].floats_per_image()));
  std::vector<std::vector<float>> extra;   // outputs after the first are run but not compared
  std::vector<std::span<float>> outs{out};
  for (size_t i = 1; i < plan.outputs.size(); ++i) {
    extra.emplace_back(static_cast<size_t>(d.rows * plan.outputs[i].floats_per_image()));
    outs.emplace_back(extra.back());
  }
  const std::span<const float> in(d.inputs.data<float>(), static_cast<size_t>(d.rows * d.in_per_row));
  session.run(static_cast<int>(d.rows), std::span<const std::span<const float>>(&in, 1), outs);
  return out;
}

CompileOptions fixed_rule() {
  CompileOptions c;
  c.autotune = false;   // kernels by the fixed rule: the check is about correctness, not speed
  return c;
}

// One stage of --status: "ok", "mismatch: ...", or the error the stage threw.
template <typename F>
std::string stage(F&& f) {
  try {
    return f();
  } catch (const std::exception& e) {
    return e.what();
  }
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') { out += "\\n"; continue; }
    out += c;
  }
  return out + "\"";
}

int status(const Options& o, const Data& d) {
  Graph graph;
  const std::string imported = stage([&] { graph = import_onnx_file(o.model); return std::string("ok"); });
  std::string reference = "not run", compiled = "not run", runtime = "not run";
  if (imported == "ok") {
    reference = stage([&] {
      prepare_graph(graph);
      const std::string diff = compare(d, run_reference(graph, d), o.tol, o.top1).mismatch;
      return diff.empty() ? std::string("ok") : "mismatch: " + diff;
    });
    Plan plan;
    compiled = stage([&] { plan = load_plan(o.model, fixed_rule()); return std::string("ok"); });
    if (compiled == "ok")
      runtime = stage([&] {
        const std::string diff = compare(d, run_runtime(plan, d), o.tol, o.top1).mismatch;
        return diff.empty() ? std::string("ok") : "mismatch: " + diff;
      });
  }
  std::printf("{\"import\": %s, \"reference\": %s, \"compile\": %s, \"runtime\": %s}\n", json_string(imported).c_str(),
              json_string(reference).c_str(), json_string(compiled).c_str(), json_string(runtime).c_str());
  return 0;
}

int run(const Options& o) {
  const Data d = load_data(o);
  if (o.status) return status(o, d);
  const std::vector<float> got =
      o.runtime ? run_runtime(load_plan(o.model, fixed_rule()), d) : run_reference(load_reference_graph(o.model), d);
  const Comparison c = compare(d, got, o.tol, o.top1);
  std::printf("%s: %s, %lld rows, %s (max relative difference %.2g)\n", o.model.c_str(),
              o.runtime ? "runtime" : "reference executor", static_cast<long long>(d.rows),
              c.mismatch.empty() ? "matches ONNX Runtime" : c.mismatch.c_str(), c.worst);
  return c.mismatch.empty() ? 0 : 1;
}

}  // namespace
}  // namespace octet::zoo

int main(int argc, char** argv) {
  return octet::cli::tool_main("octet-zoo-run", octet::zoo::kUsage, argc, argv, octet::zoo::parse_options,
                               octet::zoo::run);
}
