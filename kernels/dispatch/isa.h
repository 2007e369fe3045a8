// The instruction sets octet's kernels are compiled for, and THE answer to "does this CPU run
// ISA X" (cpu_runs): the kernel registry, the compiler's choices, the .octet loader, the tests
// and the benchmarks all ask it, and nothing else reads the CPU feature bits to decide.
#pragma once
#include <optional>
#include <string_view>

namespace octet::kernels {

// Ordered from narrow to wide: a CPU that runs one runs every narrower one (VNNI CPUs have
// AVX-512 F/BW/DQ/VL, which have AVX2 + FMA), so "at most X" is a comparison.
//   Scalar  portable C++ with the x86-64 baseline flags (the int8 fallback without AVX2)
//   Sse2    the x86-64 baseline, explicit 4-lane vectors
//   Avx2    AVX2 + FMA
//   Avx512  AVX-512 F, BW, DQ, VL (+ FMA)
//   Vnni    the AVX-512 set plus AVX512-VNNI (vpdpbusd)
enum class KernelIsa { Scalar, Sse2, Avx2, Avx512, Vnni };

inline constexpr KernelIsa kWidestIsa = KernelIsa::Vnni;

const char* isa_name(KernelIsa i);   // "scalar", "sse2", "avx2", "avx512", "vnni"
// The ISA spelled as isa_name spells it; nullopt for anything else.
std::optional<KernelIsa> isa_from_name(std::string_view name);

// Whether this CPU (and OS: the wide registers must be saved) runs code compiled for `isa`,
// after the process-wide OCTET_ISA cap (see cpu_features.h).
bool cpu_runs(KernelIsa isa);

// Whether a VNNI kernel may also use AVX-512 VBMI (vpermi2b: the int8 conv's output table,
// kernels/int8/conv.h), which the Vnni level does not imply: cpu_runs(Vnni) and the VBMI bit.
bool cpu_runs_vnni_vbmi();

// The widest ISA that this CPU runs and that is at most `cap`.
KernelIsa widest_cpu_isa(KernelIsa cap = kWidestIsa);

}  // namespace octet::kernels
