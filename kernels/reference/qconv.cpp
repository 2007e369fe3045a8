#include "kernels/reference/qconv.h"

#include "kernels/int8/requant.h"

namespace octet::kernels {

void qconv_nhwc(const QConvParams& p, const uint8_t* input_nhwc, const int8_t* weight_oihw,
                const int32_t* bias, const uint8_t* residual, uint8_t* output) {
  const ConvNhwcParams& s = p.shape;
  for (int32_t oh = 0; oh < s.out_h; ++oh) {
    for (int32_t ow = 0; ow < s.out_w; ++ow) {
      for (int32_t co = 0; co < s.out_c; ++co) {
        int64_t sum = bias != nullptr ? bias[co] : 0;
        for (int32_t kh = 0; kh < s.kernel_h; ++kh) {
          const int32_t ih = oh * s.stride_h - s.pad_top + kh * s.dilation_h;
          if (ih < 0 || ih >= s.in_h) continue;
          for (int32_t kw = 0; kw < s.kernel_w; ++kw) {
            const int32_t iw = ow * s.stride_w - s.pad_left + kw * s.dilation_w;
            if (iw < 0 || iw >= s.in_w) continue;
            for (int32_t ci = 0; ci < s.in_c; ++ci) {
              const int32_t x = input_nhwc[(int64_t{ih} * s.in_w + iw) * s.in_c + ci];
              const int32_t w = weight_oihw[((int64_t{co} * s.in_c + ci) * s.kernel_h + kh) * s.kernel_w + kw];
              sum += int64_t{x - p.input_zero_point} * (w - p.weight_zero_point);
            }
          }
        }
        const int32_t acc = static_cast<int32_t>(sum);   // int32, wrapping (see the header)
        const int64_t pixel = int64_t{oh} * s.out_w + ow, at = pixel * s.out_c + co;
        const float scale = p.channel_scales != nullptr ? p.channel_scales[co] : p.scale;
        if (p.round_before_residual) {   // c, its own uint8 tensor, then the Add in its order
          const int32_t c = requantize_float(acc, scale, p.conv_zero_point, 0, 255);
          output[at] = residual_add_u8(p, c, residual[at]);
          continue;
        }
        const uint8_t y = requantize_float(acc, scale, p.output_zero_point, p.output_min, p.output_max);
        output[pixel * p.y_pixel() + co] = p.has_output_table ? p.output_table[y] : y;   // conv.h
      }
    }
  }
}

}  // namespace octet::kernels
