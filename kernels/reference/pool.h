// Pooling (ONNX AveragePool, MaxPool, GlobalAveragePool), NC + spatial layout.
// The scalar oracles that SIMD pooling is checked against.
#pragma once
#include <cstdint>

#include "kernels/reference/window.h"

namespace octet::kernels {

// Spatial entries are [depth, height, width]; see window.h for 1-D and 2-D.
// `channels` planes per batch item are pooled independently.
struct PoolParams {
  int64_t batch = 1;
  int64_t channels = 1;
  Spatial in{1, 1, 1};
  Spatial out{1, 1, 1};
  Spatial kernel{1, 1, 1};
  Spatial stride{1, 1, 1};
  Spatial dilation{1, 1, 1};
  Spatial pad_begin{0, 0, 0};
  Spatial pad_end{0, 0, 0};   // AveragePool with count_include_pad counts taps up to here
};

// Mean of the window's taps, summed in float in row-major window order, then divided by:
//  - count_include_pad: the number of taps inside the padded input [-pad_begin, in + pad_end)
//    (with ceil_mode, taps past the end padding are not counted), as ONNX Runtime does;
//  - otherwise the number of taps inside the input. A window with none (pads >= kernel)
//    gives 0/0 = NaN, as in ONNX Runtime.
void average_pool_f32_ref(const PoolParams& p, bool count_include_pad, const float* input, float* output);

// Maximum of the window's taps inside the input, found with `x > max` from the type's
// lowest value, as ONNX Runtime does: NaN is never selected, the first maximum wins ties,
// and a window with no tap in the input gives the lowest value.
// indices (nullable): per output, the flat index of the chosen input element over the whole
// input tensor, (n*C + c) * plane + pos, with pos = (d*H + h)*W + w (row-major), or with
// column_major (ONNX storage_order=1) pos = d + h*D + w*D*H, which for 2-D is h + w*H.
// A window with no tap in the input reports the index of its first tap clamped into the
// input. Instantiated for float, int8_t and uint8_t.
template <typename T>
void max_pool_ref(const PoolParams& p, const T* input, T* output, int64_t* indices, bool column_major);

// output[i] = mean of input[i*plane .. (i+1)*plane), summed in float in memory order.
void global_average_pool_f32_ref(int64_t planes, int64_t plane, const float* input, float* output);

}  // namespace octet::kernels
