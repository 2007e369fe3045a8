// octet-eval: top-1 accuracy of an ONNX CIFAR-10 classifier on CIFAR-10 files, run on
// octet's optimised runtime (or, with --reference, its scalar reference executor). The
// readers live in tools/datasets, the report in tools/reports.
#include <unistd.h>

#include <bit>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "engine/executor.h"
#include "engine/compile.h"
#include "engine/int8_coverage.h"
#include "engine/pipeline/model.h"
#include "engine/pipeline/stages.h"
#include "engine/prepare.h"
#include "engine/runtime/error.h"
#include "engine/runtime/session.h"
#include "graph/onnx_import.h"
#include "graph/passes/optimize.h"
#include "tools/cli/cli.h"
#include "tools/datasets/cifar.h"
#include "tools/reports/eval_compare.h"
#include "tools/reports/eval_report.h"
#include "quant/qdq_export.h"
#include "tools/datasets/cifar_calibration.h"
#include "tools/reports/calibration_flags.h"
#include "tools/reports/progress.h"

namespace octet {
namespace {

// The size of the QDQ ONNX file a quantized model exports to.
uint64_t qdq_file_bytes(const Model& quantized) { return quant::export_qdq(quantized.graph()).size(); }

constexpr const char* kUsage = R"(usage: octet-eval --model M.onnx --data F [--data F2 ...] [options]

Top-1 accuracy of an ONNX CIFAR-10 classifier, run on octet's optimised runtime. The model
takes float32 raw pixels 0..255 as [N,32,32,3] (NHWC) or [N,3,32,32] (NCHW); its first output
is [N,10]. Each --data file is reported on its own, and combined when there are several.

