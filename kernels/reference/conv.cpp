#include "kernels/reference/conv.h"

namespace octet::kernels {

void conv_f32_ref(const ConvParams& p, const float* input, const float* weight, const float* bias,
                  float* output) {
  const int64_t cin_g = p.in_channels / p.groups;
  const int64_t cout_g = p.out_channels / p.groups;
  const int64_t in_plane = spatial_size(p.in);
  const int64_t k_size = spatial_size(p.kernel);
  float* y = output;   // written in [n][m][od][oh][ow] order
  for (int64_t n = 0; n < p.batch; ++n) {
    for (int64_t m = 0; m < p.out_channels; ++m) {
      const int64_t c_first = (m / cout_g) * cin_g;   // first input channel of m's group
      const float* w_m = weight + m * cin_g * k_size;
      for (int64_t od = 0; od < p.out[0]; ++od) {
        for (int64_t oh = 0; oh < p.out[1]; ++oh) {
          for (int64_t ow = 0; ow < p.out[2]; ++ow) {
            float acc = 0.f;
            for (int64_t c = 0; c < cin_g; ++c) {
              const float* x = input + (n * p.in_channels + c_first + c) * in_plane;
              const float* w = w_m + c * k_size;
              for (int64_t kd = 0; kd < p.kernel[0]; ++kd) {
                const int64_t id = od * p.stride[0] - p.pad_begin[0] + kd * p.dilation[0];
                for (int64_t kh = 0; kh < p.kernel[1]; ++kh) {
                  const int64_t ih = oh * p.stride[1] - p.pad_begin[1] + kh * p.dilation[1];
                  for (int64_t kw = 0; kw < p.kernel[2]; ++kw) {
                    const int64_t iw = ow * p.stride[2] - p.pad_begin[2] + kw * p.dilation[2];
                    if (id < 0 || id >= p.in[0] || ih < 0 || ih >= p.in[1] || iw < 0 || iw >= p.in[2]) continue;
                    acc += x[(id * p.in[1] + ih) * p.in[2] + iw] * w[(kd * p.kernel[1] + kh) * p.kernel[2] + kw];
                  }
                }
              }
            }
            if (bias != nullptr) acc += bias[m];
            *y++ = acc;
          }
        }
      }
    }
  }
}

}  // namespace octet::kernels
