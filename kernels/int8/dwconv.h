// int8 depthwise convolution over channels-last (NHWC) uint8 activations, one image per call:
// ONNX Conv with group == in_c == out_c (channel multiplier 1), with int32 accumulation and
// ONNX Runtime's float requantisation (kernels/int8/requant.h's requantize_float, the scalar
// form of MlasRequantizeOutput), per-tensor or per-channel scales. Any kernel size, stride,
// dilation and padding.
//
// What every variant computes, exactly (the oracle is kernels/reference/qdwconv.h):
//   acc[c] = bias[c] + sum over taps inside the input of
//              (x[ih][iw][c] - input_zp) * (w[c][kh][kw] - weight_zp)      (int32, wrapping)
//   y      = requantize_float(acc, s[c], output_zp, output_min, output_max)
//          = clamp(round_half_even(clamp(float(acc) * s[c], min - zp, max - zp))) + zp
// s[c] = scale, or channel_scales[c] with per-channel weights (float(float(s_in * s_w[c]) /
// s_out), conv_requant_scale, as ONNX Runtime's QLinearConv computes it). Every scale must be
// finite. Taps in the padding contribute nothing. A residual is not taken here: the compiler
// follows a depthwise conv that a residual Add was fused into with the int8 Add.
//
// AVX2, AVX-512 and VNNI variants (loops: dwconv_impl.h): the taps of two kernel rows share
// an int32 lane as two int16 products summed by vpmaddwd, or by VNNI's vpdpwssd, which also
// adds them to the accumulator. For symmetric weights (w - weight_zp = w fits int8), 3x3 and
// 5x5 kernels and more than 16 channels, the u8s8 VNNI variant (dwconv_u8s8_vnni.cpp) comes
// first: four input rows interleaved per column, four taps per vpdpbusd lane. The pair
// variants' epilogue is vcvtdq2ps, vmulps, vmaxps, vminps, vcvtps2dq (round half to even under
// the default MXCSR), vpaddd: IEEE single operations are correctly rounded, so each lane gives
// the scalar reference's code.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "kernels/int8/conv.h"

namespace octet::kernels {

struct QDwConvU8Kernel {
  const char* name;   // its name in the kernel table, e.g. "qu8_dwconv_nhwc_avx2"
  // in_c == out_c, positive geometry, a finite scale, no residual (see above).
  bool (*supports)(const QConvParams&);
  size_t (*packed_bytes)(const QConvParams&);
  // weight: int8 [channels][kernel_h][kernel_w] (ONNX's [C][1][kH][kW]); bias: int32 [channels],
  // nullable. `packed` is 64-byte aligned.
  void (*pack)(const QConvParams&, const int8_t* weight, const int32_t* bias, void* packed);
  // Output rows [oh_begin, oh_end) of one image; needs no scratch.
  void (*run)(const QConvParams&, const void* packed, const uint8_t* input, uint8_t* output, int32_t oh_begin,
              int32_t oh_end);
  // Whether packed bytes that pack() did not necessarily write (a loaded .octet file) hold
  // what run() relies on beyond their size; nullable: nothing beyond it. The plan checker
  // calls it, so that a hand-edited file gives an error instead of wrong codes.
  bool (*packed_ok)(const QConvParams&, const void* packed);
};

// The checks every variant's supports() makes (the SIMD ones take every shape the scalar does).
// In an anonymous namespace: each ISA file gets its own copy (the ISA rule).
namespace {
inline bool qdwconv_supported(const QConvParams& p) {
  const ConvNhwcParams& s = p.shape;
  return s.in_h > 0 && s.in_w > 0 && s.in_c > 0 && s.out_c == s.in_c && s.out_h > 0 && s.out_w > 0 &&
         s.kernel_h > 0 && s.kernel_w > 0 && s.stride_h > 0 && s.stride_w > 0 && s.dilation_h > 0 &&
         s.dilation_w > 0 && s.pad_top >= 0 && s.pad_left >= 0 && std::isfinite(p.scale) && !p.round_before_residual &&
         p.output_min >= 0 && p.output_min <= p.output_max && p.output_max <= 255;
}
}  // namespace

// The variants (kernels/int8/dwconv_<isa>.cpp) are listed in the kernel table,
// kernels/kernels.inc, and declared in kernels/kernels.h.

}  // namespace octet::kernels
