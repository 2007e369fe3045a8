// octet-bench-peak: the single-core multiply-accumulate peak of each instruction set this
// CPU has (FP32 SSE2 mul+add, AVX2 FMA, AVX-512 FMA; int8 AVX-512 VNNI and AVX2 vpmaddwd), in GMAC/s.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "bench/peak/peak.h"
#include "engine/runtime/error.h"
#include "kernels/dispatch/cpu_features.h"
#include "tools/cli/cli.h"

namespace octet::bench {
namespace {

constexpr const char* kUsage = R"(usage: octet-bench-peak [--seconds S] [--reps R] [--markdown] [--features]

Measures one core's multiply-accumulate peak per instruction set with 12 independent
accumulator chains; prints the best of R timings of S seconds each (thread CPU time).

  --seconds S   length of one timing (default 0.1)
  --reps R      timings per kind; the best counts (default 5)
  --markdown    print a Markdown table
  --features    print the CPU features octet detected (kernels/dispatch/cpu_features.h) and exit
  --help        this text
)";

int run(int argc, char** argv) {
  cli::Args args(argc, argv, {"help", "markdown", "features"}, {"seconds", "reps"});
  if (args.flag("help")) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (args.flag("features")) {
    std::printf("%s\n", kernels::cpu_features().describe().c_str());
    return 0;
  }
  const double seconds = std::stod(args.get_or("seconds", "0.1"));
  if (!(seconds > 0 && seconds < 100)) throw Error("--seconds must be in (0, 100)");
  const int reps = static_cast<int>(args.get_int("reps", 5, 1, 1000));
  const bool md = args.flag("markdown");
  if (md) {
    std::printf("| kind | instruction | MACs/instruction | GMAC/s per core |\n|---|---|---:|---:|\n");
  } else {
    std::printf("cpu: %s\n%-20s %-20s %12s\n", kernels::cpu_features().describe().c_str(), "kind", "instruction",
                "GMAC/s");
  }
  for (const PeakKind& k : peak_kinds()) {
    const bool ok = kernels::cpu_runs(k.isa);
    const int per = k.macs_per_instruction;
    const double g = ok ? measure_peak_gmacs(k, seconds, reps) : 0;
    std::string value = ok ? std::to_string(g).substr(0, std::to_string(g).find('.') + 2) : "n/a (CPU lacks it)";
    if (md)
      std::printf("| %s | `%s` | %d%s | %s |\n", k.name, k.instruction, per,
                  std::strchr(k.instruction, '+') != nullptr ? " (per pair)" : "", value.c_str());
    else
      std::printf("%-20s %-20s %12s\n", k.name, k.instruction, value.c_str());
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace
}  // namespace octet::bench

int main(int argc, char** argv) {
  try {
    return octet::bench::run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "octet-bench-peak: %s\n", e.what());
    return 1;
  }
}
