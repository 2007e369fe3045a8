// Gather along one axis, for elements of any type, byte-wise.
#pragma once
#include <cstddef>
#include <cstdint>

namespace octet::kernels {

// data viewed as [outer, axis_dim, inner]; out as [outer, num_indices, inner]:
// out[o, j, :] = data[o, indices[j], :].
struct GatherParams {
  int64_t outer = 1;
  int64_t axis_dim = 0;
  int64_t inner = 1;
  int64_t num_indices = 0;
  size_t elem_size = 0;
};

// Precondition: every index is in [0, axis_dim) (the caller normalizes negative indices
// and reports out-of-range ones).
void gather(const GatherParams& p, const uint8_t* data, const int64_t* indices, uint8_t* out);

}  // namespace octet::kernels
