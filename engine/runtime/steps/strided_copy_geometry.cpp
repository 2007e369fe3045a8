#include "engine/runtime/steps/strided_copy_geometry.h"

#include <limits>

#include "engine/runtime/plan.h"
#include "engine/runtime/plan_checker.h"
#include "graph/tensor.h"
#include "kernels/reference/strided_copy.h"

namespace octet {

const char* StridedCopyGeometry::purpose_name(bool codes) const {
  // One table for both step types: the int8 step's names are the FP32 names with "qu8_" in
  // front, so the FP32 name is the same string past the prefix.
  static constexpr size_t kPrefix = 4;   // strlen("qu8_")
  const char* name = "qu8_strided_copy";   // a corrupt code; validate() refuses it
  switch (purpose) {
    case CopyPurpose::ChannelShuffle: name = "qu8_channel_shuffle"; break;
    case CopyPurpose::ChannelSplit: name = "qu8_channel_split"; break;
    case CopyPurpose::Transpose: name = "qu8_transpose_copy"; break;
    case CopyPurpose::Slice: name = "qu8_slice_copy"; break;
  }
  return codes ? name : name + kPrefix;
}

std::string StridedCopyGeometry::describe() const {
  return dims_to_string(dims) + " src strides " + dims_to_string(src_strides) + " + " + std::to_string(src_offset) +
         " dst strides " + dims_to_string(dst_strides);
}

void StridedCopyGeometry::copy_rows(size_t elem_size, const uint8_t* in, uint8_t* out, int32_t row_begin,
                                    int32_t row_end) const {
  if (row_end > dims[0]) row_end = static_cast<int32_t>(dims[0]);
  if (row_end <= row_begin) return;
  int64_t d[kMaxRank];
  for (size_t i = 0; i < dims.size(); ++i) d[i] = dims[i];
  d[0] = row_end - row_begin;
  const int64_t es = static_cast<int64_t>(elem_size);
  kernels::strided_copy({std::span<const int64_t>(d, dims.size()), src_strides, dst_strides, elem_size},
                        in + (src_offset + row_begin * src_strides[0]) * es, out + row_begin * dst_strides[0] * es);
}

void StridedCopyGeometry::validate(PlanChecker& c, const Step& s, bool uint8) const {
  c.require(static_cast<uint8_t>(purpose) <= static_cast<uint8_t>(CopyPurpose::Slice), "unknown copy purpose");
  c.require(!dims.empty() && dims.size() <= kMaxRank && src_strides.size() == dims.size() &&
                dst_strides.size() == dims.size(),
            "copy rank out of range");
  c.require(dims[0] <= std::numeric_limits<int32_t>::max(), "too many copy rows");
  c.require(s.input != s.output, "copy input and output share a buffer");
  // The last element each side touches (all strides non-negative) lies inside its buffer.
  int64_t src_last = src_offset, dst_last = 0;
  c.require(src_offset >= 0 && src_offset < in_elements, "copy offset outside the input");
  for (size_t i = 0; i < dims.size(); ++i) {
    c.require(dims[i] >= 1 && dims[i] <= (int64_t{1} << 31), "copy dim out of range");
    c.require(src_strides[i] >= 0 && src_strides[i] <= (int64_t{1} << 31) && dst_strides[i] >= 0 &&
                  dst_strides[i] <= (int64_t{1} << 31),
              "copy stride out of range");
    const int64_t src_span = (dims[i] - 1) * src_strides[i];   // each below 2^62: no overflow
    const int64_t dst_span = (dims[i] - 1) * dst_strides[i];
    c.require(!__builtin_add_overflow(src_last, src_span, &src_last) &&
                  !__builtin_add_overflow(dst_last, dst_span, &dst_last),
              "copy extent overflows");
  }
  c.require(src_last < in_elements && dst_last < out_elements, "copy outside its buffers");
  c.buffer(s.input, in_elements, uint8, "input");
  c.buffer(s.output, out_elements, uint8, "output");
}

}  // namespace octet
