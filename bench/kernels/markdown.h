// Markdown tables of kernel benchmark results, for docs/performance.md.
#pragma once
#include <string>
#include <vector>

namespace octet::bench {

struct BenchResult {
  std::string name;        // "f32_conv_nhwc_direct_avx512/32x32x16->16_k3s1/batch:1"
  std::string aggregate;   // "" for a plain run, else "mean", "median", ...
  std::string error;       // non-empty when skipped
  double seconds_per_iteration = 0;
  double items_per_second = 0;
  double peak_percent = -1;   // < 0: not a MAC kernel
};

// One result per benchmark, in first-seen order: the median aggregate when there are
// repetitions (--benchmark_repetitions), else the last single run.
std::vector<BenchResult> median_results(const std::vector<BenchResult>& results);

// One table per family, a row per kernel and shape with the ISAs side by side, then the
// scalar references. Returns false if the file cannot be written.
bool write_markdown(const std::string& path, const std::vector<BenchResult>& results);

}  // namespace octet::bench
