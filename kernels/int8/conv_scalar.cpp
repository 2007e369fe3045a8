// Portable int8 NHWC convolution (no SIMD intrinsics; the compiler vectorises the inner loop
// over output channels with the x86-64 baseline): the variant for CPUs without AVX2, and the
// one that handles every shape.
//
// Packing folds both zero points away: weights are stored as int16 w' = w - weight_zp
// ([-255, 255]), laid out [kh][kw][ci][co] so the inner loop runs over contiguous output
// channels, and the bias becomes bias - input_zp * Σw'. A tap in the padding then reads
// input_zp, which gives (input_zp - input_zp) * w' = 0 exactly as the formula asks, so every
// pixel runs the same loop:
//   acc[co] = bias'[co] + Σ_{kh,kw,ci} x' * w'      (x' = x, or input_zp in the padding)
// Accumulation wraps modulo 2^32 (uint32), as the reference's int32 accumulator does.
#include <cstring>

#include "kernels/int8/conv.h"
#include "kernels/kernels.h"

namespace octet::kernels {
namespace {

size_t taps(const QConvParams& p) {
  return size_t(p.shape.kernel_h) * size_t(p.shape.kernel_w) * size_t(p.shape.in_c);
}

bool supports(const QConvParams& p) {
  const ConvNhwcParams& s = p.shape;
  return s.in_h > 0 && s.in_w > 0 && s.in_c > 0 && s.out_h > 0 && s.out_w > 0 && s.out_c > 0 &&
         s.kernel_h > 0 && s.kernel_w > 0 && s.stride_h > 0 && s.stride_w > 0 && s.dilation_h > 0 &&
         s.dilation_w > 0 && s.pad_top >= 0 && s.pad_left >= 0 && output_layout_ok(p);
}

size_t packed_bytes(const QConvParams& p) {
  return sizeof(int32_t) * size_t(p.shape.out_c) + sizeof(int16_t) * taps(p) * size_t(p.shape.out_c);
}

void pack(const QConvParams& p, const int8_t* weight_oihw, const int32_t* bias, void* packed) {
  const ConvNhwcParams& s = p.shape;
  const int32_t kh_n = s.kernel_h, kw_n = s.kernel_w, ci_n = s.in_c, co_n = s.out_c;
  int32_t* b = static_cast<int32_t*>(packed);
  int16_t* w = reinterpret_cast<int16_t*>(b + co_n);
  for (int32_t co = 0; co < co_n; ++co) {
    int64_t wsum = 0;
    for (int32_t kh = 0; kh < kh_n; ++kh)
      for (int32_t kw = 0; kw < kw_n; ++kw)
        for (int32_t ci = 0; ci < ci_n; ++ci) {
          const int32_t v = weight_oihw[((int64_t{co} * ci_n + ci) * kh_n + kh) * kw_n + kw] - p.weight_zero_point;
          w[((int64_t{kh} * kw_n + kw) * ci_n + ci) * co_n + co] = static_cast<int16_t>(v);
          wsum += v;
        }
    const int64_t folded = (bias != nullptr ? bias[co] : 0) - int64_t{p.input_zero_point} * wsum;
    b[co] = static_cast<int32_t>(static_cast<uint32_t>(folded));   // modulo 2^32
  }
}

size_t workspace_bytes(const QConvParams& p) { return sizeof(uint32_t) * size_t(p.shape.out_c); }

void run(const QConvParams& p, const void* packed, const uint8_t* input, const uint8_t* residual,
         uint8_t* output, void* workspace, int32_t oh_begin, int32_t oh_end) {
  const ConvNhwcParams& s = p.shape;
  const int32_t co_n = s.out_c, ci_n = s.in_c;
  const int32_t* bias = static_cast<const int32_t*>(packed);
  const int16_t* weight = reinterpret_cast<const int16_t*>(bias + co_n);
  uint32_t* acc = static_cast<uint32_t*>(workspace);
  const uint8_t zx = static_cast<uint8_t>(p.input_zero_point);
  const float* scales = p.channel_scales;   // per output channel, or nullptr (conv.h)
  if (oh_begin < 0) oh_begin = 0;
  if (oh_end > s.out_h) oh_end = s.out_h;
  for (int32_t oh = oh_begin; oh < oh_end; ++oh) {
    for (int32_t ow = 0; ow < s.out_w; ++ow) {
      std::memcpy(acc, bias, sizeof(uint32_t) * size_t(co_n));
      const int16_t* w = weight;
      for (int32_t kh = 0; kh < s.kernel_h; ++kh) {
        const int32_t ih = oh * s.stride_h - s.pad_top + kh * s.dilation_h;
        for (int32_t kw = 0; kw < s.kernel_w; ++kw) {
          const int32_t iw = ow * s.stride_w - s.pad_left + kw * s.dilation_w;
          const bool inside = ih >= 0 && ih < s.in_h && iw >= 0 && iw < s.in_w;
          const uint8_t* x = inside ? input + (int64_t{ih} * s.in_w + iw) * ci_n : nullptr;
          for (int32_t ci = 0; ci < ci_n; ++ci, w += co_n) {
            const int32_t xv = inside ? x[ci] : zx;
            if (xv == 0) continue;
            for (int32_t co = 0; co < co_n; ++co) acc[co] += static_cast<uint32_t>(xv * w[co]);
          }
        }
      }
      const int64_t pixel = int64_t{oh} * s.out_w + ow;
      uint8_t* y = output + pixel * p.y_pixel();
      if (p.round_before_residual) {   // conv.h: c, then the Add with the residual (dense)
        const uint8_t* r = residual + pixel * co_n;
        for (int32_t co = 0; co < co_n; ++co) {
          const int32_t c = requantize_float(static_cast<int32_t>(acc[co]), scales != nullptr ? scales[co] : p.scale,
                                             p.conv_zero_point, 0, 255);
          y[co] = residual_add_u8(p, c, r[co]);
        }
        continue;
      }
      for (int32_t co = 0; co < co_n; ++co)
        y[co] = requantize_float(static_cast<int32_t>(acc[co]), scales != nullptr ? scales[co] : p.scale,
                                 p.output_zero_point, p.output_min, p.output_max);
      if (p.has_output_table)
        for (int32_t co = 0; co < co_n; ++co) y[co] = p.output_table[y[co]];
    }
  }
}

}  // namespace

const QConvU8Kernel qu8_conv_nhwc_scalar = {
    "qu8_conv_nhwc_scalar", &supports, &packed_bytes, &pack, &workspace_bytes, &run, 1,
};

}  // namespace octet::kernels
