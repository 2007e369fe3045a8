// octet-run: runs any model from the command line, after ONNX Runtime's perf_test and
// TensorFlow Lite's benchmark_model: inputs from .npy files or random, outputs to .npy files,
// optional timing (--bench), per-step profile and a JSON summary. A thin main over the front
// door (engine/pipeline: Model, ModelSession); the .npy inputs are tools/datasets/npy_inputs.h,
// the tables tools/reports/run_report.h.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "engine/executor.h"
#include "engine/int8_coverage.h"
#include "engine/pipeline/model.h"
#include "engine/pipeline/model_session.h"
#include "engine/runtime/error.h"
#include "quant/scheme.h"
#include "tools/cli/cli.h"
#include "tools/datasets/npy.h"
#include "tools/datasets/npy_inputs.h"
#include "tools/reports/calibration_flags.h"
#include "tools/reports/eval_report.h"
#include "tools/reports/run_report.h"

namespace octet {
namespace {

constexpr const char* kUsage = R"(usage: octet-run --model M.onnx|M.octet (--input [NAME=]x.npy ... | --random) [options]

Runs a model on octet's optimised runtime (or its reference executor) on inputs from NumPy
.npy files or on random inputs; writes each output as a .npy file, times runs, profiles steps.

  --model M             an ONNX model (FP32 or QDQ) or a .octet file (octet-compile)
  --input NAME=x.npy    a float32 C-order array [rows, the input's other dims] for input NAME;
                        repeatable, one per input; NAME= may be left out for a one-input model.
                        The first dim is the batch: rows are run --batch at a time
  --random              random inputs instead, uniform in [0, 1), --batch rows each
  --seed S              the random inputs' seed (default 1)
  --batch B             images per run (default: all the rows of the .npy files; with --random,
                        the model's fixed batch size, or 1 where it is open)
  --output-dir D        write one NAME.npy per output there ([rows, ...]; characters other than
                        letters, digits, '.', '-' and '_' in NAME become '_')
  --bench N             time N runs on the first batch, after --warmup runs: median, p10 and
                        p90 per run in microseconds, and images/s. On the optimised runtime a
                        run is the session's call as the C API makes it (inputs 64-byte aligned,
                        read in place; outputs allocated once)
  --warmup W            untimed runs before --bench's (default 10)
  --threads T           worker threads, 1..64 (default 1)
  --conv-chains C       1x1 -> depthwise -> 1x1 conv chains as one f32_conv_chain step: pays
                        (default: where the compiler's rule says it pays), all, or off (one
                        step per conv, to measure what the fusion gains); ONNX models only
  --conv-pool C         the first conv and the max pool after it as one f32_conv_pool step: pays
                        (default: where the compiler's rule says it pays), all, or off (two
                        steps, to measure what the fusion gains); ONNX models only
  --profile             per-step table (kernel, us per image, share, GMAC/s), over the timed
                        runs with --bench, else over the run itself
  --json                one JSON object on stdout (model, inputs, outputs with shapes, timing,
                        profile) and nothing else
  --reference           run the scalar reference executor (one thread) instead of the compiled
                        plan; QDQ models run their Q/DQ operators in float, as ONNX defines them
  --quantize SCHEME     quantize an FP32 ONNX model first: uint8, int8 or u8s8 (per tensor),
                        calibrated on --calib by --method
  --per-channel         with --quantize int8|u8s8: weights per output channel (symmetric int8,
                        one scale per channel) instead of per tensor
  --save-qdq F          with --quantize: also write the quantized model as a QDQ ONNX file
                        (what octet-quantize writes; ONNX Runtime runs it)
  --calib F             calibration data: a CIFAR-10 file (default: the bundled
                        cifar10-train-subset.bin) or .npy files as for --input
  --calib-per-class N   CIFAR-10: the first N images of each class (default 100)
  --calib-count N       the first N calibration samples (default: all)
)" OCTET_METHOD_USAGE OCTET_CLI_LIMITS_USAGE R"(  --help                this text

Exit status: 0 success, 1 error (a missing or unknown input, a wrong shape, ...), 2 usage error.
)";

struct Options {
  bool help = false, random = false, profile = false, json = false, reference = false;
  bool per_channel = false;
  bool fusion_given = false;   // --conv-chains or --conv-pool (compile options: ONNX models only)
  FusionRule conv_chains = FusionRule::WherePays, conv_pool = FusionRule::WherePays;
  std::string model, output_dir, quantize, save_qdq;
  std::vector<std::string> inputs;
  uint32_t seed = 1;
  std::optional<int64_t> batch;
  int64_t bench = 0, warmup = 10, threads = 1;
  CalibrationFlags calib;
  ResourceLimits limits;
};

// --conv-chains / --conv-pool: pays (the default), all or off.
FusionRule fusion_flag(const cli::Args& args, const std::string& name) {
  const std::string v = args.get_or(name, "pays");
  if (v == "off") return FusionRule::Off;
  if (v == "all") return FusionRule::All;
  if (v != "pays") throw Error("--" + name + ": unknown value '" + v + "' (pays, all or off)");
  return FusionRule::WherePays;
}

Options parse_options(int argc, char** argv) {
  std::vector<std::string> keys = {"model", "input", "seed", "batch", "output-dir", "bench", "warmup", "threads", "quantize",
                                   "save-qdq", "max-memory", "max-cost", "conv-chains", "conv-pool"};
  keys.insert(keys.end(), kCalibrationKeys.begin(), kCalibrationKeys.end());
  cli::Args args(argc, argv, {"help", "random", "profile", "json", "reference", "per-channel"}, keys);
  Options o;
  if ((o.help = args.flag("help"))) return o;
  if (!args.positional().empty()) throw Error("unexpected argument '" + args.positional()[0] + "'");
  o.model = args.get_or("model", "");
  if (o.model.empty()) throw Error("--model is required");
  o.inputs = args.all("input");
  o.random = args.flag("random");
  if (o.random == !o.inputs.empty()) throw Error("give either --input NAME=x.npy (one per input) or --random");
  o.seed = static_cast<uint32_t>(args.get_int("seed", 1, 0, 0xffffffffLL));
  if (args.get("batch")) o.batch = args.get_int("batch", 1, 1, 65536);
  o.output_dir = args.get_or("output-dir", "");
  o.bench = args.get_int("bench", 0, 1, 1000000);
  o.warmup = args.get_int("warmup", 10, 0, 1000000);
  o.threads = args.get_int("threads", 1, 1, 64);
  o.profile = args.flag("profile");
  o.conv_chains = fusion_flag(args, "conv-chains");
  o.conv_pool = fusion_flag(args, "conv-pool");
  o.fusion_given = args.get("conv-chains").has_value() || args.get("conv-pool").has_value();
  o.json = args.flag("json");
  o.reference = args.flag("reference");
  o.quantize = args.get_or("quantize", "");
  if (!o.quantize.empty() && !quant::scheme_from_name(o.quantize))
    throw Error("--quantize: unknown scheme '" + o.quantize + "' (uint8, int8 or u8s8)");
  if (!o.quantize.empty() && o.reference) throw Error("--quantize runs the int8 kernels; it cannot be combined with --reference");
  o.per_channel = args.flag("per-channel");
  if (o.per_channel && o.quantize.empty()) throw Error("--per-channel needs --quantize");
  o.save_qdq = args.get_or("save-qdq", "");
  if (!o.save_qdq.empty() && o.quantize.empty()) throw Error("--save-qdq needs --quantize");
  if (o.profile && o.reference) throw Error("--profile times the compiled plan's steps; it cannot be combined with --reference");
  o.calib = calibration_flags(args, OCTET_DATA_DIR "/cifar10-train-subset.bin");
  refuse_method_without_quantizing(args, !o.quantize.empty(), "--quantize");
  o.limits = cli::resource_limits(args);
  return o;
}

struct Input {
  std::string name, source;   // source: the .npy path or "random"
  Tensor tensor;              // [rows, ...]
};

std::vector<Input> random_inputs(const std::vector<TensorInfo>& infos, int64_t batch, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  std::vector<Input> out;
  for (const TensorInfo& info : infos) {
    std::vector<int64_t> dims = info.dims;
    if (dims.empty()) throw Error("input '" + info.name + "' is a scalar; octet-run feeds [batch, ...] inputs");
    dims[0] = batch;
    for (size_t d = 1; d < dims.size(); ++d)
      if (dims[d] < 0)
        throw Error("input '" + info.name + "' has shape " + dims_to_string(info.dims) +
                    ": a dimension other than the batch is open, so --random cannot size it; give an .npy file");
    Input in{info.name, "random", Tensor(DType::Float32, dims)};
    float* x = in.tensor.data<float>();
    for (int64_t i = 0; i < in.tensor.numel(); ++i) x[i] = uniform(rng);
    out.push_back(std::move(in));
  }
  return out;
}

std::vector<Input> model_inputs(const Options& opt, const Model& model) {
  const std::vector<TensorInfo> infos = model.inputs();
  if (opt.random) {
    const int64_t fixed = infos.empty() || infos[0].dims.empty() ? -1 : infos[0].dims[0];
    return random_inputs(infos, opt.batch.value_or(fixed > 0 ? fixed : 1), opt.seed);
  }
  std::vector<Input> out;
  for (NpyInput& in : read_npy_inputs(infos, opt.inputs, "--input"))
    out.push_back({in.name, in.path, std::move(in.tensor)});
  return out;
}

// Runs one batch of inputs (in the model's input order) and returns the outputs in the model's
// output order: on the compiled plan, or on the reference executor.
using RunBatch = std::function<std::vector<Tensor>(const std::vector<Tensor>&)>;

RunBatch make_runner(const Options& opt, Model& model, std::optional<ModelSession>& session, int64_t batch) {
  if (opt.reference) {
    auto exec = std::make_shared<ReferenceExecutor>(model.graph(), opt.limits);
    return [exec](const std::vector<Tensor>& in) { return exec->run(in); };
  }
  if (model.format() == ModelFormat::OctetFile && opt.fusion_given)
    throw Error("--conv-chains and --conv-pool choose how an ONNX model compiles; " + opt.model +
                " is a compiled .octet plan, whose steps are fixed");
  if (model.format() != ModelFormat::OctetFile) {
    CompileOptions compile_options;   // compiled here so that --max-memory and --max-cost apply
    compile_options.limits = opt.limits;
    compile_options.conv_chains = opt.conv_chains;
    compile_options.conv_pool = opt.conv_pool;
    model.compile(compile_options);
  }
  session.emplace(model, SessionOptions{static_cast<int>(opt.threads), static_cast<int>(batch)}, opt.limits);
  const std::vector<TensorInfo> infos = model.inputs();
  return [&session, infos](const std::vector<Tensor>& in) {
    std::vector<NamedTensor> named;
    for (size_t i = 0; i < in.size(); ++i) named.push_back({infos[i].name, in[i]});
    std::vector<Tensor> out;
    for (NamedTensor& t : session->run(named)) out.push_back(std::move(t.tensor));
    return out;
  };
}

std::vector<Tensor> batch_of(const std::vector<Input>& inputs, int64_t first, int64_t count) {
  std::vector<Tensor> out;
  for (const Input& in : inputs) out.push_back(slice_rows(in.tensor, first, count));
  return out;
}

// Every row of the inputs, `batch` at a time; the outputs of all runs, rows concatenated.
std::vector<Tensor> run_all(const RunBatch& run, const std::vector<Input>& inputs, int64_t rows, int64_t batch) {
  std::vector<Tensor> outputs;
  for (int64_t first = 0; first < rows; first += batch) {
    const int64_t count = std::min(batch, rows - first);
    std::vector<Tensor> got = run(batch_of(inputs, first, count));
    if (outputs.empty()) {
      for (const Tensor& g : got) {
        std::vector<int64_t> dims = g.dims;
        if (dims.empty() || dims[0] != count) throw Error("an output of shape " + dims_to_string(g.dims) + " has no batch dimension");
        dims[0] = rows;
        outputs.emplace_back(g.dtype, dims);
      }
    }
    for (size_t o = 0; o < got.size(); ++o) {
      const size_t row_bytes = got[o].bytes.size() / static_cast<size_t>(count);
      std::memcpy(outputs[o].bytes.data() + static_cast<size_t>(first) * row_bytes, got[o].bytes.data(), got[o].bytes.size());
    }
  }
  return outputs;
}

// On the optimised runtime a timed run is the session's own call, as an application makes it
// through the C or C++ API: the inputs in 64-byte aligned buffers (which the session reads in
// place, engine/runtime/session.h) and the outputs allocated once, so that the tool's tensor
// copies (a 224x224 image is 600 KB) stay out of the figures. The reference executor runs
// `run` as the untimed path does.
RunTiming bench(const RunBatch& run, const std::vector<Tensor>& batch, const Options& opt, ModelSession* session) {
  std::function<void()> once = [&] { (void)run(batch); };
  std::vector<AlignedBytes> in_bytes;
  std::vector<InputView> views;
  std::vector<Tensor> outs;
  std::vector<float*> out_ptrs;
  BoundInputs bound;
  if (session) {
    for (size_t i = 0; i < batch.size(); ++i) {
      in_bytes.emplace_back(batch[i].bytes.size());
      std::memcpy(in_bytes.back().data(), batch[i].bytes.data(), batch[i].bytes.size());
    }
    for (size_t i = 0; i < batch.size(); ++i)
      views.push_back({session->plan().inputs.at(i).name, batch[i].dims, in_bytes[i].as<float>()});
    bound = session->bind(views);
    for (size_t o = 0; o < session->plan().outputs.size(); ++o) {
      outs.emplace_back(DType::Float32, session->output_dims(o, bound.batch));
      out_ptrs.push_back(outs.back().data<float>());
    }
    once = [&] { session->run(bound.batch, bound.data, out_ptrs); };
  }
  for (int64_t i = 0; i < opt.warmup; ++i) once();
  if (session && opt.profile) session->session().enable_profile(true);
  std::vector<double> us;
  for (int64_t i = 0; i < opt.bench; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    once();
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
  return summarize_runs(std::move(us), opt.warmup, batch.at(0).dims.at(0));
}

std::string file_name_for(const std::string& output) {
  std::string name = output;
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') c = '_';
  return (name.empty() || name[0] == '.' ? "_" + name : name) + ".npy";
}

std::string shape_json(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

std::string leading_values(const Tensor& t) {
  std::string s;
  const std::span<const float> v = t.values<float>();
  char buf[32];
  for (size_t i = 0; i < std::min<size_t>(v.size(), 6); ++i) {
    std::snprintf(buf, sizeof buf, "%s%.6g", i ? " " : "", double{v[i]});
    s += buf;
  }
  return s + (v.size() > 6 ? " ..." : "");
}

int run(const Options& opt) {
  Model model = Model::load(opt.model, LoadOptions{.recognise_qdq = !opt.reference});
  if (opt.reference && model.format() == ModelFormat::OctetFile)
    throw Error(opt.model + ": --reference runs an ONNX graph; a .octet file holds only a compiled plan");
  std::string calibration;
  if (!opt.quantize.empty()) {
    if (model.format() != ModelFormat::Onnx || model.is_quantized())
      throw Error(opt.model + ": --quantize takes an FP32 ONNX model; this one is " + model.scheme());
    CalibrationRun c = calibrate_from_flags(model, opt.calib, !opt.json && isatty(STDERR_FILENO) == 1);
    model = model.quantize(c.calibration, {*quant::scheme_from_name(opt.quantize), opt.calib.method.only(), opt.per_channel});
    calibration = c.description;
    if (!opt.save_qdq.empty()) model.export_qdq(opt.save_qdq);
  }
  const std::vector<Input> inputs = model_inputs(opt, model);
  const int64_t rows = inputs.at(0).tensor.dims[0];
  const int64_t batch = std::min(rows, opt.batch.value_or(rows));

  std::optional<ModelSession> session;
  const RunBatch runner = make_runner(opt, model, session, batch);
  if (session && opt.profile && !opt.bench) session->session().enable_profile(true);
  const std::vector<Tensor> outputs = run_all(runner, inputs, rows, batch);
  const std::vector<TensorInfo> out_infos = model.outputs();

  std::vector<std::string> written;
  if (!opt.output_dir.empty()) {
    std::filesystem::create_directories(opt.output_dir);
    for (size_t o = 0; o < outputs.size(); ++o) {
      written.push_back((std::filesystem::path(opt.output_dir) / file_name_for(out_infos.at(o).name)).string());
      write_npy(written.back(), outputs[o]);
    }
  }
  std::optional<RunTiming> timing;
  if (opt.bench) timing = bench(runner, batch_of(inputs, 0, batch), opt, session ? &*session : nullptr);
  const int64_t profiled_images = opt.bench ? opt.bench * batch : rows;

  const std::string executor = opt.reference ? "reference executor" : "optimised runtime";
  const int threads = opt.reference ? 1 : static_cast<int>(opt.threads);
  if (opt.json) {
    std::string j = "{\"model\": " + json_string(opt.model) + ", \"scheme\": " + json_string(model.scheme()) +
                    ", \"executor\": " + json_string(opt.reference ? "reference" : "optimised") +
                    ", \"threads\": " + std::to_string(threads) + ", \"batch\": " + std::to_string(batch) +
                    ", \"runs\": " + std::to_string((rows + batch - 1) / batch) + ", \"inputs\": [";
    for (size_t i = 0; i < inputs.size(); ++i)
      j += std::string(i ? ", " : "") + "{\"name\": " + json_string(inputs[i].name) + ", \"shape\": " +
           shape_json(inputs[i].tensor.dims) + ", \"source\": " + json_string(inputs[i].source) + "}";
    j += "], \"outputs\": [";
    for (size_t o = 0; o < outputs.size(); ++o)
      j += std::string(o ? ", " : "") + "{\"name\": " + json_string(out_infos.at(o).name) + ", \"shape\": " +
           shape_json(outputs[o].dims) + ", \"file\": " + (written.empty() ? "null" : json_string(written[o])) + "}";
    j += "], \"timing\": " + (timing ? timing_json(*timing) : "null");
    j += ", \"profile\": " + (opt.profile ? step_profile_json(session->plan(), session->session().step_seconds(), profiled_images) : "null");
    std::printf("%s}\n", j.c_str());
    return std::fflush(stdout) == 0 ? 0 : 1;
  }
  std::printf("model    %s (%s), %s, %d thread%s\n", opt.model.c_str(), model.scheme().c_str(), executor.c_str(), threads,
              threads == 1 ? "" : "s");
  if (!calibration.empty()) std::printf("calib    %s\nfloat    %s (no int8 kernel: between Dequantize and Quantize steps)\n",
                                         calibration.c_str(), float_compute_summary(model.graph()).c_str());
  for (const Input& in : inputs)
    std::printf("input    %s %s from %s\n", in.name.c_str(), dims_to_string(in.tensor.dims).c_str(), in.source.c_str());
  for (size_t o = 0; o < outputs.size(); ++o)
    std::printf("output   %s %s%s%s: %s\n", out_infos.at(o).name.c_str(), dims_to_string(outputs[o].dims).c_str(),
                written.empty() ? "" : " -> ", written.empty() ? "" : written[o].c_str(), leading_values(outputs[o]).c_str());
  std::printf("runs     %lld of batch %lld\n", static_cast<long long>((rows + batch - 1) / batch), static_cast<long long>(batch));
  if (timing) std::printf("bench    %s\n", timing_text(*timing).c_str());
  if (opt.profile)
    std::printf("profile  over %lld images\n%s", static_cast<long long>(profiled_images),
                step_profile_text(session->plan(), session->session().step_seconds(), profiled_images).c_str());
  return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace
}  // namespace octet

int main(int argc, char** argv) {
  return octet::cli::tool_main("octet-run", octet::kUsage, argc, argv, octet::parse_options, octet::run);
}
