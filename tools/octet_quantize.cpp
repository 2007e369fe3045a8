// octet-quantize: calibrates an FP32 ONNX CIFAR-10 model (per tensor, by --method), quantizes it
// for one scheme, writes it as a QDQ ONNX file, and prints the calibrated ranges and a
// per-tensor error report (SQNR against FP32 over the calibration images); --markdown prints
// that report for several schemes as one Markdown table and can splice it into a document
// (docs/quantization.md's table is made that way).
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "engine/compile.h"
#include "engine/int8_coverage.h"
#include "engine/pipeline/model.h"
#include "engine/pipeline/stages.h"
#include "engine/prepare.h"
#include "engine/runtime/error.h"
#include "engine/runtime/read_file.h"
#include "graph/onnx_import.h"
#include "quant/qdq_export.h"
#include "quant/quantize_graph.h"
#include "tools/cli/cli.h"
#include "tools/datasets/cifar.h"
#include "tools/datasets/cifar_calibration.h"
#include "tools/reports/calibration_flags.h"
#include "tools/reports/calibration_progress.h"
#include "tools/reports/progress.h"
#include "tools/reports/quant_error.h"

namespace octet {
namespace {

constexpr const char* kUsage = R"(usage: octet-quantize --model M.onnx --scheme uint8|int8|u8s8 --out M.qdq.onnx [options]
       octet-quantize --model M.onnx --markdown [--scheme S[,S...]|all] [--update-doc FILE] [options]

Calibrates the model (per tensor, by --method) on CIFAR-10 images, quantizes it for the
scheme and writes a QDQ ONNX model (QuantizeLinear/DequantizeLinear around Conv, Gemm, Add and
pooling, as ONNX Runtime's quantizer lays them out) that octet and ONNX Runtime both run.
Prints each quantized tensor's range and parameters, and its SQNR against FP32 (over the
calibration images; a tensor whose range a Relu was merged into is compared with the Relu's
output).

  --model M.onnx        the FP32 model (input [N,32,32,3] or [N,3,32,32], raw pixels 0..255)
  --scheme S            uint8 (u8 activations and weights), int8 (s8 activations, symmetric s8
                        weights) or u8s8 (u8 activations, symmetric s8 weights); with --markdown
                        a comma-separated list or all (the default)
  --out F               where to write the QDQ model
  --per-channel         int8 and u8s8: weights per output channel (symmetric int8, one scale per
                        channel; exported as DequantizeLinear with `axis`) instead of per tensor
  --markdown            write no model: print the per-tensor SQNR as one Markdown table with a
                        column per scheme (calibrated once, each scheme quantized from it), and
                        per scheme the SQNR with only the weights quantized (activations float)
  --update-doc FILE     with --markdown: also replace the text between the lines
                        <!-- sqnr:begin --> and <!-- sqnr:end --> of FILE by the table
  --calib F             calibration images (default: the bundled cifar10-train-subset.bin)
  --calib-per-class N   the first N images of each class, in file order (default 100)
)" OCTET_METHOD_USAGE R"(  --no-report           skip the per-tensor error report (it runs the images once more)
  --help                this text

Exit status: 0 success, 1 error, 2 usage error.
)";

struct Options {
  bool help = false, report = true, markdown = false;
  bool per_channel = false;
  std::string model, out, update_doc, calib = OCTET_DATA_DIR "/cifar10-train-subset.bin";
  std::vector<quant::Scheme> schemes;   // one, unless --markdown
  int64_t per_class = 100;
  MethodFlags method;
};

std::vector<quant::Scheme> parse_schemes(const std::string& list) {
  if (list == "all") return {quant::Scheme::Uint8, quant::Scheme::Int8, quant::Scheme::U8S8};
  std::vector<quant::Scheme> out;
  std::stringstream in(list);
  for (std::string name; std::getline(in, name, ',');) {
    auto s = quant::scheme_from_name(name);
    if (!s) throw Error("--scheme: unknown scheme '" + name + "' (uint8, int8 or u8s8)");
    out.push_back(*s);
  }
  if (out.empty()) throw Error("--scheme: no scheme given");
  return out;
}

Options parse_options(int argc, char** argv) {
  std::vector<std::string> keys = {"model", "scheme", "out", "calib", "calib-per-class", "update-doc"};
  keys.insert(keys.end(), kMethodKeys.begin(), kMethodKeys.end());
  cli::Args args(argc, argv, {"help", "no-report", "markdown", "per-channel"}, keys);
  Options o;
  if ((o.help = args.flag("help"))) return o;
  if (!args.positional().empty()) throw Error("unexpected argument '" + args.positional()[0] + "'");
  o.model = args.get_or("model", "");
  o.out = args.get_or("out", "");
  o.markdown = args.flag("markdown");
  o.update_doc = args.get_or("update-doc", "");
  if (o.model.empty()) throw Error("--model is required");
  if (o.markdown) {
    if (!o.out.empty()) throw Error("--markdown writes no model; drop --out");
    if (args.flag("no-report")) throw Error("--markdown is the report; drop --no-report");
    o.schemes = parse_schemes(args.get_or("scheme", "all"));
  } else {
    if (!o.update_doc.empty()) throw Error("--update-doc needs --markdown");
    if (o.out.empty()) throw Error("--out is required");
    const std::string scheme = args.get_or("scheme", "");
    if (scheme.empty()) throw Error("--scheme is required");
    auto s = quant::scheme_from_name(scheme);
    if (!s) throw Error("--scheme: unknown scheme '" + scheme + "' (uint8, int8 or u8s8)");
    o.schemes = {*s};
  }
  o.calib = args.get_or("calib", o.calib);
  o.per_class = args.get_int("calib-per-class", 100, 1, 100000);
  o.report = !args.flag("no-report");
  o.method = method_flags(args, false);
  o.per_channel = args.flag("per-channel");
  return o;
}

// Each quantized tensor's range (weights: MinMax; activations: as `method` clipped it) and
// parameters.
std::string range_table(const Graph& q, const std::vector<quant::ValueRange>& ranges, const quant::MethodOptions& method) {
  std::string out = "calibrated ranges (" + std::string(quant::method_name(method.method)) + ") and parameters\n";
  char line[256];
  std::snprintf(line, sizeof line, "  %-40s %-7s %12s %12s %12s %6s\n", "tensor", "type", "min", "max", "scale", "zp");
  out += line;
  for (size_t i = 0; i < q.values.size(); ++i) {
    const Value& v = q.values[i];
    if (!v.quant) continue;
    float lo = 0, hi = 0;
    if (v.constant && v.constant->dtype == DType::Float32) {
      for (float x : v.constant->values<float>()) lo = std::min(lo, x), hi = std::max(hi, x);
    } else if (ranges[i].seen) {
      std::tie(lo, hi) = quant::calibrated_range(ranges[i], method, v.quant->dtype);
    }
    std::snprintf(line, sizeof line, "  %-40s %-7s %12.6g %12.6g %12.6g %6d\n", v.name.c_str(),
                  dtype_name(v.quant->dtype).c_str(), double(lo), double(hi), double(v.quant->scale), v.quant->zero_point);
    out += line;
  }
  return out;
}

// The per-tensor error of `q` against `base`. The plan is compiled from the quantized graph
// before epilogue fusion: bit-identical to the runtime's fused plan, but it also stores a
// residual block's conv output, which the fused kernel rounds in registers.
// With `weights_only`, also the error of the float model run with only the weights quantized.
std::vector<TensorError> error_report(const Graph& base, const Graph& q, const CifarSet& images, ImageLayout layout,
                                      bool progress, bool weights_only) {
  return quantization_error(base, compile_plan(q), images, layout, progress, weights_only ? &q : nullptr);
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f.write(bytes.data(), static_cast<std::streamsize>(bytes.size())) || !f.flush())
    throw Error(path + ": cannot write");
}

