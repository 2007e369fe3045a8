// ONNX Slice's index arithmetic along one axis, shared by shape inference and the reference
// executor so that both agree on every start/end/step, including INT64_MIN and INT64_MAX.
#pragma once
#include <cstdint>

namespace octet {

// The elements data[first], data[first + step], ... (count of them) that Slice takes.
struct SliceRange {
  int64_t first = 0;
  int64_t count = 0;
};

// ONNX's rule (Slice-10..13 spec): negative start/end count from the end of the dim; then
// start is clamped to [0, dim] for a positive step and [0, dim-1] for a negative one, end to
// [0, dim] and [-1, dim-1]. Any int64 start, end and step (step != 0) is accepted: the
// arithmetic is done so that nothing overflows. dim must be >= 0.
SliceRange slice_range(int64_t dim, int64_t start, int64_t end, int64_t step);

}  // namespace octet
