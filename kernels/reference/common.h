// Shared helpers for the scalar reference kernels.
#pragma once
#include <cstdint>

namespace octet::kernels {

// Row-major strides helpers and small utilities live here as kernels need them.

}  // namespace octet::kernels
