// numpy ("multidirectional") broadcasting for the binary element-wise ops.
#pragma once
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "graph/ir.h"

namespace octet::ref {

// The broadcast result shape of a and b: dims aligned at the right, each pair equal or one
// of them 1. Throws octet::Error naming the node when the shapes are incompatible.
inline std::vector<int64_t> broadcast_dims(const Graph& g, const Node& n, const std::vector<int64_t>& a,
                                           const std::vector<int64_t>& b) {
  const size_t rank = std::max(a.size(), b.size());
  std::vector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Dims missing on the left count as 1.
    const int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      throw Error(g.describe(n) + ": shapes " + dims_to_string(a) + " and " + dims_to_string(b) +
                  " cannot be broadcast together (dimension " + std::to_string(i) + ": " + std::to_string(da) +
                  " vs " + std::to_string(db) + ")");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

// Element strides of an input of dims `in` read at every index of `out` (its broadcast
// result): row-major strides, 0 along broadcast and missing leading dims.
inline std::vector<int64_t> broadcast_strides(const std::vector<int64_t>& in, const std::vector<int64_t>& out) {
  std::vector<int64_t> strides(out.size(), 0);
  int64_t s = 1;
  for (size_t k = 0; k < in.size(); ++k) {
    const size_t i = in.size() - 1 - k;          // input dim, from the right
    const size_t o = out.size() - 1 - k;         // the output dim it aligns with
    strides[o] = (in[i] == 1 && out[o] != 1) ? 0 : s;
    s *= in[i];
  }
  return strides;
}

}  // namespace octet::ref
