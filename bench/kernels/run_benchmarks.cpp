#include "bench/kernels/run_benchmarks.h"

#include <benchmark/benchmark.h>
#include <unistd.h>

namespace octet::bench {
namespace {

// The console reporter, also keeping every run.
class KeepingReporter : public benchmark::ConsoleReporter {
 public:
  KeepingReporter(OutputOptions o, std::vector<BenchResult>* kept) : ConsoleReporter(o), kept_(kept) {}
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) kept_->push_back(to_result(r));
  }

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
  std::vector<BenchResult>* kept_;
};

}  // namespace

bool run_benchmarks(std::vector<char*> args, std::vector<BenchResult>* results) {
  int n = static_cast<int>(args.size());
  args.push_back(nullptr);
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) return false;
  KeepingReporter reporter(isatty(STDOUT_FILENO) ? benchmark::ConsoleReporter::OO_ColorTabular
                                                 : benchmark::ConsoleReporter::OO_Tabular,
                           results);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return true;
}

}  // namespace octet::bench
