#include "bench/kernels/bench_common.h"

#include <ctime>

namespace octet::bench {

double thread_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

void set_rate_counters(benchmark::State& state, double work_per_iteration, double seconds,
                       const kernels::KernelVariant* v) {
  const double work = work_per_iteration * static_cast<double>(state.iterations());
  state.SetItemsProcessed(static_cast<int64_t>(work));
  if (v == nullptr || seconds <= 0) return;
  const double peak = fp32_peak_gmacs(v->isa) * 1e9;
  if (peak > 0) state.counters["peak%"] = 100.0 * work / seconds / peak;
}

}  // namespace octet::bench
