// AVX-512 FP32 peak: 12 independent chains of vfmadd231ps on zmm. (Zen 4 splits a zmm FMA
// over its two 256-bit units, so there this equals the AVX2 figure.) ISA file: see
// bench/CMakeLists.txt.
#include <immintrin.h>

#include <cstdint>

namespace octet::bench {
namespace {
constexpr int kChains = 12;
}  // namespace

uint64_t peak_loop_fma_avx512(int64_t loops) {
  const __m512 a = _mm512_set1_ps(0.5f), b = _mm512_set1_ps(0.5f);
  __m512 acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm512_set1_ps(static_cast<float>(i));
  for (int64_t n = 0; n < loops; ++n)
#pragma GCC unroll 12
    for (int i = 0; i < kChains; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
  __m512 s = acc[0];
  for (int i = 1; i < kChains; ++i) s = _mm512_add_ps(s, acc[i]);
  // Sum through memory: GCC 12's _mm512_reduce_add_ps trips -Wuninitialized in its header.
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, s);
  float total = 0;
  for (float x : lanes) total += x;
  volatile float sink = total;
  (void)sink;
  return static_cast<uint64_t>(loops) * kChains * 16;
}

}  // namespace octet::bench
