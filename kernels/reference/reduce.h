// Reductions over any set of axes of a row-major float tensor (ONNX ReduceMean, ReduceMax,
// GlobalMaxPool): the scalar oracle of the reference executor and of the plan's global-max
// and global-average steps.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

namespace octet::kernels {

enum class ReduceKind { Mean, Max };

// out[j] = the mean or the maximum of the input elements whose index, with the reduced axes
// dropped, is j (row-major). Each output sums (Mean, in float) or compares (Max: `x > max`
// from -infinity, as max_pool_ref, so NaN is never selected) its inputs in memory order.
// `reduced` has one flag per dim; no output is empty of inputs unless a reduced dim is 0.
void reduce_f32_ref(ReduceKind kind, std::span<const int64_t> dims, const std::vector<bool>& reduced,
                    const float* input, float* output);

// output[i] = the maximum of input[i*plane .. (i+1)*plane) (GlobalMaxPool over NC + spatial).
void global_max_pool_f32_ref(int64_t planes, int64_t plane, const float* input, float* output);

}  // namespace octet::kernels
