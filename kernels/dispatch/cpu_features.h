// The CPU's SIMD features, detected once with cpuid/xgetbv, so that one binary runs on any
// x86-64 and uses AVX-512 where present. Decisions go through cpu_runs (isa.h), the one
// mapping from these bits to the kernels' ISAs; read the bits directly only to print them.
#pragma once
#include <string>

namespace octet::kernels {

struct CpuFeatures {
  bool sse2 = false;
  bool avx2 = false;        // with FMA: both are required for the AVX2 path
  bool fma = false;
  bool avx512f = false;     // with AVX512BW/DQ/VL, as Skylake-X and later have
  bool avx512bw = false;
  bool avx512vnni = false;  // vpdpbusd: u8 x s8 dot products
  bool avx512vbmi = false;  // vpermb / vpermi2b: byte lookups (not all VNNI CPUs: Cascade Lake lacks it)
  std::string describe() const;   // "avx512f avx512bw avx512vnni avx512vbmi avx2 fma sse2"
};

// Detected on first call. OCTET_ISA=sse2|avx2|avx512|vnni|vnni-novbmi in the environment caps what is
// reported for the whole process: the features of every wider ISA are off, as on an older
// CPU (so avx512 turns off VNNI, and vnni caps nothing). It is a user's and test's switch
// (e.g. checking that a .octet file for a wider CPU is refused, tests/test_embed.cpp); code that
// wants narrower kernels in-process passes an ISA cap (CompileOptions::f32_isa, int8_isa)
// instead. Any other value throws std::invalid_argument on first call.
const CpuFeatures& cpu_features();

}  // namespace octet::kernels
