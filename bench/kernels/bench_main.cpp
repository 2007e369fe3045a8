// octet-bench-kernels: Google Benchmark microbenchmarks of every kernel variant in
// kernels/registry.cpp (and the scalar references) at ResNet8's shapes. A variant whose
// ISA this CPU lacks is still registered, and skipped with "CPU lacks <isa>", so that
// --benchmark_list_tests names every variant on every machine
// (tests/test_kernel_benchmarks.cpp relies on it).
//
// Besides the Google Benchmark flags: --markdown FILE also writes the results as Markdown
// tables (tools/octet-bench puts them in docs/performance.md).
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "bench/kernels/bench_common.h"
#include "bench/kernels/markdown.h"

namespace octet::bench {
namespace {

// The console reporter, also keeping every run for the Markdown tables.
class KeepingReporter : public benchmark::ConsoleReporter {
 public:
  explicit KeepingReporter(OutputOptions o) : ConsoleReporter(o) {}
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) kept.push_back(to_result(r));
  }
  std::vector<BenchResult> kept;

 private:
  static BenchResult to_result(const Run& r) {
    BenchResult b;
    b.name = r.benchmark_name();
    b.aggregate = r.run_type == Run::RT_Aggregate ? r.aggregate_name : "";
    b.error = r.error_occurred ? r.error_message : "";
    b.seconds_per_iteration = r.GetAdjustedCPUTime() / benchmark::GetTimeUnitMultiplier(r.time_unit);
    if (auto it = r.counters.find("items_per_second"); it != r.counters.end()) b.items_per_second = it->second;
    if (auto it = r.counters.find("peak%"); it != r.counters.end()) b.peak_percent = it->second;
    return b;
  }
};

void register_all() {
  for (const kernels::KernelVariant& v : kernels::kernel_variants()) {
    switch (v.family) {
      case kernels::KernelFamily::ConvF32: register_f32_conv(v); break;
      case kernels::KernelFamily::GemmF32: register_f32_gemm(v); break;
      case kernels::KernelFamily::VectorF32: register_f32_vector(v); break;
      case kernels::KernelFamily::ConvQU8: register_qu8_conv(v); break;
      case kernels::KernelFamily::VectorQU8: register_qu8_vector(v); break;
    }
  }
  register_reference();
}

}  // namespace
}  // namespace octet::bench

int main(int argc, char** argv) {
  using namespace octet::bench;
  // Take --markdown FILE / --markdown=FILE out before Google Benchmark sees the flags.
  std::string markdown;
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--markdown") == 0 && i + 1 < argc) {
      markdown = argv[++i];
    } else if (std::strncmp(argv[i], "--markdown=", 11) == 0) {
      markdown = argv[i] + 11;
    } else {
      args.push_back(argv[i]);
    }
  }
  int n = static_cast<int>(args.size());
  args.push_back(nullptr);
  register_all();
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 1;
  KeepingReporter reporter(isatty(STDOUT_FILENO) ? benchmark::ConsoleReporter::OO_ColorTabular
                                                 : benchmark::ConsoleReporter::OO_Tabular);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  if (!markdown.empty() && !write_markdown(markdown, reporter.kept)) {
    std::fprintf(stderr, "octet-bench-kernels: cannot write %s\n", markdown.c_str());
    return 1;
  }
  return 0;
}
