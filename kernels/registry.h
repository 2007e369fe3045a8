// Every kernel variant octet ships, as data: the kernel table (kernels/kernels.inc) expanded
// into one array, with its name, family, ISA and object, and the lookups everything that
// chooses or names kernels uses: by name (.octet files), by object (profiles, writers), and the
// widest variant of a family this CPU runs up to an ISA cap (the compiler, benchmarks).
// Benchmarks register one benchmark per entry, and tests/test_kernel_benchmarks.cpp checks
// that every entry has a benchmark and that every variant object defined under kernels/ is in
// the table.
#pragma once
#include <span>
#include <string_view>
#include <vector>

#include "kernels/kernels.h"

namespace octet::kernels {

struct KernelVariant {
  const char* name;   // the exported object's name, e.g. "f32_conv_nhwc_winograd_avx512"
  KernelFamily family;
  KernelIsa isa;
  // Exactly one of these is set, matching `family`.
  const ConvF32Kernel* conv = nullptr;
  const DwConvF32Kernel* dwconv = nullptr;
  const GemmF32Kernel* gemm = nullptr;
  const VectorF32Kernels* vector = nullptr;
  const QConvU8Kernel* qconv = nullptr;
  const QDwConvU8Kernel* qdwconv = nullptr;
  const QGemmF32Kernel* qgemm = nullptr;
  const QMaxPoolU8Kernel* qmaxpool = nullptr;
  const VectorQU8Kernels* qvector = nullptr;

  bool supported() const { return cpu_runs(isa); }   // by this CPU
  const void* object() const;                          // the one pointer that is set
};

// In the order of kernels/kernels.inc.
std::span<const KernelVariant> kernel_variants();

const char* family_name(KernelFamily f);   // "f32_conv", "f32_dwconv", "f32_gemm", "f32_vector", "qu8_conv", "qu8_dwconv", "qu8_gemm", "qu8_maxpool", "qu8_vector"

// nullptr when no variant has that name / that object.
const KernelVariant* variant_named(std::string_view name);
const KernelVariant* variant_of(const void* object);

// The variants of one family (for exactly `isa`), in table order.
std::vector<const KernelVariant*> variants_of(KernelFamily family);
std::vector<const KernelVariant*> variants_for(KernelFamily family, KernelIsa isa);

// The widest variant of `family` whose ISA is at most `cap`, that this CPU runs and that
// `accepts` (a predicate on const KernelVariant&) takes; nullptr if none does. Of two variants
// of the same ISA, the first in table order.
template <typename Accepts>
const KernelVariant* widest_variant(KernelFamily family, KernelIsa cap, Accepts accepts) {
  const KernelVariant* best = nullptr;
  for (const KernelVariant& v : kernel_variants())
    if (v.family == family && v.isa <= cap && (best == nullptr || v.isa > best->isa) && v.supported() && accepts(v))
      best = &v;
  return best;
}
inline const KernelVariant* widest_variant(KernelFamily family, KernelIsa cap = kWidestIsa) {
  return widest_variant(family, cap, [](const KernelVariant&) { return true; });
}

}  // namespace octet::kernels
