// octet-compile: compiles an ONNX model (FP32, or QDQ) into octet's own model file (.octet),
// optionally quantizing it first, so that an application can run it with the runtime library
// alone (include/octet/octet.h). docs/model_file.md describes the file.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "engine/int8_coverage.h"
#include "engine/pipeline/model.h"
#include "engine/pipeline/stages.h"
#include "engine/prepare.h"
#include "engine/runtime/error.h"
#include "engine/runtime/model_file.h"
#include "graph/onnx_import.h"
#include "kernels/dispatch/isa.h"
#include "octet/version.h"
#include "quant/quantize_graph.h"
#include "tools/cli/cli.h"
#include "tools/reports/calibration_flags.h"

namespace octet {
namespace {

constexpr const char* kUsage = R"(usage: octet-compile M.onnx -o M.octet [options]

Compiles an ONNX model for octet's runtime: picks a kernel per layer (timing the candidates on
this machine), packs the weights for those kernels, plans the activation memory, and writes it
all as one .octet file that the runtime library loads without the ONNX importer.

  M.onnx                the model: FP32, or QDQ (as octet-quantize or ONNX Runtime write)
  -o, --out F           the .octet file to write
  --scheme S            fp32 (default: the model as it is, FP32 or QDQ), or quantize an FP32
                        model first: uint8, int8 or u8s8 (per tensor, calibrated by --method)
  --per-channel         with --scheme int8|u8s8: weights per output channel (symmetric int8,
                        one scale per channel) instead of per tensor
  --calib F             calibration data for --scheme uint8|int8|u8s8: a CIFAR-10 file
                        (default: the bundled cifar10-train-subset.bin), or .npy files
                        (float32, [N, the input's other dims]): x.npy for a one-input model,
                        NAME=x.npy per input (repeatable) otherwise
  --calib-per-class N   CIFAR-10: the first N images of each class, in file order (default 100)
  --calib-count N       the first N calibration samples (default: all)
)" OCTET_METHOD_USAGE R"(  --isa I               the widest ISA the file may use: sse2, avx2 or avx512 (default:
                        this CPU's); it caps the int8 kernels too (sse2: scalar, avx2: avx2).
                        The file runs only on CPUs that have the ISAs of its kernels; sse2
                        runs on any x86-64.
  --int8-isa I          the widest int8 kernels: scalar, avx2 or vnni (default: this CPU's,
                        within --isa)
  --no-autotune         pick kernels by a fixed rule instead of timing them
)" OCTET_CLI_LIMITS_USAGE R"(  --help                this text

Exit status: 0 success, 1 error, 2 usage error.
)";

struct Options {
  bool help = false, autotune = true;
  bool per_channel = false;
  std::string model, out, scheme = "fp32";
  CalibrationFlags calib;
  std::optional<kernels::KernelIsa> isa, int8_isa;
  ResourceLimits limits;
};

// An --isa / --int8-isa value: one of `allowed`'s names (kernels/dispatch/isa.h), or absent.
std::optional<kernels::KernelIsa> isa_option(const cli::Args& args, const std::string& flag,
                                             std::initializer_list<kernels::KernelIsa> allowed) {
  const std::string value = args.get_or(flag, "");
  if (value.empty()) return std::nullopt;
  std::string names;
  for (kernels::KernelIsa i : allowed) {
    if (value == kernels::isa_name(i)) return i;
    names += std::string(names.empty() ? "" : ", ") + kernels::isa_name(i);
  }
  throw Error("--" + flag + ": '" + value + "' is not one of " + names);
}

Options parse_options(int argc, char** argv) {
  std::vector<std::string> args_s;
  for (int i = 0; i < argc; ++i) args_s.push_back(std::string(argv[i]) == "-o" ? "--out" : argv[i]);
  std::vector<char*> av;
  for (std::string& s : args_s) av.push_back(s.data());
  std::vector<std::string> keys = {"out", "scheme", "isa", "int8-isa", "max-memory", "max-cost"};
  keys.insert(keys.end(), kCalibrationKeys.begin(), kCalibrationKeys.end());
  cli::Args args(static_cast<int>(av.size()), av.data(), {"help", "no-autotune", "per-channel"}, keys);
  Options o;
  if ((o.help = args.flag("help"))) return o;
  if (args.positional().size() != 1) throw Error("expected one model file");
  o.model = args.positional()[0];
  o.out = args.get_or("out", "");
  if (o.out.empty()) throw Error("-o is required");
  o.scheme = args.get_or("scheme", "fp32");
  if (o.scheme != "fp32" && !quant::scheme_from_name(o.scheme))
    throw Error("--scheme: unknown scheme '" + o.scheme + "' (fp32, uint8, int8 or u8s8)");
  o.calib = calibration_flags(args, OCTET_DATA_DIR "/cifar10-train-subset.bin");
  refuse_method_without_quantizing(args, o.scheme != "fp32", "--scheme uint8|int8|u8s8");
  o.per_channel = args.flag("per-channel");
  if (o.per_channel && o.scheme == "fp32") throw Error("--per-channel needs --scheme int8 or u8s8");
  using kernels::KernelIsa;
  o.isa = isa_option(args, "isa", {KernelIsa::Sse2, KernelIsa::Avx2, KernelIsa::Avx512});
  o.int8_isa = isa_option(args, "int8-isa", {KernelIsa::Scalar, KernelIsa::Avx2, KernelIsa::Vnni});
  o.autotune = !args.flag("no-autotune");
  o.limits = cli::resource_limits(args);
  return o;
}

// -o must name a regular file (or a new one): the written file is loaded back and removed if
// it does not load, and a device such as /dev/null is never removed (root could unlink it).
void check_output_path(const std::string& out) {
  std::error_code ec;
  const std::filesystem::file_status st = std::filesystem::status(out, ec);
  if (std::filesystem::exists(st) && !std::filesystem::is_regular_file(st))
    throw Error(out + ": is not a regular file (a directory, device, FIFO or socket); -o names the .octet file to write");
}

int run(const Options& opt) {
  check_output_path(opt.out);
  CompileOptions copts;
  copts.autotune = opt.autotune;
  copts.f32_isa = opt.isa;
  copts.limits = opt.limits;
  // --isa names the oldest CPU the file must run on: below avx512 it has no AVX-512 (nor VNNI)
  // for the int8 kernels either.
  copts.int8_isa = opt.int8_isa;
  if (opt.isa && *opt.isa < kernels::KernelIsa::Avx512)
    copts.int8_isa = std::min(*opt.isa, opt.int8_isa.value_or(kernels::kWidestIsa));
  Model model = Model::load(opt.model);
  if (opt.scheme != "fp32") {
    if (model.is_quantized()) throw Error(opt.model + " is already quantized (QDQ); use --scheme fp32 to compile it as it is");
    const bool progress = isatty(STDERR_FILENO) == 1;
    const CalibrationRun calibration = calibrate_from_flags(model, opt.calib, progress);
    model = model.quantize(calibration.calibration, {*quant::scheme_from_name(opt.scheme), opt.calib.method.only(), opt.per_channel});
    std::printf("calib   %s\nfloat   %s (no int8 kernel: between Dequantize and Quantize steps)\n",
                calibration.description.c_str(), float_compute_summary(model.graph()).c_str());
  }
  const Plan& plan = model.compile(copts);
  model.save(opt.out, "octet-compile " OCTET_VERSION);
  // Never leave a file that octet's own loader refuses: load what was written before
  // reporting success.
  try {
    (void)Model::load(opt.out);
  } catch (const Error& e) {
    if (std::filesystem::is_regular_file(opt.out)) std::remove(opt.out.c_str());
    throw Error(opt.out + ": the written file does not load, removed it: " + e.what());
  }
  std::printf("model   %s, scheme %s\nwrote   %s (%ju bytes: %zu bytes of packed weights)\n%s", opt.model.c_str(),
              model.scheme().c_str(), opt.out.c_str(), static_cast<uintmax_t>(std::filesystem::file_size(opt.out)),
              plan.weights.size(), plan.describe().c_str());
  return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace
}  // namespace octet

int main(int argc, char** argv) {
  return octet::cli::tool_main("octet-compile", octet::kUsage, argc, argv, octet::parse_options, octet::run);
}
