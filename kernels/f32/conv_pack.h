// Weight packing and geometry shared by the direct and 1x1 FP32 NHWC convolutions
// (conv_direct_impl.h, conv_1x1_impl.h). Everything sits in an anonymous namespace: each
// ISA file gets private copies (see kernels/CMakeLists.txt).
//
// Packed layout. Output channels are cut into blocks of L = V * W lanes (W floats per
// vector; V = 1 when out_c fits one vector, else 2). The last block narrows to the fewest
// vectors that cover its channels. Block b holds
//   [bias: Lb][kh][kw][ci][Lb]        (Lb = lanes of that block, a multiple of W)
// with the channels past out_c zero-filled, so the micro-kernel broadcasts one input
// scalar and multiplies it with Vb contiguous weight vectors, walking the weights
// linearly over (kh, kw, ci).
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernels/f32/conv.h"

namespace octet::kernels {
namespace {

struct ConvBlocking {
  int32_t w = 1;        // floats per vector
  int32_t v = 1;        // vectors per full block
  int32_t lanes = 1;    // v * w
  int32_t blocks = 0;   // ceil(out_c / lanes)
  int64_t taps = 0;     // kernel_h * kernel_w * in_c: weight rows per block
  // First float of block b, and its width in vectors.
  size_t block_offset(int32_t b) const { return static_cast<size_t>(b) * static_cast<size_t>(1 + taps) * lanes; }
  int32_t block_vectors(int32_t b, int32_t out_c) const {
    const int32_t rem = out_c - b * lanes;
    const int32_t need = (rem + w - 1) / w;
    return need < v ? need : v;
  }
};

inline ConvBlocking conv_blocking(const ConvNhwcParams& p, int32_t vector_width) {
  ConvBlocking b;
  b.w = vector_width;
  b.v = p.out_c <= vector_width ? 1 : 2;
  b.lanes = b.v * b.w;
  b.blocks = (p.out_c + b.lanes - 1) / b.lanes;
  b.taps = int64_t{p.kernel_h} * p.kernel_w * p.in_c;
  return b;
}

inline size_t conv_packed_floats(const ConvNhwcParams& p, int32_t vector_width) {
  const ConvBlocking b = conv_blocking(p, vector_width);
  if (b.blocks == 0) return 0;
  const int32_t last = b.blocks - 1;
  return b.block_offset(last) + static_cast<size_t>(1 + b.taps) * b.block_vectors(last, p.out_c) * b.w;
}

inline void conv_pack_weights(const ConvNhwcParams& p, int32_t vector_width, const float* weight_oihw,
                              const float* bias, float* packed) {
  const ConvBlocking bl = conv_blocking(p, vector_width);
  const int64_t kh_n = p.kernel_h, kw_n = p.kernel_w, ci_n = p.in_c;
  for (int32_t b = 0; b < bl.blocks; ++b) {
    const int32_t lb = bl.block_vectors(b, p.out_c) * bl.w;
    const int32_t co0 = b * bl.lanes;
    float* dst = packed + bl.block_offset(b);
    for (int32_t j = 0; j < lb; ++j) {
      const int32_t co = co0 + j;
      dst[j] = (co < p.out_c && bias != nullptr) ? bias[co] : 0.f;
    }
    dst += lb;
    for (int64_t kh = 0; kh < kh_n; ++kh) {
      for (int64_t kw = 0; kw < kw_n; ++kw) {
        for (int64_t ci = 0; ci < ci_n; ++ci) {
          for (int32_t j = 0; j < lb; ++j) {
            const int64_t co = co0 + j;
            *dst++ = co < p.out_c ? weight_oihw[((co * ci_n + ci) * kh_n + kh) * kw_n + kw] : 0.f;
          }
        }
      }
    }
  }
}

// Columns of the (virtually) zero-padded input row that the output row reads:
// output pixel ow, tap kw reads padded column ow * stride_w + kw * dilation_w, which is
// input column (that - pad_left).
inline int64_t conv_padded_width(const ConvNhwcParams& p) {
  if (p.out_w <= 0) return 0;
  return int64_t{p.out_w - 1} * p.stride_w + int64_t{p.kernel_w - 1} * p.dilation_w + 1;
}

// Whether some output pixel reads a padding column (left or right); then run() copies the
// rows it needs into a zero-padded workspace so that every pixel takes the unchecked path.
inline bool conv_needs_padded_rows(const ConvNhwcParams& p) {
  return p.pad_left > 0 || conv_padded_width(p) > p.in_w;
}

}  // namespace
}  // namespace octet::kernels
