#include "graph/slice_range.h"

#include <algorithm>

namespace octet {

SliceRange slice_range(int64_t dim, int64_t start, int64_t end, int64_t step) {
  // dim >= 0, so adding it to a negative bound (even INT64_MIN) cannot overflow.
  if (start < 0) start += dim;
  if (end < 0) end += dim;
  int64_t distance;   // elements between start and end in the step's direction, in [1, dim]
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, dim);
    end = std::clamp<int64_t>(end, 0, dim);
    if (end <= start) return {start, 0};
    distance = end - start;
  } else {
    if (dim == 0) return {0, 0};
    start = std::clamp<int64_t>(start, 0, dim - 1);
    end = std::clamp<int64_t>(end, -1, dim - 1);
    if (start <= end) return {start, 0};
    distance = start - end;
  }
  // ceil(distance / |step|) in unsigned arithmetic: -INT64_MIN does not fit in int64, and
  // distance + |step| - 1 would overflow for steps near INT64_MAX.
  const uint64_t magnitude = step > 0 ? static_cast<uint64_t>(step) : uint64_t{0} - static_cast<uint64_t>(step);
  const uint64_t count = (static_cast<uint64_t>(distance) - 1) / magnitude + 1;
  return {start, static_cast<int64_t>(count)};
}

}  // namespace octet
