// The packed layout of the SIMD int8 GEMM-with-float-output variants
// (kernels/int8/gemm_f32out_<isa>.cpp), header-only; everything sits in an anonymous namespace
// so that each ISA file gets private copies (the ISA rule, kernels/CMakeLists.txt).
//
// Packed bytes, for n_pad = n rounded up to 16 columns (so the weights start 64-byte aligned):
//   float   scale[n_pad]   the output scales; 0 in the padding columns
//   int32   bias[n_pad]    bias[j] - zx * Σ_k (w[j][k] - zw), the input-independent part of the
//                          accumulator (int64 sum, truncated to int32 like the reference's)
//   weights                blocks of the variant's column vector (QGemmBlocks below), from
//                          qgemm_weights(packed, n)
// With it acc[j] = bias'[j] + Σ_k x[k] * (w[j][k] - zw); the VNNI variant, which multiplies
// the raw int8 codes, subtracts zw * Σ_k x[k] per row itself.
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernels/int8/gemm_f32out.h"

namespace octet::kernels {
namespace {

constexpr int32_t kQGemmColumnPad = 16;

inline int32_t qgemm_padded_n(int32_t n) { return (n + kQGemmColumnPad - 1) / kQGemmColumnPad * kQGemmColumnPad; }
inline size_t qgemm_header_bytes(int32_t n) { return size_t(qgemm_padded_n(n)) * (sizeof(float) + sizeof(int32_t)); }

inline const float* qgemm_scales(const void* packed) { return static_cast<const float*>(packed); }
inline const int32_t* qgemm_bias(const void* packed, int32_t n) {
  return reinterpret_cast<const int32_t*>(static_cast<const uint8_t*>(packed) + size_t(qgemm_padded_n(n)) * sizeof(float));
}
template <typename T>
T* qgemm_weights(void* packed, int32_t n) {
  return reinterpret_cast<T*>(static_cast<uint8_t*>(packed) + qgemm_header_bytes(n));
}
template <typename T>
const T* qgemm_weights(const void* packed, int32_t n) {
  return reinterpret_cast<const T*>(static_cast<const uint8_t*>(packed) + qgemm_header_bytes(n));
}

// Writes the scales and the folded bias (above); the caller writes the weights.
inline void qgemm_pack_header(const QGemmF32Params& p, const int8_t* weight_nk, const int32_t* bias,
                              const float* scales, void* packed) {
  const int32_t n_pad = qgemm_padded_n(p.n);
  float* s = static_cast<float*>(packed);
  int32_t* b = reinterpret_cast<int32_t*>(s + n_pad);
  for (int32_t j = 0; j < n_pad; ++j) {
    if (j >= p.n) {
      s[j] = 0.f;
      b[j] = 0;
      continue;
    }
    int64_t wsum = 0;
    for (int32_t i = 0; i < p.k; ++i) wsum += weight_nk[int64_t{j} * p.k + i] - p.weight_zero_point;
    const int64_t folded = (bias != nullptr ? int64_t{bias[j]} : 0) - int64_t{p.input_zero_point} * wsum;
    b[j] = static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(folded)));   // mod 2^32
    s[j] = scales[j];
  }
}

// The SIMD variants' weights: blocks of C output columns, each block contiguous, in groups of E
// inputs: group q of block b holds, column by column, code(w[b * C + c][q * E + e]) for e < E
// (T zero past n and past k), so one vector load takes E inputs of C columns. And their loop:
// up to 4 blocks per pass (4 independent accumulator chains), each row of the input in turn,
// so the rows reuse a pass's weights while the cache holds them.
template <int32_t C, int32_t E, typename T>
struct QGemmBlocks {
  static int32_t groups(int32_t k) { return (k + E - 1) / E; }
  static size_t block_elements(int32_t k) { return size_t(groups(k)) * C * E; }
  static size_t packed_bytes(const QGemmF32Params& p) {
    return qgemm_header_bytes(p.n) + size_t(qgemm_padded_n(p.n) / C) * block_elements(p.k) * sizeof(T);
  }
  template <typename Code>
  static void pack(const QGemmF32Params& p, const int8_t* weight_nk, const int32_t* bias, const float* scales,
                   void* packed, Code code) {
    qgemm_pack_header(p, weight_nk, bias, scales, packed);
    T* w = qgemm_weights<T>(packed, p.n);
    const int32_t blocks = qgemm_padded_n(p.n) / C, g = groups(p.k);
    for (int32_t b = 0; b < blocks; ++b)
      for (int32_t q = 0; q < g; ++q)
        for (int32_t c = 0; c < C; ++c)
          for (int32_t e = 0; e < E; ++e) {
            const int32_t j = b * C + c, i = q * E + e;
            *w++ = j < p.n && i < p.k ? code(weight_nk[int64_t{j} * p.k + i]) : T{0};
          }
  }
  // pass(blocks, x, y, b): `blocks` (1..4) blocks from block b for the row x -> y, stores
  // clipped to n_end (the caller's).
  template <typename Pass>
  static void run(const QGemmF32Params& p, const uint8_t* input, float* output, int32_t rows, int32_t n_begin,
                  int32_t n_end, Pass pass) {
    const int32_t b_begin = n_begin / C, b_end = (n_end + C - 1) / C;
    for (int32_t b = b_begin; b < b_end; b += 4) {
      const int32_t count = b_end - b < 4 ? b_end - b : 4;
      for (int32_t m = 0; m < rows; ++m) pass(count, input + int64_t{m} * p.k, output + int64_t{m} * p.n, b);
    }
  }
};

}  // namespace
}  // namespace octet::kernels
