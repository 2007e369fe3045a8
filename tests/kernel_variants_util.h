// The kernel tests' variant lists, taken from the kernel table (kernels/kernels.inc) through
// the registry, so a new variant is tested by every test of its family without editing them.
// Variants this CPU does not run stay in the lists and are skipped visibly.
#pragma once
#include <gtest/gtest.h>

#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

#include "kernels/registry.h"

namespace octet::kernel_test {

// A gtest parameter: one variant, printed by its name.
struct VariantParam {
  const kernels::KernelVariant* v;
};
inline void PrintTo(const VariantParam& p, std::ostream* os) { *os << p.v->name; }

inline std::vector<VariantParam> variant_params(kernels::KernelFamily family) {
  std::vector<VariantParam> out;
  for (const kernels::KernelVariant* v : kernels::variants_of(family)) out.push_back({v});
  return out;
}

// Test-name suffixes: the variant's ISA ("avx2"), or its whole name.
inline std::string isa_param_name(const ::testing::TestParamInfo<VariantParam>& info) {
  return kernels::isa_name(info.param.v->isa);
}
inline std::string name_param_name(const ::testing::TestParamInfo<VariantParam>& info) { return info.param.v->name; }

// The variants of `family` this CPU runs, in table order (`accepts` narrows them further);
// prints the ones it skips.
template <typename Accepts>
std::vector<const kernels::KernelVariant*> runnable(kernels::KernelFamily family, Accepts accepts) {
  std::vector<const kernels::KernelVariant*> out;
  for (const kernels::KernelVariant* v : kernels::variants_of(family)) {
    if (!accepts(*v)) continue;
    if (v->supported())
      out.push_back(v);
    else
      std::printf("[  SKIPPED ] %s: CPU lacks %s\n", v->name, kernels::isa_name(v->isa));
  }
  return out;
}
inline std::vector<const kernels::KernelVariant*> runnable(kernels::KernelFamily family) {
  return runnable(family, [](const kernels::KernelVariant&) { return true; });
}

}  // namespace octet::kernel_test
