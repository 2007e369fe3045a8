#include "kernels/reference/pool.h"

#include <algorithm>
#include <limits>

namespace octet::kernels {
namespace {

bool inside(int64_t i, int64_t n) { return i >= 0 && i < n; }

// First input coordinate of output position o's window along one dim.
int64_t window_start(const PoolParams& p, size_t dim, int64_t o) { return o * p.stride[dim] - p.pad_begin[dim]; }

// Taps of one dim of the window lying inside the padded input [-pad_begin, in + pad_end).
int64_t padded_taps(const PoolParams& p, size_t dim, int64_t o) {
  int64_t count = 0;
  for (int64_t k = 0; k < p.kernel[dim]; ++k) {
    const int64_t i = window_start(p, dim, o) + k * p.dilation[dim];
    if (i >= -p.pad_begin[dim] && i < p.in[dim] + p.pad_end[dim]) ++count;
  }
  return count;
}

}  // namespace

void average_pool_f32_ref(const PoolParams& p, bool count_include_pad, const float* input, float* output) {
  const int64_t plane = spatial_size(p.in);
  float* y = output;
  for (int64_t nc = 0; nc < p.batch * p.channels; ++nc) {
    const float* x = input + nc * plane;
    for (int64_t od = 0; od < p.out[0]; ++od) {
      for (int64_t oh = 0; oh < p.out[1]; ++oh) {
        for (int64_t ow = 0; ow < p.out[2]; ++ow) {
          float sum = 0.f;
          int64_t inside_count = 0;
          for (int64_t kd = 0; kd < p.kernel[0]; ++kd) {
            const int64_t id = window_start(p, 0, od) + kd * p.dilation[0];
            for (int64_t kh = 0; kh < p.kernel[1]; ++kh) {
              const int64_t ih = window_start(p, 1, oh) + kh * p.dilation[1];
              for (int64_t kw = 0; kw < p.kernel[2]; ++kw) {
                const int64_t iw = window_start(p, 2, ow) + kw * p.dilation[2];
                if (!inside(id, p.in[0]) || !inside(ih, p.in[1]) || !inside(iw, p.in[2])) continue;
                sum += x[(id * p.in[1] + ih) * p.in[2] + iw];
                ++inside_count;
              }
            }
          }
          const int64_t divisor =
              count_include_pad ? padded_taps(p, 0, od) * padded_taps(p, 1, oh) * padded_taps(p, 2, ow) : inside_count;
          *y++ = sum / static_cast<float>(divisor);
        }
      }
    }
  }
}

template <typename T>
void max_pool_ref(const PoolParams& p, const T* input, T* output, int64_t* indices, bool column_major) {
  const int64_t plane = spatial_size(p.in);
  T* y = output;
  int64_t* ind = indices;
  for (int64_t nc = 0; nc < p.batch * p.channels; ++nc) {
    const T* x = input + nc * plane;
    for (int64_t od = 0; od < p.out[0]; ++od) {
      for (int64_t oh = 0; oh < p.out[1]; ++oh) {
        for (int64_t ow = 0; ow < p.out[2]; ++ow) {
          T best = std::numeric_limits<T>::lowest();
          // Position of `best`; starts at the window's first tap clamped into the input.
          int64_t bd = std::clamp<int64_t>(window_start(p, 0, od), 0, p.in[0] - 1);
          int64_t bh = std::clamp<int64_t>(window_start(p, 1, oh), 0, p.in[1] - 1);
          int64_t bw = std::clamp<int64_t>(window_start(p, 2, ow), 0, p.in[2] - 1);
          for (int64_t kd = 0; kd < p.kernel[0]; ++kd) {
            const int64_t id = window_start(p, 0, od) + kd * p.dilation[0];
            for (int64_t kh = 0; kh < p.kernel[1]; ++kh) {
              const int64_t ih = window_start(p, 1, oh) + kh * p.dilation[1];
              for (int64_t kw = 0; kw < p.kernel[2]; ++kw) {
                const int64_t iw = window_start(p, 2, ow) + kw * p.dilation[2];
                if (!inside(id, p.in[0]) || !inside(ih, p.in[1]) || !inside(iw, p.in[2])) continue;
                const T v = x[(id * p.in[1] + ih) * p.in[2] + iw];
                if (v > best) {
                  best = v;
                  bd = id;
                  bh = ih;
                  bw = iw;
                }
              }
            }
          }
          *y++ = best;
          if (ind != nullptr) {
            const int64_t pos = column_major ? bd + bh * p.in[0] + bw * p.in[0] * p.in[1]
                                             : (bd * p.in[1] + bh) * p.in[2] + bw;
            *ind++ = nc * plane + pos;
          }
        }
      }
    }
  }
}

template void max_pool_ref<float>(const PoolParams&, const float*, float*, int64_t*, bool);
template void max_pool_ref<int8_t>(const PoolParams&, const int8_t*, int8_t*, int64_t*, bool);
template void max_pool_ref<uint8_t>(const PoolParams&, const uint8_t*, uint8_t*, int64_t*, bool);

void global_average_pool_f32_ref(int64_t planes, int64_t plane, const float* input, float* output) {
  for (int64_t i = 0; i < planes; ++i) {
    float sum = 0.f;
    for (int64_t j = 0; j < plane; ++j) sum += input[i * plane + j];
    output[i] = sum / static_cast<float>(plane);
  }
}

}  // namespace octet::kernels
