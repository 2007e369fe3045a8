// int8 peak: 12 independent chains of vpdpbusd on zmm, each instruction 16 lanes x 4
// u8 x s8 products summed into int32 = 64 MACs. ISA file: see bench/CMakeLists.txt.
#include <immintrin.h>

#include <cstdint>

namespace octet::bench {
namespace {
constexpr int kChains = 12;
}  // namespace

uint64_t peak_loop_vnni(int64_t loops) {
  const __m512i a = _mm512_set1_epi8(3), b = _mm512_set1_epi8(-2);
  __m512i acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm512_set1_epi32(i);
  for (int64_t n = 0; n < loops; ++n)
#pragma GCC unroll 12
    for (int i = 0; i < kChains; ++i) acc[i] = _mm512_dpbusd_epi32(acc[i], a, b);
  __m512i s = acc[0];
  for (int i = 1; i < kChains; ++i) s = _mm512_add_epi32(s, acc[i]);
  // Sum through memory: GCC 12's _mm512_reduce_add_epi32 trips -Wuninitialized in its header.
  alignas(64) int32_t lanes[16];
  _mm512_store_si512(lanes, s);
  uint32_t total = 0;   // wraps, like the lanes themselves (a signed sum would overflow)
  for (int32_t x : lanes) total += uint32_t(x);
  volatile uint32_t sink = total;
  (void)sink;
  return static_cast<uint64_t>(loops) * kChains * 64;
}

}  // namespace octet::bench
