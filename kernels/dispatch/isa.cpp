#include "kernels/dispatch/isa.h"

#include "kernels/dispatch/cpu_features.h"

namespace octet::kernels {

namespace {

constexpr KernelIsa kAll[] = {KernelIsa::Scalar, KernelIsa::Sse2, KernelIsa::Avx2, KernelIsa::Avx512, KernelIsa::Vnni};

}  // namespace

const char* isa_name(KernelIsa i) {
  switch (i) {
    case KernelIsa::Scalar: return "scalar";
    case KernelIsa::Sse2: return "sse2";
    case KernelIsa::Avx2: return "avx2";
    case KernelIsa::Avx512: return "avx512";
    case KernelIsa::Vnni: return "vnni";
  }
  return "?";
}

std::optional<KernelIsa> isa_from_name(std::string_view name) {
  for (KernelIsa i : kAll)
    if (name == isa_name(i)) return i;
  return std::nullopt;
}

// The flags each ISA's files are compiled with (CMakeLists.txt, octet_set_isa_flags) must all
// be present: AVX-512 files use FMA and BW, VNNI files all of AVX-512.
bool cpu_runs(KernelIsa isa) {
  const CpuFeatures& f = cpu_features();
  switch (isa) {
    case KernelIsa::Scalar: return true;
    case KernelIsa::Sse2: return f.sse2;
    case KernelIsa::Avx2: return f.avx2 && f.fma;
    case KernelIsa::Avx512: return f.avx512f && f.avx512bw && f.avx2 && f.fma;
    case KernelIsa::Vnni: return f.avx512vnni && cpu_runs(KernelIsa::Avx512);
  }
  return false;
}

bool cpu_runs_vnni_vbmi() { return cpu_runs(KernelIsa::Vnni) && cpu_features().avx512vbmi; }

KernelIsa widest_cpu_isa(KernelIsa cap) {
  KernelIsa best = KernelIsa::Scalar;
  for (KernelIsa i : kAll)
    if (i <= cap && cpu_runs(i)) best = i;
  return best;
}

}  // namespace octet::kernels
