#include "kernels/reference/qdwconv.h"

#include "kernels/int8/requant.h"

namespace octet::kernels {

void qdwconv_nhwc(const QConvParams& p, const uint8_t* input, const int8_t* weight, const int32_t* bias,
                  uint8_t* output, int32_t oh_begin, int32_t oh_end) {
  const ConvNhwcParams& s = p.shape;
  const int32_t channels = s.out_c;
  for (int32_t oh = oh_begin < 0 ? 0 : oh_begin; oh < oh_end && oh < s.out_h; ++oh)
    for (int32_t ow = 0; ow < s.out_w; ++ow)
      for (int32_t c = 0; c < channels; ++c) {
        uint32_t acc = bias != nullptr ? static_cast<uint32_t>(bias[c]) : 0u;
        for (int32_t kh = 0; kh < s.kernel_h; ++kh) {
          const int32_t ih = oh * s.stride_h - s.pad_top + kh * s.dilation_h;
          if (ih < 0 || ih >= s.in_h) continue;
          for (int32_t kw = 0; kw < s.kernel_w; ++kw) {
            const int32_t iw = ow * s.stride_w - s.pad_left + kw * s.dilation_w;
            if (iw < 0 || iw >= s.in_w) continue;
            const int32_t x = input[(int64_t{ih} * s.in_w + iw) * channels + c] - p.input_zero_point;
            const int32_t w = weight[(int64_t{c} * s.kernel_h + kh) * s.kernel_w + kw] - p.weight_zero_point;
            acc += static_cast<uint32_t>(x * w);
          }
        }
        const float scale = p.channel_scales != nullptr ? p.channel_scales[c] : p.scale;
        output[(int64_t{oh} * s.out_w + ow) * channels + c] = requantize_float(
            static_cast<int32_t>(acc), scale, p.output_zero_point, p.output_min, p.output_max);
      }
}

}  // namespace octet::kernels
