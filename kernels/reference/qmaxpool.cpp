#include "kernels/reference/qmaxpool.h"

#include "kernels/reference/qvector.h"

namespace octet::kernels {

void max_pool_qu8_nhwc_ref(const PoolNhwcParams& p, const uint8_t* table, const uint8_t* in, uint8_t* out,
                           int32_t oh_begin, int32_t oh_end) {
  const int64_t channels = p.channels;
  for (int32_t oh = oh_begin; oh < oh_end; ++oh)
    for (int32_t ow = 0; ow < p.out_w; ++ow)
      for (int64_t c = 0; c < channels; ++c) {
        int32_t best = -1;   // no tap yet
        for (int32_t ky = 0; ky < p.kernel_h; ++ky) {
          const int32_t ih = oh * p.stride_h - p.pad_top + ky * p.dilation_h;
          if (ih < 0 || ih >= p.in_h) continue;
          for (int32_t kx = 0; kx < p.kernel_w; ++kx) {
            const int32_t iw = ow * p.stride_w - p.pad_left + kx * p.dilation_w;
            if (iw < 0 || iw >= p.in_w) continue;
            const int32_t v = in[(int64_t{ih} * p.in_w + iw) * channels + c];
            if (v > best) best = v;
          }
        }
        uint8_t& y = out[(int64_t{oh} * p.out_w + ow) * channels + c];
        y = best < 0 ? 0 : table != nullptr ? table[best] : static_cast<uint8_t>(best);
      }
}

bool requantize_table_qu8(float in_scale, int32_t in_zero_point, float out_scale, int32_t out_zero_point,
                          uint8_t* table) {
  uint8_t codes[256];
  float x[256];
  for (int i = 0; i < 256; ++i) codes[i] = static_cast<uint8_t>(i);
  dequantize_qu8_ref(256, codes, in_scale, in_zero_point, x);
  quantize_qu8_ref(256, x, out_scale, out_zero_point, table);
  bool identity = true;
  for (int i = 0; i < 256; ++i) identity = identity && table[i] == i;
  return identity;
}

}  // namespace octet::kernels
