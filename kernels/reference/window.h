// Spatial geometry shared by the sliding-window kernels (Conv, AveragePool, MaxPool).
// Kernels work on exactly three spatial dims [depth, height, width]; 1-D and 2-D ops are
// the same loops with the leading dims set to a neutral size 1 (kernel 1, stride 1,
// dilation 1, no padding), so one plain loop nest serves all three ranks.
#pragma once
#include <array>
#include <cstdint>
#include <span>

namespace octet::kernels {

inline constexpr size_t kMaxSpatialDims = 3;
using Spatial = std::array<int64_t, kMaxSpatialDims>;

// Right-aligns `v` (1 to 3 values) in a Spatial, filling the leading entries with `fill`.
// Precondition: v.size() <= 3.
inline Spatial to_spatial(std::span<const int64_t> v, int64_t fill) {
  Spatial s;
  s.fill(fill);
  const size_t lead = kMaxSpatialDims - v.size();
  for (size_t i = 0; i < v.size(); ++i) s[lead + i] = v[i];
  return s;
}

inline int64_t spatial_size(const Spatial& s) { return s[0] * s[1] * s[2]; }

}  // namespace octet::kernels
