// The CPU's SIMD features, detected once with cpuid/xgetbv. Kernel families map these to
// their best variant, so one binary runs on any x86-64 and uses AVX-512 where present.
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
  std::string describe() const;   // "avx512f avx512bw avx512vnni avx2 fma sse2"
};

// Detected on first call. OCTET_ISA=sse2|avx2|avx512 in the environment caps what is
// reported (for tests and benchmarks of the narrower variants on a wide machine).
const CpuFeatures& cpu_features();

}  // namespace octet::kernels
