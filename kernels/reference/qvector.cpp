#include "kernels/reference/qvector.h"

#include <algorithm>
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

namespace {

// clamp(round_half_even(t), lo, hi), clamping t first (equal: rounding is monotonic).
uint8_t round_clamped(float t, int32_t lo, int32_t hi) {
  t = std::min(std::max(t, static_cast<float>(lo)), static_cast<float>(hi));
  return static_cast<uint8_t>(std::nearbyint(t));
}

}  // namespace

void add_qu8_ref(int64_t n, const uint8_t* a, const uint8_t* b, uint8_t* y, const QAddParams& p) {
  for (int64_t i = 0; i < n; ++i) y[i] = qadd_float(a[i], b[i], p.rescale, p.output_min, p.output_max);
}

void mul_qu8_ref(int64_t rows, int32_t cols, const uint8_t* a, const uint8_t* b, int64_t b_row_stride, uint8_t* y,
                 const QMulParams& p) {
  for (int64_t r = 0; r < rows; ++r)
    for (int32_t c = 0; c < cols; ++c) {
      const int64_t i = r * cols + c;
      const int32_t product = (a[i] - p.a_zero_point) * (b[r * b_row_stride + c] - p.b_zero_point);
      const float t = static_cast<float>(product) * p.ratio;
      y[i] = round_clamped(t + static_cast<float>(p.output_zero_point), p.output_min, p.output_max);
    }
}

void average_pool_qu8_ref(const QPoolParams& p, const uint8_t* in, uint8_t* out, int32_t oh_begin, int32_t oh_end) {
  const PoolNhwcParams& s = p.shape;
  for (int32_t oh = oh_begin; oh < oh_end; ++oh) {
    for (int32_t ow = 0; ow < s.out_w; ++ow) {
      for (int32_t c = 0; c < s.channels; ++c) {
        float sum = 0;
        int64_t inside = 0, padded = 0;
        for (int32_t kh = 0; kh < s.kernel_h; ++kh) {
          const int64_t ih = int64_t{oh} * s.stride_h - s.pad_top + int64_t{kh} * s.dilation_h;
          for (int32_t kw = 0; kw < s.kernel_w; ++kw) {
            const int64_t iw = int64_t{ow} * s.stride_w - s.pad_left + int64_t{kw} * s.dilation_w;
            if (ih >= -s.pad_top && ih < s.in_h + s.pad_bottom && iw >= -s.pad_left && iw < s.in_w + s.pad_right)
              ++padded;
            if (ih < 0 || ih >= s.in_h || iw < 0 || iw >= s.in_w) continue;
            sum += static_cast<float>(in[(ih * s.in_w + iw) * s.channels + c] - p.input_zero_point) * p.input_scale;
            ++inside;
          }
        }
        const int64_t count = s.count_include_pad ? padded : inside;
        const float mean = count == 0 ? 0.f : sum / static_cast<float>(count);
        const float t = mean / p.output_scale + static_cast<float>(p.output_zero_point);
        out[(int64_t{oh} * s.out_w + ow) * s.channels + c] = round_clamped(t, p.output_min, p.output_max);
      }
    }
  }
}

void global_average_pool_qu8_ref(int32_t hw, int32_t channels, const uint8_t* in, uint8_t* out,
                                 const QGlobalAverageParams& p) {
  for (int32_t c = 0; c < channels; ++c) {
    int32_t acc = -p.input_zero_point * hw;
    for (int32_t i = 0; i < hw; ++i) acc += in[int64_t{i} * channels + c];
    out[c] = requantize_float(acc, p.scale, p.output_zero_point, p.output_min, p.output_max);
  }
}

}  // namespace octet::kernels