  --model M.onnx        the model
  --data F              a CIFAR-10 file: binary records (cifar-10-batches-bin/*.bin) or a Python
                        pickle batch (cifar-10-batches-py/test_batch, data_batch_N); repeatable
  --format FMT          auto (default: from the file's content), bin or pickle
  --limit N             evaluate only the first N images of each file
  --batch B             images per model run (default 32; the last batch may be smaller)
  --threads T           worker threads, 1..64 (default 1): batches are split across threads,
                        a single image is split by rows
  --reference           run the scalar reference executor (single-threaded) instead of the
                        optimised runtime
  --json                print one JSON object on stdout and nothing else
  --save-probs OUT.f32  write the first output, float32 little-endian, 10 per image, row i =
                        image i of the --data files concatenated in order
  --quantize SCHEMES    also quantize the model and compare: a comma list of uint8, int8, u8s8,
                        or all. Calibrates once on --calib, quantizes each scheme with each
                        --granularity and --method, and prints one table, a row per variant: model
                        size (the QDQ ONNX file), the worst quantized tensor's SQNR, and per
                        --data file accuracy, change from FP32 and top-1 agreement with FP32.
                        Progress on stderr when it is a terminal
  --method M            with --quantize: a comma list of minmax (default), percentile, entropy,
                        mse, or all (docs/quantization.md, "Calibration methods")
  --percentile P        --method percentile: the percentile of |x| kept (default 99.99)
  --sqnr-images N       with --quantize: measure the worst SQNR on the first N images of the
                        first --data file, on the reference executor (default 100; 0: skip)
  --granularity G       with --quantize: per-tensor (default), per-channel (int8 and u8s8 weights
                        per output channel, symmetric) or both; uint8 is per tensor only
  --per-channel         the same as --granularity per-channel
  --calib F             calibration data: a CIFAR-10 file (default: the bundled
                        cifar10-train-subset.bin), whose first --calib-per-class images of each
                        class, in file order, are used (a --data file that is the calibration
                        file is scored on the images calibration did not use); or a .npy file
                        (float32, [N, the input's shape], as the model takes it)
  --calib-per-class N   CIFAR-10: default 100
  --calib-count N       the first N calibration samples (default: all)
)" OCTET_CLI_LIMITS_USAGE R"(  --help                this text

Exit status: 0 success, 1 error, 2 usage error.
)";

struct Options {
  bool help = false;
  std::string model;
  std::vector<std::string> data;
  CifarFormat format = CifarFormat::Auto;
  size_t limit = kNoLimit;
  int64_t batch = 32;
  bool batch_given = false;
  int64_t threads = 1;
  bool json = false;
  bool reference = false;
  std::optional<std::string> save_probs;
  std::vector<quant::Scheme> schemes;
  std::vector<bool> per_channel{false};   // weight granularities: per tensor, per channel
  CalibrationFlags calib;
  int64_t sqnr_images = 100;
  ResourceLimits limits;
};

std::vector<quant::Scheme> parse_schemes(const std::string& list) {
  if (list == "all") return {quant::Scheme::Uint8, quant::Scheme::Int8, quant::Scheme::U8S8};
  std::vector<quant::Scheme> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    const std::string name = list.substr(start, end - start);
    auto s = quant::scheme_from_name(name);
    if (!s) throw Error("--quantize: unknown scheme '" + name + "' (uint8, int8, u8s8 or all)");
    out.push_back(*s);
    start = end + 1;
  }
  return out;
}

Options parse_options(int argc, char** argv) {
  std::vector<std::string> keys = {"model", "data", "format", "limit", "batch", "threads", "save-probs", "quantize", "granularity", "sqnr-images", "max-memory", "max-cost"};
  keys.insert(keys.end(), kCalibrationKeys.begin(), kCalibrationKeys.end());
  cli::Args args(argc, argv, {"help", "json", "reference", "per-channel"}, keys);
  Options o;
  if (args.flag("help")) {
    o.help = true;
    return o;
  }
  if (!args.positional().empty()) throw Error("unexpected argument '" + args.positional()[0] + "'");
  o.model = args.get_or("model", "");
  o.data = args.all("data");
  if (o.model.empty()) throw Error("--model is required");
  if (o.data.empty()) throw Error("at least one --data file is required");
  o.format = parse_cifar_format(args.get_or("format", "auto"));
  if (args.get("limit")) o.limit = static_cast<size_t>(args.get_int("limit", 0, 1, int64_t{1} << 40));
  o.batch_given = args.get("batch").has_value();
  o.batch = args.get_int("batch", 32, 1, 65536);
  o.threads = args.get_int("threads", 1, 1, 64);
  o.json = args.flag("json");
  o.reference = args.flag("reference");
  o.save_probs = args.get("save-probs");
  if (auto q = args.get("quantize")) o.schemes = parse_schemes(*q);
  o.calib = calibration_flags(args, OCTET_DATA_DIR "/cifar10-train-subset.bin", /*several_methods=*/true);
  refuse_method_without_quantizing(args, !o.schemes.empty(), "--quantize");
  o.sqnr_images = args.get_int("sqnr-images", 100, 0, int64_t{1} << 31);
  o.per_channel = {false};
  if (args.flag("per-channel")) o.per_channel = {true};
  if (auto g = args.get("granularity")) {
    if (args.flag("per-channel")) throw Error("--per-channel and --granularity: give one of them");
    if (*g == "per-tensor") o.per_channel = {false};
    else if (*g == "per-channel") o.per_channel = {true};
    else if (*g == "both") o.per_channel = {false, true};
    else throw Error("--granularity: unknown granularity '" + *g + "' (per-tensor, per-channel or both)");
  }
  if ((args.flag("per-channel") || args.get("granularity")) && o.schemes.empty())
    throw Error("--per-channel and --granularity need --quantize");
  o.limits = cli::resource_limits(args);
  if (!o.schemes.empty() && (o.reference || o.save_probs))
    throw Error("--quantize compares on the optimised runtime; it cannot be combined with --reference or --save-probs");
  return o;
}

// --quantize: FP32 and each scheme on the same images, as one table per file.
int run_comparison(const Options& opt, const std::vector<CifarSet>& sets, const Model& model, ImageLayout layout) {
  const Graph& graph = model.graph();
  if (graph.value(graph.inputs[0]).shape.dims[0].is_known())
    throw Error(opt.model + ": --quantize needs a model with a symbolic batch dimension");
  const bool progress = !opt.json && stdout_is_terminal() && isatty(STDERR_FILENO) == 1;
  const CalibrationRun calib = calibrate_from_flags(model, opt.calib, progress);
  std::vector<CifarSet> scored;
  std::vector<std::string> labels;
  for (size_t f = 0; f < sets.size(); ++f) {
    std::error_code ec;
    std::string label = std::filesystem::path(opt.data[f]).filename().string();
    if (!calib.cifar_file.empty() && std::filesystem::equivalent(opt.data[f], calib.cifar_file, ec) &&
        opt.limit == kNoLimit) {
      scored.push_back(cifar_select(sets[f], complement_indices(sets[f], calib.cifar_indices)));
      label += " (" + std::to_string(scored.back().size()) + " images not used for calibration)";
    } else {
      scored.push_back(sets[f]);
      label += " (" + std::to_string(sets[f].size()) + " images)";
    }
    labels.push_back(label);
  }
  ComparisonInput in;
  in.model = &model;
  std::error_code ec;
  in.fp32_model_bytes = std::filesystem::file_size(opt.model, ec);
  for (const CifarSet& s : scored) in.sets.push_back(&s);
  in.layout = layout;
  in.calibration = &calib.calibration;
  in.schemes = opt.schemes;
  in.methods.clear();
  for (quant::Method m : opt.calib.method.methods) in.methods.push_back(opt.calib.method.options(m));
  std::optional<CifarSet> sqnr_images;
  if (opt.sqnr_images > 0) {
    std::vector<size_t> first(std::min(scored[0].size(), static_cast<size_t>(opt.sqnr_images)));
    std::iota(first.begin(), first.end(), size_t{0});
    sqnr_images = cifar_select(scored[0], first);
    in.sqnr_images = &*sqnr_images;
  }
  if (progress)
    in.on_variant = [](const std::string& place, const std::string& name) {
      std::fprintf(stderr, "octet-eval: variant %s: %s\n", place.c_str(), name.c_str());
    };
  in.per_channel = opt.per_channel;
  in.batch = static_cast<int>(opt.batch);
  in.threads = static_cast<int>(opt.threads);
  in.model_bytes = qdq_file_bytes;
  const std::vector<VariantResult> results = compare_schemes(in);
  std::string text = opt.json ? comparison_json(labels, results) + "\n"
                              : "calibration: " + calib.description + "\n" +
                                    "float: " + float_compute_summary(calib.calibration.base) +
                                    " (no int8 kernel: between Dequantize and Quantize steps)\n" +
                                    (sqnr_images ? "SQNR images: the first " + std::to_string(sqnr_images->size()) +
                                                       " of #1\n" : "") +
                                    comparison_text(labels, results);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return std::fflush(stdout) == 0 ? 0 : 1;
}

int run(const Options& opt) {
  static_assert(std::endian::native == std::endian::little, "--save-probs writes the native floats as little-endian");
  if (opt.threads > 1 && opt.reference)
    std::fprintf(stderr, "octet-eval: note: --threads %lld is ignored: the reference executor runs on one thread\n",
                 static_cast<long long>(opt.threads));

  // Data first: a bad file should fail before the model loads.
  std::vector<CifarSet> sets;
  std::vector<CifarFormat> formats;
  for (const std::string& path : opt.data) {
    CifarFormat detected = opt.format;
    sets.push_back(read_cifar_file(path, opt.format, opt.limit, &detected));
    formats.push_back(detected);
  }

  // QDQ models: QuantizeLinear/DequantizeLinear pairs become quantization parameters, which
  // the optimised runtime runs on its int8 kernels; --reference runs the Q/DQ operators as
  // written (the ONNX semantics, in float).
  LoadOptions load;
  load.recognise_qdq = !opt.reference;
  Model model = Model::load(opt.model, load);
  const Graph& graph = model.graph();
  if (graph.inputs.size() != 1)
    throw Error(opt.model + ": model has " + std::to_string(graph.inputs.size()) + " inputs; octet-eval feeds exactly one image input");
  if (graph.outputs.empty()) throw Error(opt.model + ": model has no outputs");
  const Value& input = graph.value(graph.inputs[0]);
  const Value& output = graph.value(graph.outputs[0]);
  if (input.dtype != DType::Float32)
    throw Error(opt.model + ": input '" + input.name + "' is " + dtype_name(input.dtype) + "; octet-eval feeds float32 pixels");
  ImageLayout layout;
  try {
    layout = layout_from_input_shape(input.shape, input.name);
  } catch (const Error& e) {
    throw Error(opt.model + ": " + e.what());
  }
  if (output.shape.has_rank &&
      (output.shape.dims.size() != 2 || (output.shape.dims[1].is_known() && output.shape.dims[1].value != kCifarClasses)))
    throw Error(opt.model + ": first output '" + output.name + "' has shape " + output.shape.to_string() + ", expected [N,10]");

  if (!opt.schemes.empty()) {
    if (model.is_quantized()) throw Error(opt.model + ": --quantize takes an FP32 model; this one is already quantized");
    return run_comparison(opt, sets, model, layout);
  }

  // A model exported with a fixed batch size takes exactly that many images per run; a short
  // last batch is padded with zero images whose outputs are ignored.
  int64_t batch = opt.batch;
  const bool fixed_batch = input.shape.dims[0].is_known();
  if (fixed_batch) {
    if (opt.batch_given && opt.batch != input.shape.dims[0].value)
      std::fprintf(stderr, "octet-eval: note: the model's batch size is fixed at %lld; --batch %lld is ignored\n",
                   static_cast<long long>(input.shape.dims[0].value), static_cast<long long>(opt.batch));
    batch = input.shape.dims[0].value;
    if (batch < 1) throw Error(opt.model + ": input '" + input.name + "' has batch size 0");
  }

  std::ofstream probs_file;
  if (opt.save_probs) {
    probs_file.open(*opt.save_probs, std::ios::binary | std::ios::trunc);
    if (!probs_file) throw Error(*opt.save_probs + ": cannot open for writing");
  }

  EvalReport report;
  report.model_path = opt.model;
  std::error_code ec;
  report.model_bytes = std::filesystem::file_size(opt.model, ec);
  report.input_name = input.name;
  report.input_layout = image_layout_name(layout);
  report.batch = batch;
  report.threads_requested = opt.threads;
  report.threads_used = opt.reference ? 1 : opt.threads;
  report.executor = opt.reference ? "reference" : model.is_quantized() ? "optimised, int8" : "optimised";

  // The reference path runs the prepared graph as is; the optimised path compiles the
  // optimised graph once into a plan and runs it in a session sized for the batch.
  std::optional<ReferenceExecutor> exec;
  const Plan* plan = nullptr;
  std::optional<Session> session;
  std::vector<float> scores_buffer;
  if (opt.reference) {
    exec.emplace(graph, opt.limits);
  } else {
    CompileOptions compile_options;
    compile_options.limits = opt.limits;
    plan = &model.compile(compile_options);
    session.emplace(*plan, SessionOptions{static_cast<int>(opt.threads), static_cast<int>(batch)}, opt.limits);
    scores_buffer.resize(static_cast<size_t>(batch) * kCifarClasses);
  }
  const bool progress = stdout_is_terminal() && isatty(STDERR_FILENO) == 1;
  for (size_t f = 0; f < sets.size(); ++f) {
    const CifarSet& set = sets[f];
    FileEval fe;
    fe.path = opt.data[f];
    fe.format = cifar_format_name(formats[f]);
    ProgressBar bar(std::filesystem::path(fe.path).filename().string(), set.size(), progress);
    for (size_t start = 0; start < set.size(); start += static_cast<size_t>(batch)) {
      const size_t count = std::min(static_cast<size_t>(batch), set.size() - start);
      Tensor in = make_cifar_input(set, start, count, layout, fixed_batch ? static_cast<size_t>(batch) : count);
      auto t0 = std::chrono::steady_clock::now();
      const float* scores = nullptr;
      std::vector<Tensor> outs;
      if (exec) {
        outs = exec->run(std::span<const Tensor>(&in, 1));
        if (outs.empty()) throw Error(opt.model + ": the executor returned no outputs");
        const Tensor& out = outs[0];
        if (out.dtype != DType::Float32 || out.dims != std::vector<int64_t>{in.dims[0], kCifarClasses})
          throw Error(opt.model + ": first output '" + output.name + "' is " + dtype_name(out.dtype) + " " +
                      dims_to_string(out.dims) + ", expected float32 " + dims_to_string(std::vector<int64_t>{in.dims[0], 10}));
        scores = out.data<float>();
      } else {
        if (plan->outputs.at(0).floats_per_image() != kCifarClasses)
          throw Error(opt.model + ": first output '" + output.name + "' does not hold 10 scores per image");
        const float* x = in.data<float>();
        float* y = scores_buffer.data();
        session->run(static_cast<int>(in.dims[0]), std::span<const float* const>(&x, 1), std::span<float* const>(&y, 1));
        scores = y;
      }
      fe.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      for (size_t i = 0; i < count; ++i)
        fe.counts.add(set.labels[start + i], argmax(scores + i * kCifarClasses, kCifarClasses));
      if (probs_file.is_open())
        probs_file.write(reinterpret_cast<const char*>(scores), static_cast<std::streamsize>(count * kCifarClasses * sizeof(float)));
      bar.update(start + count);
    }
    bar.finish();
    report.files.push_back(std::move(fe));
  }
  if (probs_file.is_open()) {
    probs_file.close();
    if (!probs_file) throw Error(*opt.save_probs + ": write failed");
  }

  std::string text = opt.json ? report_json(report) + "\n" : report_text(report);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace
}  // namespace octet

int main(int argc, char** argv) {
  return octet::cli::tool_main("octet-eval", octet::kUsage, argc, argv, octet::parse_options, octet::run);
}
