// octet-bench-kernels: Google Benchmark microbenchmarks of every kernel variant in
// kernels/registry.cpp (and the scalar references) at ResNet8's shapes. A variant whose
// ISA this CPU lacks is still registered, and skipped with "CPU lacks <isa>", so that
// --benchmark_list_tests names every variant on every machine
// (tests/test_kernel_benchmarks.cpp relies on it).
//
// Besides the Google Benchmark flags: --markdown FILE also writes the results as Markdown
// tables (tools/octet-bench puts them in docs/performance.md).
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "bench/kernels/bench_common.h"
#include "bench/kernels/markdown.h"
#include "bench/kernels/run_benchmarks.h"

namespace octet::bench {
namespace {

void register_all() {
  for (const kernels::KernelVariant& v : kernels::kernel_variants()) {
    switch (v.family) {
      case kernels::KernelFamily::ConvF32: register_f32_conv(v); break;
      case kernels::KernelFamily::DwConvF32: register_f32_dwconv(v); break;
      case kernels::KernelFamily::GemmF32: register_f32_gemm(v); break;
      case kernels::KernelFamily::VectorF32: register_f32_vector(v); break;
      case kernels::KernelFamily::ConvQU8: register_qu8_conv(v); break;
      case kernels::KernelFamily::DwConvQU8: register_qu8_dwconv(v); break;
      case kernels::KernelFamily::GemmQU8: register_qu8_gemm(v); break;
      case kernels::KernelFamily::MaxPoolQU8: register_qu8_maxpool(v); break;
      case kernels::KernelFamily::VectorQU8: register_qu8_vector(v); break;
    }
  }
  register_reference();
  register_copies();
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
  register_all();
  std::vector<BenchResult> results;
  if (!run_benchmarks(args, &results)) return 1;
  if (!markdown.empty() && !write_markdown(markdown, results)) {
    std::fprintf(stderr, "octet-bench-kernels: cannot write %s\n", markdown.c_str());
    return 1;
  }
  return 0;
}
