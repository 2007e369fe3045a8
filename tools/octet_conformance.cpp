// octet-conformance: runs ONNX's node tests for every operator octet implements and prints
// pass / FAIL / skipped per test, a per-op summary and totals. Exit status 1 on any FAIL.
#include <cstdio>
#include <exception>
#include <iostream>

#include "tools/cli/cli.h"
#include "tools/conformance/conformance.h"

namespace {

constexpr const char* kUsage =
    "usage: octet-conformance [--dir D] [--filter SUBSTR] [--markdown] [--help]\n"
    "\n"
    "Runs the ONNX node tests (D/test_*/model.onnx with test_data_set_*/input_*.pb and\n"
    "output_*.pb) whose operators octet implements, on the reference executor.\n"
    "\n"
    "  --dir D          test directory (default /usr/share/libonnx-testdata/data/node,\n"
    "                   from Debian's libonnx-testdata package)\n"
    "  --filter SUBSTR  only tests whose directory name contains SUBSTR\n"
    "  --markdown       print Markdown tables\n"
    "  --help           this text\n"
    "\n"
    "Float outputs must match within |a-b| <= 1e-6 + 1e-4*|b|; integers and bools exactly.\n"
    "Tests of features octet declares unsupported (tools/conformance/conformance_skips.cpp) are\n"
    "reported as skipped with the reason. Exit status: 0 when nothing fails, 1 on any FAIL,\n"
    "2 on a usage error or missing test data.\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace octet::conformance;
  try {
    octet::cli::Args args(argc, argv, {"markdown", "help"}, {"dir", "filter"});
    if (args.flag("help")) {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (!args.positional().empty()) {
      std::cerr << "octet-conformance: unexpected argument '" << args.positional()[0] << "' (see --help)\n";
      return 2;
    }
    Options opts;
    opts.dir = args.get_or("dir", kDefaultTestDir);
    opts.filter = args.get_or("filter", "");
    const bool md = args.flag("markdown");

    const Report report = run_suite(opts);
    std::cout << format_results(report, md) << "\n" << format_summary(report, md);
    return total_counts(report).fail > 0 ? 1 : 0;
  } catch (const std::exception& e) {
    std::cerr << "octet-conformance: " << e.what() << "\n";
    return 2;
  }
}
