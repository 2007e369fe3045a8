#include "engine/conv_select.h"

#include <algorithm>
#include <chrono>
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

// Median-free minimum of a few runs: the least disturbed measurement on a shared machine.
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
    auto t0 = std::chrono::steady_clock::now();
    k.run(p, packed.as<float>(), in.as<float>(), nullptr, out.as<float>(), ws.as<float>(), 0, p.out_h);
    auto t1 = std::chrono::steady_clock::now();
    if (rep > 0) best = std::min(best, std::chrono::duration<double>(t1 - t0).count());
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