std::string read_text(const std::string& path) {
  const std::vector<uint8_t> bytes = read_whole_file(path, kMaxModelFileBytes);
  return std::string(bytes.begin(), bytes.end());
}

int run_markdown(const Options& opt, const Model& model, const Calibration& calibration, const CifarSet& calib,
                 ImageLayout layout, bool progress) {
  std::vector<SchemeErrors> tables;
  for (quant::Scheme scheme : opt.schemes)
    tables.push_back({std::string(quant::scheme_name(scheme)),
                      error_report(calibration.base, model.quantize(calibration, {scheme, opt.method.only(), opt.per_channel}).graph(), calib, layout,
                                   progress, true)});
  const std::string table = quantization_error_markdown(tables);
  std::fputs(table.c_str(), stdout);
  if (!opt.update_doc.empty()) {
    // Read again now: edits made to the document during the minutes of measuring are kept.
    write_file(opt.update_doc, replace_sqnr_block(read_text(opt.update_doc), table, opt.update_doc));
    std::fprintf(stderr, "octet-quantize: updated the table in %s\n", opt.update_doc.c_str());
  }
  return std::fflush(stdout) == 0 ? 0 : 1;
}

int run(const Options& opt) {
  // A document without its markers fails before minutes of calibration.
  if (!opt.update_doc.empty()) replace_sqnr_block(read_text(opt.update_doc), "", opt.update_doc);
  const CifarSet calib_file = read_cifar_file(opt.calib);
  const CifarSet calib = cifar_select(calib_file, calibration_indices(calib_file, static_cast<size_t>(opt.per_class)));
  const Model model = Model::load(opt.model, LoadOptions{.recognise_qdq = false});
  const Graph& graph = model.graph();
  if (graph.inputs.size() != 1) throw Error(opt.model + ": the model must have one image input");
  const ImageLayout layout = layout_from_input_shape(graph.value(graph.inputs[0]).shape, graph.value(graph.inputs[0]).name);
  const bool progress = stdout_is_terminal() && isatty(STDERR_FILENO) == 1;

  const Calibration calibration = calibrate_on_cifar(model, calib, layout, progress);
  if (opt.markdown) return run_markdown(opt, model, calibration, calib, layout, progress);
  const quant::Scheme scheme = opt.schemes.at(0);
  const Model quantized = model.quantize(calibration, {scheme, opt.method.only(), opt.per_channel});
  quantized.export_qdq(opt.out);
  const Graph& q = quantized.graph();
  const std::vector<quant::ValueRange>& ranges = calibration.ranges;
  const Graph& base = calibration.base;

  std::printf("model   %s, scheme %s, calibration: %s on %zu images of %s (first %lld per class)\n",
              opt.model.c_str(), quantized.scheme().c_str(), quant::method_label(opt.method.only()).c_str(),
              calib.size(), opt.calib.c_str(), static_cast<long long>(opt.per_class));
  std::printf("float   %s (no int8 kernel: between Dequantize and Quantize steps)\n", float_compute_summary(q).c_str());
  std::printf("wrote   %s (%ju bytes)\n\n%s", opt.out.c_str(), static_cast<uintmax_t>(std::filesystem::file_size(opt.out)),
              range_table(q, ranges, opt.method.only()).c_str());
  if (opt.report) {
    const std::vector<TensorError> errors = error_report(base, q, calib, layout, progress, false);
    std::printf("\n%s", quantization_error_text(errors).c_str());
  }
  return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace
}  // namespace octet

int main(int argc, char** argv) {
  return octet::cli::tool_main("octet-quantize", octet::kUsage, argc, argv, octet::parse_options, octet::run);
}
