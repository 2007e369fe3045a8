#include "kernels/reference/reduce.h"

#include <limits>

namespace octet::kernels {

void reduce_f32_ref(ReduceKind kind, std::span<const int64_t> dims, const std::vector<bool>& reduced,
                    const float* input, float* output) {
  const size_t rank = dims.size();
  // Each input axis's stride in the output (0 for a reduced axis).
  std::vector<int64_t> out_stride(rank, 0);
  int64_t out_count = 1, in_count = 1;
  for (size_t i = rank; i-- > 0;) {
    if (!reduced[i]) {
      out_stride[i] = out_count;
      out_count *= dims[i];
    }
    in_count *= dims[i];
  }
  const float init = kind == ReduceKind::Mean ? 0.f : -std::numeric_limits<float>::infinity();
  for (int64_t j = 0; j < out_count; ++j) output[j] = init;
  std::vector<int64_t> index(rank, 0);
  int64_t out = 0;
  for (int64_t e = 0; e < in_count; ++e) {
    const float x = input[e];
    if (kind == ReduceKind::Mean) output[out] += x;
    else if (x > output[out]) output[out] = x;
    for (size_t i = rank; i-- > 0;) {   // next index, row-major, keeping `out` in step
      out += out_stride[i];
      if (++index[i] < dims[i]) break;
      out -= out_stride[i] * dims[i];
      index[i] = 0;
    }
  }
  if (kind == ReduceKind::Mean && out_count > 0) {
    const float count = static_cast<float>(in_count / out_count);
    for (int64_t j = 0; j < out_count; ++j) output[j] /= count;
  }
}

void global_max_pool_f32_ref(int64_t planes, int64_t plane, const float* input, float* output) {
  for (int64_t i = 0; i < planes; ++i) {
    float m = -std::numeric_limits<float>::infinity();
    for (int64_t j = 0; j < plane; ++j)
      if (input[i * plane + j] > m) m = input[i * plane + j];
    output[i] = m;
  }
}

}  // namespace octet::kernels
