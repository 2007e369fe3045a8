// octet-inspect: prints a model as octet sees it, after import and the prepare pipeline.
#include <cstdio>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "engine/pipeline/model.h"
#include "engine/pipeline/stages.h"
#include "graph/onnx_import.h"
#include "graph/printer.h"
#include "tools/cli/cli.h"

namespace {

constexpr const char* kUsage =
    "usage: octet-inspect MODEL.onnx [--raw | --optimized | --plan]\n"
    "\n"
    "Prints the model's inputs, outputs and one line per node (op, output shapes,\n"
    "parameters, multiply-accumulates per image) with totals.\n"
    "\n"
    "  --raw    print the graph as imported, before constant folding, dead-node\n"
    "           removal and shape inference (prepare_graph)\n"
    "  --optimized  print the graph after the optimisation passes (BatchNorm, Pad and\n"
    "           activations folded into convolutions)\n"
    "  --plan   print the compiled plan: one line per step with the kernel chosen for\n"
    "           this CPU, and the activation arena and workspace sizes; compiling\n"
    "           checks the limits:\n"
    OCTET_CLI_LIMITS_USAGE
    "  --help   print this text\n"
    "\n"
    "Exit status: 0 success, 1 error, 2 usage error.\n";

}  // namespace

int main(int argc, char** argv) {
  std::optional<octet::cli::Args> parsed;
  try {
    parsed.emplace(argc, argv, std::vector<std::string>{"raw", "optimized", "plan", "help"},
                   std::vector<std::string>{"max-memory", "max-cost"});
  } catch (const std::exception& e) {
    std::fprintf(stderr, "octet-inspect: %s\n", e.what());
    return 2;
  }
  const octet::cli::Args& args = *parsed;
  if (args.flag("help")) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (args.positional().size() != 1) {
    std::fprintf(stderr, "octet-inspect: expected one model file, got %zu arguments\n\n%s",
                 args.positional().size(), kUsage);
    return 2;
  }
  try {
    const std::string& path = args.positional()[0];
    if (args.flag("raw")) {
      std::fputs(octet::print_graph(octet::import_onnx_file(path)).c_str(), stdout);
    } else if (args.flag("optimized") && !args.flag("plan")) {
      std::fputs(octet::print_graph(octet::load_optimized_graph(path)).c_str(), stdout);
    } else if (args.flag("plan")) {
      // The plan octet-eval runs: a QDQ model's pairs recognised (int8 kernels), a .octet
      // file's own plan.
      octet::Model model = octet::Model::load(path);
      octet::CompileOptions options;
      options.limits = octet::cli::resource_limits(args);
      std::fputs((model.format() == octet::ModelFormat::OctetFile ? model.plan() : model.compile(options)).describe().c_str(), stdout);
    } else {
      // As the reference executor sees it: QuantizeLinear/DequantizeLinear stay operators.
      octet::Model model = octet::Model::load(path, octet::LoadOptions{.recognise_qdq = false});
      std::fputs(octet::print_graph(model.graph()).c_str(), stdout);
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "octet-inspect: %s\n", e.what());
    return 1;
  }
}
