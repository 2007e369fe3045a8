// FP32 Concat, one step per input: the step copies its input into that input's slice of the
// output. Both tensors are seen as `row_count` rows (the dims before the concatenation axis, in
// the buffer's storage order); an input row of `in_row` elements goes to elements
// [offset, offset + in_row) of the output row of `out_row`. Along channels of an NHWC tensor
// (ONNX axis 1 of NCHW) a row is a pixel; along H or W, or any axis of a row-major tensor, it
// is the block before that axis. A Concat of N inputs is N consecutive steps writing one
// output buffer; it is complete after the last (an observer of an earlier one sees it partly
// written). Split across threads by rows.
//
// The copy is kernels/reference/strided_copy.h, the loop the reference executor's Concat
// runs: one memcpy per row and input. There is no SIMD variant: the step moves each byte
// once and does no arithmetic, so it is bound by memory bandwidth, and libc's memcpy already
// uses the widest vector moves. What would pay is not copying at all: see
// docs/architecture.md (producers placed into the output's slices, not done).
#pragma once
#include <cstdint>

#include "engine/runtime/step_type.h"

namespace octet {

struct ConcatSliceF32Step final : StepParams {
  int32_t row_count = 0;   // per image
  int64_t in_row = 0;     // elements of one input row
  int64_t out_row = 0;    // elements of one output row
  int64_t offset = 0;     // where the input's row starts in the output row (elements)

  static const StepType kType;
  static void run(const ConcatSliceF32Step& p, const StepContext& c, int32_t row_begin, int32_t row_end);
  static RowSplit rows(const ConcatSliceF32Step& p) { return {p.row_count, 1}; }
  static std::string describe(const Step&, const ConcatSliceF32Step& p);
  template <typename IO, typename S>
  static void fields(IO& io, S& p) {
    io(p.row_count), io(p.in_row), io(p.out_row), io(p.offset);
  }
  static void validate(PlanChecker&, const Step&, const ConcatSliceF32Step&);
};

}  // namespace octet
