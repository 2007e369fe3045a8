// The packed weights of the SIMD int8 depthwise variants (kernels/int8/dwconv_<isa>.cpp, the
// loops in dwconv_impl.h). Everything sits in an anonymous namespace so that each ISA file
// gets private copies (the ISA rule, kernels/CMakeLists.txt).
//
// Layout, channels padded to a multiple of 16 (Cp): int32 bias' [Cp], then the weights
// w' = w - weight_zp (in [-255, 255]) as tap pairs [ceil(kernel_h / 2)][kernel_w][Cp]: the
// int32 lane of pair g, column kw, channel c holds w'[c][2g][kw] in its low int16 and
// w'[c][2g + 1][kw] in its high one (0 past the last kernel row, and for padding channels).
// vpmaddwd of such a lane with a lane holding the codes x0, x1 in 0..255 of those two taps as
// int16 is x0 * w'0 + x1 * w'1 exactly (at most 2 * 255 * 255 in magnitude). The input zero
// point is folded into the bias: bias' = bias - input_zp * sum of w' over all taps (mod 2^32),
// and a tap in the padding reads input_zp, adding input_zp * w' back, so
//   acc = bias' + sum_valid x * w' + sum_padding input_zp * w' = bias + sum_valid (x - input_zp) * w'
// modulo 2^32, the reference's wrapping accumulator.
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernels/f32/conv.h"
#include "kernels/int8/conv.h"

namespace octet::kernels {
namespace {

inline int32_t dw_padded_channels(const QConvParams& p) { return (p.shape.out_c + 15) / 16 * 16; }

inline size_t dw_packed_bytes(const QConvParams& p) {
  const size_t pairs = size_t(p.shape.kernel_h + 1) / 2 * size_t(p.shape.kernel_w);
  return sizeof(int32_t) * size_t(dw_padded_channels(p)) * (1 + pairs);
}

inline void dw_pack(const QConvParams& p, const int8_t* weight, const int32_t* bias, void* packed) {
  const int32_t channels = p.shape.out_c, cp = dw_padded_channels(p);
  const int32_t kh_n = p.shape.kernel_h, kw_n = p.shape.kernel_w;
  int32_t* b = static_cast<int32_t*>(packed);
  uint32_t* w = reinterpret_cast<uint32_t*>(b + cp);
  for (int32_t c = 0; c < cp; ++c) {
    uint32_t folded = c < channels && bias != nullptr ? static_cast<uint32_t>(bias[c]) : 0u;
    // w' of tap (kh, kw), 0 past the kernel or the channels.
    auto tap = [&](int32_t kh, int32_t kw) {
      return c < channels && kh < kh_n ? weight[(int64_t{c} * kh_n + kh) * kw_n + kw] - p.weight_zero_point : 0;
    };
    for (int32_t kh = 0; kh < kh_n; ++kh)
      for (int32_t kw = 0; kw < kw_n; ++kw) folded -= static_cast<uint32_t>(p.input_zero_point * tap(kh, kw));
    for (int32_t g = 0; 2 * g < kh_n; ++g)
      for (int32_t kw = 0; kw < kw_n; ++kw)
        w[(int64_t{g} * kw_n + kw) * cp + c] = uint32_t{static_cast<uint16_t>(tap(2 * g, kw))} |
                                                uint32_t{static_cast<uint16_t>(tap(2 * g + 1, kw))} << 16;
    b[c] = static_cast<int32_t>(folded);
  }
}

}  // namespace
}  // namespace octet::kernels
