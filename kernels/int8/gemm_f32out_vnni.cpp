// int8 GEMM with a float output, AVX-512 VNNI (kernels/int8/gemm_f32out.h).
//
// Weights: blocks of 16 output columns, each block contiguous, in groups of 4 inputs: 64 bytes
// per group (column c's 4 int8 codes in lane c, inputs past k zero), so one vpdpbusd adds 4
// exact u8 x s8 products into each column's int32 lane. Per row the 4 input bytes of a group
// are broadcast (vpbroadcastd; vpdpbusd's memory operand is its signed one, the weights) and
// multiplied into G = 4 blocks at once: 4 independent accumulator chains, 256 bytes of weights
// per step, enough to run at the speed the weights stream from the caches or memory (for one
// row this is a matrix-vector product that reads each weight byte once). Rows reuse a block
// group's weights while they are in the cache. The last group of a k that is not a multiple of
// 4 reads its input bytes through a masked load (nothing past the row is touched).
//
// Epilogue: acc + bias' - zw * Σx (kernels/int8/gemm_f32out_pack.h; Σx only when zw != 0),
// vcvtdq2ps, vmulps by the column scales, stores masked past n_end: one correctly rounded
// conversion and multiply, the reference's bits.
// GCC 12's AVX-512 headers seed some intrinsics with a self-initialised "undefined" vector
// (_mm512_undefined_epi32), which -Wuninitialized reports once the intrinsic is inlined.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include "kernels/int8/gemm_f32out_pack.h"
#include "kernels/kernels.h"

namespace octet::kernels {
namespace {

constexpr int32_t kCols = 16;   // columns per block (one zmm of int32)
using Blocks = QGemmBlocks<kCols, 4, int8_t>;   // 64 bytes per group of 4 inputs

void pack(const QGemmF32Params& p, const int8_t* weight_nk, const int32_t* bias, const float* scales, void* packed) {
  Blocks::pack(p, weight_nk, bias, scales, packed, [](int8_t w) { return w; });
}

// Σ_i x[i] for the zero-point term (vpsadbw against zero: 8 bytes per 64-bit lane).
int32_t input_sum(const uint8_t* x, int32_t k) {
  __m512i s = _mm512_setzero_si512();
  int32_t i = 0;
  for (; i + 64 <= k; i += 64) s = _mm512_add_epi64(s, _mm512_sad_epu8(_mm512_loadu_si512(x + i), _mm512_setzero_si512()));
  if (i < k) {
    const __mmask64 m = _cvtu64_mask64((~uint64_t{0}) >> (64 - (k - i)));
    s = _mm512_add_epi64(s, _mm512_sad_epu8(_mm512_maskz_loadu_epi8(m, x + i), _mm512_setzero_si512()));
  }
  return static_cast<int32_t>(_mm512_reduce_add_epi64(s));
}

// G blocks starting at block b0 for one row x: columns [b0 * 16, b0 * 16 + G * 16), stores
// clipped to n_end.
template <int G>
void blocks(const QGemmF32Params& p, const void* packed, const uint8_t* x, int32_t zw_sum, float* y, int32_t b0,
            int32_t n_end) {
  const size_t bb = Blocks::block_elements(p.k);
  const int8_t* w = qgemm_weights<int8_t>(packed, p.n) + size_t(b0) * bb;
  __m512i acc[G];
  for (int g = 0; g < G; ++g) acc[g] = _mm512_setzero_si512();
  const int32_t full = p.k / 4;
  for (int32_t q = 0; q < full; ++q) {
    int32_t four;
    __builtin_memcpy(&four, x + size_t(q) * 4, 4);
    const __m512i xb = _mm512_set1_epi32(four);
    for (int g = 0; g < G; ++g)
      acc[g] = _mm512_dpbusd_epi32(acc[g], xb, _mm512_loadu_si512(w + size_t(g) * bb + size_t(q) * 64));
  }
  if (full * 4 < p.k) {   // the last 1..3 inputs; the packed weights past k are 0
    const __mmask16 m = _cvtu32_mask16((1u << (p.k - full * 4)) - 1);
    const __m128i tail = _mm_maskz_loadu_epi8(m, x + size_t(full) * 4);
    const __m512i xb = _mm512_broadcastd_epi32(tail);
    for (int g = 0; g < G; ++g)
      acc[g] = _mm512_dpbusd_epi32(acc[g], xb, _mm512_loadu_si512(w + size_t(g) * bb + size_t(full) * 64));
  }
  const float* scales = qgemm_scales(packed);
  const int32_t* bias = qgemm_bias(packed, p.n);
  const __m512i zws = _mm512_set1_epi32(zw_sum);
  for (int g = 0; g < G; ++g) {
    const int32_t j = (b0 + g) * kCols;
    if (j >= n_end) break;
    __m512i a = _mm512_add_epi32(acc[g], _mm512_loadu_si512(bias + j));
    a = _mm512_sub_epi32(a, zws);
    const __m512 v = _mm512_mul_ps(_mm512_cvtepi32_ps(a), _mm512_loadu_ps(scales + j));
    const int32_t left = n_end - j;
    if (left >= kCols) _mm512_storeu_ps(y + j, v);
    else _mm512_mask_storeu_ps(y + j, _cvtu32_mask16((1u << left) - 1), v);
  }
}

void run(const QGemmF32Params& p, const void* packed, const uint8_t* input, float* output, int32_t rows,
         int32_t n_begin, int32_t n_end) {
  Blocks::run(p, input, output, rows, n_begin, n_end, [&](int32_t count, const uint8_t* x, float* y, int32_t b) {
    // zw * Σx modulo 2^32, as every other term (kernels/int8/gemm_f32out.h).
    const int32_t zw_sum = p.weight_zero_point == 0 ? 0
                                                    : static_cast<int32_t>(static_cast<uint32_t>(p.weight_zero_point) *
                                                                           static_cast<uint32_t>(input_sum(x, p.k)));
    if (count == 4) blocks<4>(p, packed, x, zw_sum, y, b, n_end);
    else if (count == 3) blocks<3>(p, packed, x, zw_sum, y, b, n_end);
    else if (count == 2) blocks<2>(p, packed, x, zw_sum, y, b, n_end);
    else blocks<1>(p, packed, x, zw_sum, y, b, n_end);
  });
}

}  // namespace

const QGemmF32Kernel qu8_gemm_f32out_vnni = {"qu8_gemm_f32out_vnni", kCols, &Blocks::packed_bytes, &pack, &run};

}  // namespace octet::kernels
