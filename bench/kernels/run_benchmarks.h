// Running the registered Google Benchmarks and keeping their results (octet-bench-kernels,
// octet-bench-gemm-peers): the console output as usual, plus every run as a BenchResult for
// the Markdown tables.
#pragma once
#include <vector>

#include "bench/kernels/markdown.h"

namespace octet::bench {

// Runs the benchmarks registered so far with the Google Benchmark flags in args (argv-style,
// args[0] the program name, no trailing nullptr) and appends every run to *results. Returns
// false when Google Benchmark does not recognise a flag (it has said which).
bool run_benchmarks(std::vector<char*> args, std::vector<BenchResult>* results);

}  // namespace octet::bench
