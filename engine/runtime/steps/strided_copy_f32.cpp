#include "engine/runtime/steps/strided_copy_f32.h"

#include <limits>

#include "engine/runtime/step_type_impl.h"
#include "graph/tensor.h"
#include "kernels/reference/strided_copy.h"

namespace octet {

using Purpose = StridedCopyF32Step::Purpose;

void StridedCopyF32Step::run(const StridedCopyF32Step& p, const StepContext& c, int32_t row_begin, int32_t row_end) {
  if (row_end > p.dims[0]) row_end = static_cast<int32_t>(p.dims[0]);
  if (row_end <= row_begin) return;
  int64_t dims[kMaxRank];
  for (size_t i = 0; i < p.dims.size(); ++i) dims[i] = p.dims[i];
  dims[0] = row_end - row_begin;
  const size_t rank = p.dims.size();
  kernels::strided_copy({std::span<const int64_t>(dims, rank), p.src_strides, p.dst_strides, sizeof(float)},
                        c.input + (p.src_offset + row_begin * p.src_strides[0]) * sizeof(float),
                        c.output + row_begin * p.dst_strides[0] * sizeof(float));
}

const char* StridedCopyF32Step::kernel_name(const StridedCopyF32Step& p) {
  switch (p.purpose) {
    case Purpose::ChannelShuffle: return "channel_shuffle";
    case Purpose::ChannelSplit: return "channel_split";
    case Purpose::Transpose: return "transpose_copy";
    case Purpose::Slice: return "slice_copy";
  }
  return "strided_copy";   // a corrupt code; validate() refuses it
}

std::string StridedCopyF32Step::describe(const Step&, const StridedCopyF32Step& p) {
  return std::string(kernel_name(p)) + "  " + dims_to_string(p.dims) + " src strides " + dims_to_string(p.src_strides) +
         " + " + std::to_string(p.src_offset) + " dst strides " + dims_to_string(p.dst_strides);
}

void StridedCopyF32Step::validate(PlanChecker& c, const Step& s, const StridedCopyF32Step& p) {
  c.require(static_cast<uint8_t>(p.purpose) <= static_cast<uint8_t>(Purpose::Slice), "unknown copy purpose");
  c.require(!p.dims.empty() && p.dims.size() <= kMaxRank && p.src_strides.size() == p.dims.size() &&
                p.dst_strides.size() == p.dims.size(),
            "copy rank out of range");
  c.require(p.dims[0] <= std::numeric_limits<int32_t>::max(), "too many copy rows");
  c.require(s.input != s.output, "copy input and output share a buffer");
  // The last element each side touches (all strides non-negative) lies inside its buffer.
  int64_t src_last = p.src_offset, dst_last = 0;
  c.require(p.src_offset >= 0 && p.src_offset < p.in_elements, "copy offset outside the input");
  for (size_t i = 0; i < p.dims.size(); ++i) {
    c.require(p.dims[i] >= 1 && p.dims[i] <= (int64_t{1} << 31), "copy dim out of range");
    c.require(p.src_strides[i] >= 0 && p.src_strides[i] <= (int64_t{1} << 31) && p.dst_strides[i] >= 0 &&
                  p.dst_strides[i] <= (int64_t{1} << 31),
              "copy stride out of range");
    int64_t src_span = 0, dst_span = 0;   // each below 2^62: no overflow
    src_span = (p.dims[i] - 1) * p.src_strides[i];
    dst_span = (p.dims[i] - 1) * p.dst_strides[i];
    c.require(!__builtin_add_overflow(src_last, src_span, &src_last) &&
                  !__builtin_add_overflow(dst_last, dst_span, &dst_last),
              "copy extent overflows");
  }
  c.require(src_last < p.in_elements && dst_last < p.out_elements, "copy outside its buffers");
  c.buffer(s.input, p.in_elements, false, "input");
  c.buffer(s.output, p.out_elements, false, "output");
}

const StepType StridedCopyF32Step::kType = make_step_type<StridedCopyF32Step>(22, "strided_copy", false);

}  // namespace octet
