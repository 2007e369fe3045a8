#include "kernels/dispatch/cpu_features.h"

#include <cpuid.h>

#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "kernels/dispatch/isa.h"

namespace octet::kernels {

namespace {

uint64_t xgetbv0() {
  uint32_t eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (uint64_t{edx} << 32) | eax;
}

// OCTET_ISA=X turns off the features of every ISA wider than X (isa.h orders them);
// vnni-novbmi keeps VNNI and turns off VBMI alone (a Cascade Lake, for the tests of the paths
// that do without it).
void apply_cap(const std::string& value, CpuFeatures& f) {
  if (value == "vnni-novbmi") {
    f.avx512vbmi = false;
    return;
  }
  const std::optional<KernelIsa> cap = isa_from_name(value);
  if (!cap || *cap == KernelIsa::Scalar)
    throw std::invalid_argument("OCTET_ISA='" + value + "' is not one of sse2, avx2, avx512, vnni, vnni-novbmi");
  if (*cap < KernelIsa::Vnni) f.avx512vnni = f.avx512vbmi = false;
  if (*cap < KernelIsa::Avx512) f.avx512f = f.avx512bw = false;
  if (*cap < KernelIsa::Avx2) f.avx2 = f.fma = false;
}

CpuFeatures detect() {
  CpuFeatures f;
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
  f.sse2 = d & bit_SSE2;
  const bool osxsave = c & bit_OSXSAVE;
  const bool fma = c & bit_FMA;
  // The OS must save the wide registers: YMM state (bits 1,2), and for AVX-512 also the
  // opmask and ZMM state (bits 5,6,7).
  const uint64_t xcr0 = osxsave ? xgetbv0() : 0;
  const bool os_ymm = (xcr0 & 0x6) == 0x6;
  const bool os_zmm = (xcr0 & 0xe6) == 0xe6;
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
    f.avx2 = os_ymm && (b & bit_AVX2);
    f.fma = os_ymm && fma;
    f.avx512f = os_zmm && (b & bit_AVX512F) && (b & bit_AVX512DQ) && (b & bit_AVX512VL);
    f.avx512bw = f.avx512f && (b & bit_AVX512BW);
    f.avx512vnni = f.avx512bw && (c & bit_AVX512VNNI);
    f.avx512vbmi = f.avx512bw && (c & bit_AVX512VBMI);
  }
  if (const char* env = std::getenv("OCTET_ISA")) apply_cap(env, f);
  return f;
}

}  // namespace

std::string CpuFeatures::describe() const {
  std::string s;
  auto add = [&](bool on, const char* name) {
    if (on) s += (s.empty() ? "" : " ") + std::string(name);
  };
  add(avx512f, "avx512f");
  add(avx512bw, "avx512bw");
  add(avx512vnni, "avx512vnni");
  add(avx512vbmi, "avx512vbmi");
  add(avx2, "avx2");
  add(fma, "fma");
  add(sse2, "sse2");
  return s;
}

const CpuFeatures& cpu_features() {
  static const CpuFeatures features = detect();
  return features;
}

}  // namespace octet::kernels
