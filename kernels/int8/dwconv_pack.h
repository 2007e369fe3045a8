// The packed weights of the SIMD int8 depthwise variants (kernels/int8/dwconv_<isa>.cpp), and
// the tap window of one output pixel. Everything sits in an anonymous namespace so that each
// ISA file gets private copies (the ISA rule, kernels/CMakeLists.txt).
//
// Layout, channels padded to a multiple of 16 (Cp): int32 bias' [Cp], then the weights
// w' = w - weight_zp [kernel_h * kernel_w][Cp], tap-major so that a tap's channels are one
// contiguous run of vectors, each in an int32 lane as a zero-extended int16 (w' & 0xFFFF);
// padding channels hold 0. vpmaddwd of such a lane with a lane holding a code x in 0..255
// (high half 0) is x * w' exactly: one instruction where vpmulld takes two. The input zero
// point is folded into the bias: bias' = bias - input_zp * sum of w' over all taps (mod 2^32),
// and a tap in the padding adds input_zp * w' back, so
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
  const size_t taps = size_t(p.shape.kernel_h) * size_t(p.shape.kernel_w);
  return sizeof(int32_t) * size_t(dw_padded_channels(p)) * (1 + taps);
}

inline void dw_pack(const QConvParams& p, const int8_t* weight, const int32_t* bias, void* packed) {
  const int32_t channels = p.shape.out_c, cp = dw_padded_channels(p);
  const int32_t taps = p.shape.kernel_h * p.shape.kernel_w;
  int32_t* b = static_cast<int32_t*>(packed);
  int32_t* w = b + cp;
  for (int32_t c = 0; c < cp; ++c) {
    uint32_t folded = c < channels && bias != nullptr ? static_cast<uint32_t>(bias[c]) : 0u;
    for (int32_t t = 0; t < taps; ++t) {
      const int32_t v = c < channels ? weight[int64_t{c} * taps + t] - p.weight_zero_point : 0;
      w[int64_t{t} * cp + c] = static_cast<int32_t>(static_cast<uint16_t>(v));
      folded -= static_cast<uint32_t>(p.input_zero_point * v);
    }
    b[c] = static_cast<int32_t>(folded);
  }
}

// The taps [first, end) of one axis whose input index origin + k * dilation lies in [0, size):
// a contiguous range, since the index grows with k.
struct TapRange {
  int32_t first, end;
};
inline TapRange dw_tap_range(int32_t origin, int32_t dilation, int32_t kernel, int32_t size) {
  if (origin >= 0 && origin + (kernel - 1) * dilation < size) return {0, kernel};   // inside: no division
  int32_t first = origin >= 0 ? 0 : (-origin + dilation - 1) / dilation;
  int32_t end = origin >= size ? 0 : (size - 1 - origin) / dilation + 1;
  if (end > kernel) end = kernel;
  if (first > end) first = end;
  return {first, end};
}

// One output pixel's window: the valid taps per axis, the input at the window's origin
// (ih0, iw0; may lie in the padding), where its output channels go.
struct DwPixel {
  TapRange rows, cols;
  int32_t ih0, iw0;
  uint8_t* y;
};

// Calls pixel(DwPixel) for every output pixel of rows [oh_begin, oh_end), clipped to the image.
template <typename F>
inline void dw_for_each_pixel(const ConvNhwcParams& s, uint8_t* output, int32_t oh_begin, int32_t oh_end, F&& pixel) {
  if (oh_begin < 0) oh_begin = 0;
  if (oh_end > s.out_h) oh_end = s.out_h;
  for (int32_t oh = oh_begin; oh < oh_end; ++oh) {
    const int32_t ih0 = oh * s.stride_h - s.pad_top;
    const TapRange rows = dw_tap_range(ih0, s.dilation_h, s.kernel_h, s.in_h);
    for (int32_t ow = 0; ow < s.out_w; ++ow) {
      const int32_t iw0 = ow * s.stride_w - s.pad_left;
      pixel(DwPixel{rows, dw_tap_range(iw0, s.dilation_w, s.kernel_w, s.in_w), ih0, iw0,
                    output + (int64_t{oh} * s.out_w + ow) * s.out_c});
    }
  }
}

// The fixed-point epilogue's constants in the biased form the SIMD variants use: with
// B = 2^(62 - shift), v = acc * m (|v| < 2^62),
//   floor((v + 2^(shift-1) + 2^62) / 2^shift) = rounding_shift(v, shift) + B
// exactly (2^62 is a multiple of 2^shift), and v + 2^(shift-1) + 2^62 lies in [0, 2^64), so a
// logical 64-bit shift computes it; the clamp then runs on the biased value and
// subtracting B - zero_point gives y (requant.h's requantize_u8, bit for bit).
struct DwEpilogue {
  int64_t round, low, high, offset;
};
inline DwEpilogue dw_epilogue(const QConvParams& p) {
  const int64_t bias = int64_t{1} << (62 - p.requant.shift);
  return {(int64_t{1} << (p.requant.shift - 1)) + (int64_t{1} << 62), p.output_min - p.output_zero_point + bias,
          p.output_max - p.output_zero_point + bias, bias - p.output_zero_point};
}

}  // namespace
}  // namespace octet::kernels
