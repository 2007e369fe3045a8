#include "kernels/reference/gather.h"

#include <cstring>

namespace octet::kernels {

void gather(const GatherParams& p, const uint8_t* data, const int64_t* indices, uint8_t* out) {
  const size_t block = static_cast<size_t>(p.inner) * p.elem_size;
  for (int64_t o = 0; o < p.outer; ++o) {
    const uint8_t* slab = data + static_cast<size_t>(o * p.axis_dim) * block;
    for (int64_t j = 0; j < p.num_indices; ++j) {
      std::memcpy(out, slab + static_cast<size_t>(indices[j]) * block, block);
      out += block;
    }
  }
}

}  // namespace octet::kernels
