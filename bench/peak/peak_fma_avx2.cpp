// AVX2 FP32 peak: 12 independent chains of vfmadd231ps on ymm (two FMA units with 4-5
// cycles latency need 8-10 chains in flight). ISA file: see bench/CMakeLists.txt.
#include <immintrin.h>

#include <cstdint>

namespace octet::bench {
namespace {
constexpr int kChains = 12;
}  // namespace

uint64_t peak_loop_fma_avx2(int64_t loops) {
  const __m256 a = _mm256_set1_ps(0.5f), b = _mm256_set1_ps(0.5f);
  __m256 acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm256_set1_ps(static_cast<float>(i));
  for (int64_t n = 0; n < loops; ++n)
#pragma GCC unroll 12
    for (int i = 0; i < kChains; ++i) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
  __m256 s = acc[0];
  for (int i = 1; i < kChains; ++i) s = _mm256_add_ps(s, acc[i]);
  volatile float sink = _mm256_cvtss_f32(s);
  (void)sink;
  return static_cast<uint64_t>(loops) * kChains * 8;
}

}  // namespace octet::bench
