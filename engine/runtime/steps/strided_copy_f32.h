// FP32 data movement without arithmetic, as one strided copy per image
// (strided_copy_geometry.h, on kernels/reference/strided_copy.h): channel shuffle
// (ShuffleNet's Reshape → Transpose → Reshape over NHWC channels: per pixel, a groups x
// channels transpose), channel split (Slice/Split along NHWC channels: per pixel, a run of
// channels) and any other Transpose or step-1 Slice of a row-major value; after copy folding
// (engine/fold_copies.h) also a split read through the shuffle before it, or written straight
// into the Concat after it. Split across threads along dims[0]. Memory bound like
// concat_slice: the innermost run is one memcpy when both strides are 1, else element moves
// the compiler keeps in registers.
#pragma once
#include <cstdint>
#include <vector>

#include "engine/runtime/step_type.h"
#include "engine/runtime/steps/strided_copy_geometry.h"

namespace octet {

struct StridedCopyF32Step final : StepParams, StridedCopyGeometry {
  using Purpose = CopyPurpose;

  static const StepType kType;
  static void run(const StridedCopyF32Step& p, const StepContext& c, int32_t row_begin, int32_t row_end) {
    p.copy_rows(sizeof(float), c.input, c.output, row_begin, row_end);
  }
  static RowSplit rows(const StridedCopyF32Step& p) { return {static_cast<int32_t>(p.dims.empty() ? 1 : p.dims[0]), 1}; }
  static const char* kernel_name(const StridedCopyF32Step& p) { return p.purpose_name(false); }
  static std::string describe(const Step&, const StridedCopyF32Step& p) {
    return std::string(p.purpose_name(false)) + "  " + p.StridedCopyGeometry::describe();
  }
  template <typename IO, typename S>
  static void fields(IO& io, S& p) {
    io(p.purpose), io(p.dims), io(p.src_strides), io(p.dst_strides), io(p.src_offset), io(p.in_elements),
        io(p.out_elements);
  }
  static void validate(PlanChecker& c, const Step& s, const StridedCopyF32Step& p) { p.StridedCopyGeometry::validate(c, s, false); }
};

}  // namespace octet
