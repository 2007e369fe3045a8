#include "bench/peak/peak.h"

#include <cstring>
#include <ctime>

namespace octet::bench {

namespace {

const PeakKind kKinds[] = {
    {"fp32_mul_add_sse2", "mulps + addps xmm", kernels::KernelIsa::Sse2, peak_loop_mul_add_sse2, 4},
    {"fp32_fma_avx2", "vfmadd231ps ymm", kernels::KernelIsa::Avx2, peak_loop_fma_avx2, 8},
    {"fp32_fma_avx512", "vfmadd231ps zmm", kernels::KernelIsa::Avx512, peak_loop_fma_avx512, 16},
    {"int8_vnni", "vpdpbusd zmm", kernels::KernelIsa::Vnni, peak_loop_vnni, 64},
    {"int8_maddwd_avx2", "vpmaddwd + vpaddd ymm", kernels::KernelIsa::Avx2, peak_loop_maddwd_avx2, 16},
};

bool is_int8(const PeakKind& k) { return std::strncmp(k.name, "int8_", 5) == 0; }

// Peaks of the kinds of one number type, by ISA, measured once (3 x 20 ms each).
struct PeakTable {
  double v[5] = {0, 0, 0, 0, 0};
  explicit PeakTable(bool int8) {
    for (const PeakKind& k : kKinds)
      if (is_int8(k) == int8 && kernels::cpu_runs(k.isa))
        v[static_cast<int>(k.isa)] = measure_peak_gmacs(k, 0.02, 3);
  }
};

double thread_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

}  // namespace

std::span<const PeakKind> peak_kinds() { return kKinds; }

double measure_peak_gmacs(const PeakKind& kind, double seconds, int reps) {
  // Calibrate: grow the loop count until one run takes a measurable 2 ms.
  int64_t loops = 1024;
  double t = 0;
  for (;;) {
    const double t0 = thread_seconds();
    kind.loop(loops);
    t = thread_seconds() - t0;
    if (t > 2e-3 || loops > (int64_t{1} << 40)) break;
    loops *= 4;
  }
  loops = static_cast<int64_t>(static_cast<double>(loops) * seconds / (t > 0 ? t : 1e-3)) + 1;
  double best = 0;
  for (int r = 0; r < reps; ++r) {
    const double t0 = thread_seconds();
    const uint64_t macs = kind.loop(loops);
    const double dt = thread_seconds() - t0;
    if (dt > 0 && static_cast<double>(macs) / dt * 1e-9 > best) best = static_cast<double>(macs) / dt * 1e-9;
  }
  return best;
}

double fp32_peak_gmacs(kernels::KernelIsa isa) {
  static const PeakTable peaks(false);
  return peaks.v[static_cast<int>(isa)];
}

double int8_peak_gmacs(kernels::KernelIsa isa) {
  static const PeakTable peaks(true);
  return peaks.v[static_cast<int>(isa)];
}

}  // namespace octet::bench
