#include "kernels/reference/qvector.h"

#include <cmath>

namespace octet::kernels {

void quantize_qu8_ref(int64_t n, const float* x, float scale, int32_t zero_point, uint8_t* q) {
  for (int64_t i = 0; i < n; ++i) {
    const float t = x[i] / scale;
    // In double so that huge quotients (and +-inf) compare without overflow.
    double v = std::isnan(t) ? double(zero_point) : double(std::nearbyint(t)) + zero_point;
    if (v < 0) v = 0;
    if (v > 255) v = 255;
    q[i] = static_cast<uint8_t>(v);
  }
}

void dequantize_qu8_ref(int64_t n, const uint8_t* q, float scale, int32_t zero_point, float* x) {
  for (int64_t i = 0; i < n; ++i) x[i] = static_cast<float>(int32_t{q[i]} - zero_point) * scale;
}

void add_qu8_ref(int64_t n, const uint8_t* a, const uint8_t* b, uint8_t* y, const QAddParams& p) {
  for (int64_t i = 0; i < n; ++i) {
    const int64_t v = int64_t{a[i] - p.a_zero_point} * p.a_multiplier + int64_t{b[i] - p.b_zero_point} * p.b_multiplier;
    y[i] = requantize_u8(v, p.shift, p.output_zero_point, p.output_min, p.output_max);
  }
}

void mul_qu8_ref(int64_t rows, int32_t cols, const uint8_t* a, const uint8_t* b, int64_t b_row_stride, uint8_t* y,
                 const QMulParams& p) {
  for (int64_t r = 0; r < rows; ++r)
    for (int32_t c = 0; c < cols; ++c) {
      const int64_t i = r * cols + c;
      const int64_t product = int64_t{a[i] - p.a_zero_point} * (b[r * b_row_stride + c] - p.b_zero_point);
      y[i] = requantize_u8(product * p.multiplier, p.shift, p.output_zero_point, p.output_min, p.output_max);
    }
}

void average_pool_qu8_ref(const QPoolParams& p, const uint8_t* in, uint8_t* out, int32_t oh_begin, int32_t oh_end) {
  const PoolNhwcParams& s = p.shape;
  for (int32_t oh = oh_begin; oh < oh_end; ++oh) {
    for (int32_t ow = 0; ow < s.out_w; ++ow) {
      for (int32_t c = 0; c < s.channels; ++c) {
        int64_t sum = 0, inside = 0, padded = 0;
        for (int32_t kh = 0; kh < s.kernel_h; ++kh) {
          const int64_t ih = int64_t{oh} * s.stride_h - s.pad_top + int64_t{kh} * s.dilation_h;
          for (int32_t kw = 0; kw < s.kernel_w; ++kw) {
            const int64_t iw = int64_t{ow} * s.stride_w - s.pad_left + int64_t{kw} * s.dilation_w;
            if (ih >= -s.pad_top && ih < s.in_h + s.pad_bottom && iw >= -s.pad_left && iw < s.in_w + s.pad_right)
              ++padded;
            if (ih < 0 || ih >= s.in_h || iw < 0 || iw >= s.in_w) continue;
            sum += in[(ih * s.in_w + iw) * s.channels + c] - p.input_zero_point;
            ++inside;
          }
        }
        const int64_t count = s.count_include_pad ? padded : inside;
        const int64_t m = count == 0 ? 0 : p.multipliers[count];
        out[(int64_t{oh} * s.out_w + ow) * s.channels + c] =
            requantize_u8(sum * m, p.shift, p.output_zero_point, p.output_min, p.output_max);
      }
    }
  }
}

void global_average_pool_qu8_ref(int32_t hw, int32_t channels, const uint8_t* in, uint8_t* out,
                                 int32_t input_zero_point, int32_t output_zero_point, Requant requant,
                                 int32_t output_min, int32_t output_max) {
  for (int32_t c = 0; c < channels; ++c) {
    int64_t sum = 0;
    for (int32_t i = 0; i < hw; ++i) sum += in[int64_t{i} * channels + c] - input_zero_point;
    out[c] = requantize_u8(sum * requant.multiplier, requant.shift, output_zero_point, output_min, output_max);
  }
}

}  // namespace octet::kernels
