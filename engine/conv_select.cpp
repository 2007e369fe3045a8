#include "engine/conv_select.h"

#include <algorithm>
#include <ctime>
#include <vector>

#include "engine/runtime/plan.h"
#include "kernels/registry.h"

namespace octet {

namespace {

struct Candidate {
  const kernels::ConvF32Kernel* kernel;
  std::string family;   // the kind in the name "f32_conv_nhwc_<kind>_<isa>": direct, 1x1, winograd
};

// The ISA's conv variants in table order (kernels/kernels.inc: specialised ones first).
std::vector<Candidate> candidates(kernels::KernelIsa isa) {
  const std::string prefix = "f32_conv_nhwc_", suffix = std::string("_") + kernels::isa_name(isa);
  std::vector<Candidate> out;
  for (const kernels::KernelVariant* v : kernels::variants_for(kernels::KernelFamily::ConvF32, isa)) {
    const std::string name = v->name;
    out.push_back({v->conv, name.substr(prefix.size(), name.size() - prefix.size() - suffix.size())});
  }
  return out;
}

// CPU time of the calling thread: a run that the scheduler preempts (a loaded machine, the
// situation autotuning at compile time is often in) is not charged for the time it waited.
double thread_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// Median-free minimum of a few runs (the first one warms the caches and is not counted): the
// least disturbed measurement on a shared machine.
double time_kernel(const kernels::ConvF32Kernel& k, const kernels::ConvNhwcParams& p, const float* w, const float* b) {
  const size_t in_floats = static_cast<size_t>(p.in_h) * p.in_w * p.in_c;
  AlignedBytes packed(k.packed_floats(p) * sizeof(float));
  k.pack(p, w, b, packed.as<float>());
  AlignedBytes in(in_floats * sizeof(float));
  AlignedBytes out(static_cast<size_t>(p.out_h) * p.out_w * p.out_c * sizeof(float));
  AlignedBytes ws(std::max<size_t>(1, k.workspace_floats(p)) * sizeof(float));
  for (size_t i = 0; i < in_floats; ++i) in.as<float>()[i] = static_cast<float>(i % 7) * 0.25f;
  double best = 1e30;
  for (int rep = 0; rep < 5; ++rep) {
    const double t0 = thread_seconds();
    k.run(p, packed.as<float>(), in.as<float>(), nullptr, out.as<float>(), ws.as<float>(), 0, p.out_h);
    const double t1 = thread_seconds();
    if (rep > 0) best = std::min(best, t1 - t0);
  }
  return best;
}

}  // namespace

const kernels::ConvF32Kernel* select_conv_kernel(const kernels::ConvNhwcParams& p, kernels::KernelIsa isa,
                                                 const float* weight_oihw, const float* bias, bool autotune,
                                                 const std::string& family) {
  std::vector<Candidate> usable;
  for (const Candidate& c : candidates(isa))
    if (c.kernel->supports(p) && (family.empty() || family == c.family)) usable.push_back(c);
  if (usable.empty() && !family.empty()) return select_conv_kernel(p, isa, weight_oihw, bias, autotune, "");
  if (usable.empty()) return nullptr;
  if (!autotune || usable.size() == 1) {
    for (const Candidate& c : usable) {
      if (c.family == "winograd" && p.in_c < 8) continue;
      return c.kernel;
    }
    return usable.back().kernel;
  }
  const kernels::ConvF32Kernel* best = nullptr;
  double best_time = 1e30;
  for (const Candidate& c : usable) {
    double t = time_kernel(*c.kernel, p, weight_oihw, bias);
    if (t < best_time) {
      best_time = t;
      best = c.kernel;
    }
  }
  return best;
}

}  // namespace octet
