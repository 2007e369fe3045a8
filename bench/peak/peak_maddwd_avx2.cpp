// AVX2 int8 peak: what an exact int8 dot product costs without VNNI. Chains of vpmaddwd ymm
// (16 int16 x int16 products summed in pairs into 8 int32 lanes) each followed by vpaddd into
// its accumulator: 16 MACs per pair, the inner step of qu8_conv_nhwc_direct_avx2 (vpmaddubsw
// would be one instruction but saturates). Eight accumulators, each fed by a different pair of
// operands. ISA file: see bench/CMakeLists.txt.
#include <immintrin.h>

#include <cstdint>

namespace octet::bench {
namespace {
constexpr int kChains = 8;
}  // namespace

uint64_t peak_loop_maddwd_avx2(int64_t loops) {
  const __m256i a0 = _mm256_set1_epi16(3), a1 = _mm256_set1_epi16(5), a2 = _mm256_set1_epi16(7),
                a3 = _mm256_set1_epi16(9), b0 = _mm256_set1_epi16(-2), b1 = _mm256_set1_epi16(4);
  __m256i c0 = _mm256_setzero_si256(), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
  // The loop body is written in asm: with intrinsics GCC 12 spills accumulators to the
  // stack here (16 ymm registers are exactly enough: 8 accumulators, 6 operands, 2 products).
  for (int64_t n = 0; n < loops; ++n) {
    __asm__ volatile(
        "vpmaddwd %[b0], %[a0], %%ymm14\n\t"
        "vpmaddwd %[b0], %[a1], %%ymm15\n\t"
        "vpaddd %%ymm14, %[c0], %[c0]\n\t"
        "vpaddd %%ymm15, %[c1], %[c1]\n\t"
        "vpmaddwd %[b0], %[a2], %%ymm14\n\t"
        "vpmaddwd %[b0], %[a3], %%ymm15\n\t"
        "vpaddd %%ymm14, %[c2], %[c2]\n\t"
        "vpaddd %%ymm15, %[c3], %[c3]\n\t"
        "vpmaddwd %[b1], %[a0], %%ymm14\n\t"
        "vpmaddwd %[b1], %[a1], %%ymm15\n\t"
        "vpaddd %%ymm14, %[c4], %[c4]\n\t"
        "vpaddd %%ymm15, %[c5], %[c5]\n\t"
        "vpmaddwd %[b1], %[a2], %%ymm14\n\t"
        "vpmaddwd %[b1], %[a3], %%ymm15\n\t"
        "vpaddd %%ymm14, %[c6], %[c6]\n\t"
        "vpaddd %%ymm15, %[c7], %[c7]\n\t"
        : [c0] "+x"(c0), [c1] "+x"(c1), [c2] "+x"(c2), [c3] "+x"(c3), [c4] "+x"(c4), [c5] "+x"(c5),
          [c6] "+x"(c6), [c7] "+x"(c7)
        : [a0] "x"(a0), [a1] "x"(a1), [a2] "x"(a2), [a3] "x"(a3), [b0] "x"(b0), [b1] "x"(b1)
        : "xmm14", "xmm15");
  }
  const __m256i s = _mm256_add_epi32(_mm256_add_epi32(_mm256_add_epi32(c0, c1), _mm256_add_epi32(c2, c3)),
                                     _mm256_add_epi32(_mm256_add_epi32(c4, c5), _mm256_add_epi32(c6, c7)));
  volatile int32_t sink = _mm256_cvtsi256_si32(s);
  (void)sink;
  return static_cast<uint64_t>(loops) * kChains * 16;
}

}  // namespace octet::bench
