// SSE2 FP32 peak: no FMA, so a multiply-accumulate is a mulps and a dependent addps.
// 12 chains acc = acc * a + b keep both the multiply and the add units busy (latency 3-4
// cycles, two units each on current cores). ISA file: see bench/CMakeLists.txt.
#include <immintrin.h>

#include <cstdint>

namespace octet::bench {
namespace {
constexpr int kChains = 12;
}  // namespace

uint64_t peak_loop_mul_add_sse2(int64_t loops) {
  // acc converges to b / (1 - a) = 1: no overflow, no denormals.
  const __m128 a = _mm_set1_ps(0.5f), b = _mm_set1_ps(0.5f);
  __m128 acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm_set1_ps(static_cast<float>(i));
  for (int64_t n = 0; n < loops; ++n)
#pragma GCC unroll 12
    for (int i = 0; i < kChains; ++i) acc[i] = _mm_add_ps(_mm_mul_ps(acc[i], a), b);
  __m128 s = acc[0];
  for (int i = 1; i < kChains; ++i) s = _mm_add_ps(s, acc[i]);
  volatile float sink = _mm_cvtss_f32(s);
  (void)sink;
  return static_cast<uint64_t>(loops) * kChains * 4;
}

}  // namespace octet::bench
