// octet-compile: compiles an ONNX model (FP32, or QDQ) into octet's own model file (.octet),
// optionally quantizing it first, so that an application can run it with the runtime library
// alone (include/octet/octet.h). docs/model_file.md describes the file.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "engine/runtime/model_file.h"
#include "engine/prepare.h"
#include "engine/runtime/error.h"
#include "graph/onnx_import.h"
#include "quant/quantize_graph.h"
#include "tools/common/cifar.h"
#include "tools/common/cli.h"
#include "tools/common/model_loader.h"
#include "tools/common/quantize_model.h"

namespace octet {
namespace {

constexpr const char* kUsage = R"(usage: octet-compile M.onnx -o M.octet [options]

Compiles an ONNX model for octet's runtime: picks a kernel per layer (timing the candidates on
this machine), packs the weights for those kernels, plans the activation memory, and writes it
all as one .octet file that the runtime library loads without the ONNX importer.

  M.onnx                the model: FP32, or QDQ (as octet-quantize or ONNX Runtime write)
  -o, --out F           the .octet file to write
  --scheme S            fp32 (default: the model as it is, FP32 or QDQ), or quantize an FP32
                        model first: uint8, int8 or u8s8 (MinMax calibration, per tensor)
  --calib F             calibration images for --scheme uint8|int8|u8s8 (CIFAR-10 binary;
                        default: the bundled cifar10-train-subset.bin)
  --calib-per-class N   the first N images of each class, in file order (default 100)
  --isa I               the widest FP32 ISA the file may use: sse2, avx2 or avx512 (default:
                        this CPU's). The file runs only on CPUs that have the ISAs of its
                        kernels; sse2 with --int8-isa scalar runs on any x86-64.
  --int8-isa I          the widest int8 kernels: scalar, avx2 or vnni (default: this CPU's)
  --no-autotune         pick kernels by a fixed rule instead of timing them
  --help                this text

Exit status: 0 success, 1 error, 2 usage error.
)";

struct Options {
  bool help = false, autotune = true;
  std::string model, out, scheme = "fp32", calib = OCTET_DATA_DIR "/cifar10-train-subset.bin", isa, int8_isa;
  int64_t per_class = 100;
};

Options parse_options(int argc, char** argv) {
  std::vector<std::string> args_s;
  for (int i = 0; i < argc; ++i) args_s.push_back(std::string(argv[i]) == "-o" ? "--out" : argv[i]);
  std::vector<char*> av;
  for (std::string& s : args_s) av.push_back(s.data());
  cli::Args args(static_cast<int>(av.size()), av.data(), {"help", "no-autotune"},
                 {"out", "scheme", "calib", "calib-per-class", "isa", "int8-isa"});
  Options o;
  if ((o.help = args.flag("help"))) return o;
  if (args.positional().size() != 1) throw Error("expected one model file");
  o.model = args.positional()[0];
  o.out = args.get_or("out", "");
  if (o.out.empty()) throw Error("-o is required");
  o.scheme = args.get_or("scheme", "fp32");
  if (o.scheme != "fp32" && !quant::scheme_from_name(o.scheme))
    throw Error("--scheme: unknown scheme '" + o.scheme + "' (fp32, uint8, int8 or u8s8)");
  o.calib = args.get_or("calib", o.calib);
  o.per_class = args.get_int("calib-per-class", 100, 1, 100000);
  o.isa = args.get_or("isa", "");
  if (!o.isa.empty() && o.isa != "sse2" && o.isa != "avx2" && o.isa != "avx512")
    throw Error("--isa: '" + o.isa + "' is not sse2, avx2 or avx512");
  o.int8_isa = args.get_or("int8-isa", "");
  if (!o.int8_isa.empty() && o.int8_isa != "scalar" && o.int8_isa != "avx2" && o.int8_isa != "vnni")
    throw Error("--int8-isa: '" + o.int8_isa + "' is not scalar, avx2 or vnni");
  o.autotune = !args.flag("no-autotune");
  return o;
}

int run(const Options& opt) {
  // The kernel dispatcher reads OCTET_ISA once, on first use: set it before anything runs.
  if (!opt.isa.empty()) setenv("OCTET_ISA", opt.isa.c_str(), 1);
  CompileOptions copts;
  copts.autotune = opt.autotune;
  copts.int8_isa = opt.int8_isa;
  Graph graph = load_runtime_graph(opt.model);
  std::string scheme = quant::is_quantized(graph) ? "qdq" : "fp32";
  Plan plan;
  if (opt.scheme == "fp32") {
    plan = compile_for_runtime(graph, copts);
  } else {
    if (quant::is_quantized(graph)) throw Error(opt.model + " is already quantized (QDQ); use --scheme fp32 to compile it as it is");
    if (graph.inputs.size() != 1) throw Error(opt.model + ": quantizing needs a model with one image input");
    const Value& in = graph.value(graph.inputs[0]);
    const ImageLayout layout = layout_from_input_shape(in.shape, in.name);
    const CifarSet calib_file = read_cifar_file(opt.calib);
    const CifarSet calib =
        cifar_select(calib_file, calibration_indices(calib_file, static_cast<size_t>(opt.per_class)));
    const Graph base = quantization_base(graph);
    const bool progress = isatty(STDERR_FILENO) == 1;
    const auto ranges = calibrate_model(base, calib, layout, progress);
    plan = compile_for_runtime(quantize_model(base, ranges, *quant::scheme_from_name(opt.scheme)), copts);
    scheme = opt.scheme;
  }
  const ModelFileMeta meta{"octet-compile 0.1", opt.model, scheme};
  const std::vector<uint8_t> bytes = model_file_bytes(plan, meta);
  std::FILE* f = std::fopen(opt.out.c_str(), "wb");
  const bool ok = f && std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  if (!f || (std::fclose(f) != 0) || !ok) throw Error(opt.out + ": cannot write");
  std::printf("model   %s, scheme %s\nwrote   %s (%zu bytes: %zu bytes of packed weights)\n%s", opt.model.c_str(),
              scheme.c_str(), opt.out.c_str(), bytes.size(), plan.weights.size(),
              plan.describe().c_str());
  return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace
}  // namespace octet

int main(int argc, char** argv) {
  return octet::cli::tool_main("octet-compile", octet::kUsage, argc, argv, octet::parse_options, octet::run);
}
