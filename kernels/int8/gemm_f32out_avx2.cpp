// int8 GEMM with a float output, AVX2 (kernels/int8/gemm_f32out.h).
//
// Weights: blocks of 8 output columns, each block contiguous, as int16 w - zw in pairs of
// inputs: 32 bytes per pair (column c's two values in lane c, inputs past k zero). Per row the
// pair of input bytes is broadcast as two int16 and vpmaddwd adds the two exact products
// (|x * (w - zw)| <= 255 * 255) into each column's int32 lane; vpmaddubsw would saturate its
// int16 pair sums. G = 4 blocks per pass: 4 independent accumulator chains. The zero points
// are all in the packed bias (kernels/int8/gemm_f32out_pack.h), so acc = bias' + Σ x * (w - zw).
// Epilogue: vcvtdq2ps, vmulps by the column scales, stores masked past n_end: the reference's
// bits.
#include <immintrin.h>

#include "kernels/int8/gemm_f32out_pack.h"
#include "kernels/kernels.h"

namespace octet::kernels {
namespace {

constexpr int32_t kCols = 8;   // columns per block (one ymm of int32)
using Blocks = QGemmBlocks<kCols, 2, int16_t>;   // 32 bytes per pair of inputs

void pack(const QGemmF32Params& p, const int8_t* weight_nk, const int32_t* bias, const float* scales, void* packed) {
  const int32_t zw = p.weight_zero_point;
  Blocks::pack(p, weight_nk, bias, scales, packed, [zw](int8_t w) { return static_cast<int16_t>(w - zw); });
}

__m256i mask_of(int32_t count) {   // lanes [0, count) set, 0 < count <= 8
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(count), lanes);
}

template <int G>
void blocks(const QGemmF32Params& p, const void* packed, const uint8_t* x, float* y, int32_t b0, int32_t n_end) {
  const size_t bb = Blocks::block_elements(p.k);
  const int16_t* w = qgemm_weights<int16_t>(packed, p.n) + size_t(b0) * bb;
  __m256i acc[G];
  for (int g = 0; g < G; ++g) acc[g] = _mm256_setzero_si256();
  const int32_t full = p.k / 2;
  for (int32_t q = 0; q < full; ++q) {
    const uint32_t two = uint32_t{x[2 * q]} | (uint32_t{x[2 * q + 1]} << 16);
    const __m256i xb = _mm256_set1_epi32(static_cast<int32_t>(two));
    for (int g = 0; g < G; ++g)
      acc[g] = _mm256_add_epi32(
          acc[g], _mm256_madd_epi16(xb, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + g * bb + size_t(q) * 16))));
  }
  if (full * 2 < p.k) {   // odd k: the last input alone (its pair's second weight is 0)
    const __m256i xb = _mm256_set1_epi32(int32_t{x[2 * full]});
    for (int g = 0; g < G; ++g)
      acc[g] = _mm256_add_epi32(
          acc[g],
          _mm256_madd_epi16(xb, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + g * bb + size_t(full) * 16))));
  }
  const float* scales = qgemm_scales(packed);
  const int32_t* bias = qgemm_bias(packed, p.n);
  for (int g = 0; g < G; ++g) {
    const int32_t j = (b0 + g) * kCols;
    if (j >= n_end) break;
    const __m256i a = _mm256_add_epi32(acc[g], _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bias + j)));
    const __m256 v = _mm256_mul_ps(_mm256_cvtepi32_ps(a), _mm256_loadu_ps(scales + j));
    const int32_t left = n_end - j;
    if (left >= kCols) _mm256_storeu_ps(y + j, v);
    else _mm256_maskstore_ps(y + j, mask_of(left), v);
  }
}

void run(const QGemmF32Params& p, const void* packed, const uint8_t* input, float* output, int32_t rows,
         int32_t n_begin, int32_t n_end) {
  Blocks::run(p, input, output, rows, n_begin, n_end, [&](int32_t count, const uint8_t* x, float* y, int32_t b) {
    if (count == 4) blocks<4>(p, packed, x, y, b, n_end);
    else if (count == 3) blocks<3>(p, packed, x, y, b, n_end);
    else if (count == 2) blocks<2>(p, packed, x, y, b, n_end);
    else blocks<1>(p, packed, x, y, b, n_end);
  });
}

}  // namespace

const QGemmF32Kernel qu8_gemm_f32out_avx2 = {"qu8_gemm_f32out_avx2", kCols, &Blocks::packed_bytes, &pack, &run};

}  // namespace octet::kernels
