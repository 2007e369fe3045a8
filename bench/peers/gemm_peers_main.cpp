// octet-bench-gemm-peers: octet's GEMM kernels against OpenBLAS (cblas_sgemm) and oneDNN
// (dnnl_sgemm, dnnl_gemm_u8s8s32) on the same shapes and data, single thread (see
// gemm_peers.h for what each side computes). Built only when a peer library is installed.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench/kernels/run_benchmarks.h"
#include "bench/peers/gemm_peers.h"

namespace octet::bench {
namespace {

const char kUsage[] =
    "usage: octet-bench-gemm-peers [--check] [--markdown FILE] [Google Benchmark flags]\n"
    "\n"
    "Times octet's FP32 GEMM and int8 GEMM (the int8 convolution as a 1x1 convolution) against the\n"
    "peer libraries this binary was built with (OpenBLAS cblas_sgemm; oneDNN dnnl_sgemm and\n"
    "dnnl_gemm_u8s8s32), single thread, on ResNet8's classifier (64 -> 10, M = 1 and 64) and\n"
    "square sizes 64..1024. Every library's result is checked against an exact reference first;\n"
    "a mismatch stops the run before any timing. It runs itself again with OPENBLAS_NUM_THREADS=1\n"
    "and OMP_NUM_THREADS=1 when they are not so set (the peers size their thread pools at load).\n"
    "\n"
    "  --check          only the checks: one line per library and shape; exit 1 on a mismatch\n"
    "  --markdown FILE  also write the table \"octet vs OpenBLAS vs oneDNN\" (medians with\n"
    "                   --benchmark_repetitions) for docs/performance.md\n"
    "  e.g. --benchmark_filter=u8s8 --benchmark_repetitions=5 --benchmark_min_time=0.1\n";

// The peers size their thread pools when their libraries load, before main: Debian's OpenBLAS
// (pthread build) starts a worker per extra CPU that spins in sched_yield for a while after
// start even when openblas_set_num_threads(1) keeps every GEMM on the caller (measured on a
// busy 2-vCPU machine: process CPU time 1.7-1.9x the caller's over the first checks), and
// libgomp reads OMP_NUM_THREADS when it loads. So the process runs itself again with both set
// to 1 when they are not: then no peer starts a thread at all. The in-process settings
// (PeerLibrary::init) stay, and check_all measures the result.
void run_single_threaded(char** argv) {
  const char* names[] = {"OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"};
  bool set = true;
  for (const char* n : names) {
    const char* v = std::getenv(n);
    set &= v != nullptr && std::strcmp(v, "1") == 0;
  }
  if (set) return;
  for (const char* n : names) setenv(n, "1", 1);
  char self[4096];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);   // keeps the process name
  if (n > 0) {
    self[n] = '\0';
    execv(self, argv);
  }
  std::fprintf(stderr, "octet-bench-gemm-peers: cannot re-run itself with OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 "
                       "(%s); set them yourself\n", std::strerror(errno));
}

}  // namespace
}  // namespace octet::bench

int main(int argc, char** argv) {
  using namespace octet::bench;
  run_single_threaded(argv);
  std::string markdown;
  bool check_only = false, list_only = false;
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (std::strcmp(argv[i], "--check") == 0) {
      check_only = true;
    } else if (std::strcmp(argv[i], "--markdown") == 0 && i + 1 < argc) {
      markdown = argv[++i];
    } else if (std::strncmp(argv[i], "--markdown=", 11) == 0) {
      markdown = argv[i] + 11;
    } else {
      list_only |= std::strncmp(argv[i], "--benchmark_list_tests", 22) == 0;
      args.push_back(argv[i]);
    }
  }
  if (check_only) return check_all(stdout) ? 0 : 1;
  if (!list_only && !check_all(stderr)) {
    std::fprintf(stderr, "octet-bench-gemm-peers: a library's result differs from the reference (FAILED lines "
                         "above); not timing\n");
    return 1;
  }
  register_gemm_peers();
  std::vector<BenchResult> results;
  if (!run_benchmarks(args, &results)) return 1;
  if (!markdown.empty() && !write_peers_markdown(markdown, results)) {
    std::fprintf(stderr, "octet-bench-gemm-peers: cannot write %s\n", markdown.c_str());
    return 1;
  }
  return 0;
}
