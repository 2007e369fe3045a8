// FP32 data movement without arithmetic, as one strided copy per image
// (kernels/reference/strided_copy.h): channel shuffle (ShuffleNet's Reshape → Transpose →
// Reshape over NHWC channels: per pixel, a groups x channels transpose), channel split
// (Slice/Split along NHWC channels: per pixel, a contiguous run of channels) and any other
// Transpose or step-1 Slice of a row-major value. out[i . dst_strides] =
// in[src_offset + i . src_strides] for every index i of `dims`. Split across threads along
// dims[0]. Memory bound like concat_slice: the innermost run is one memcpy when both strides
// are 1 (a channel split), else element moves the compiler keeps in registers.
#pragma once
#include <cstdint>
#include <vector>

#include "engine/runtime/step_type.h"

namespace octet {

struct StridedCopyF32Step final : StepParams {
  // What the copy does, for the plan printer and profiles (the arithmetic is the same).
  // The numbers are the .octet file's codes: append, never reorder.
  enum class Purpose : uint8_t { ChannelShuffle, ChannelSplit, Transpose, Slice };
  Purpose purpose = Purpose::Transpose;
  std::vector<int64_t> dims;          // per image, at most kMaxRank, every dim >= 1
  std::vector<int64_t> src_strides;   // elements, >= 0
  std::vector<int64_t> dst_strides;   // elements, >= 0
  int64_t src_offset = 0;             // elements
  int64_t in_elements = 0;            // per image, of the input buffer
  int64_t out_elements = 0;           // per image, of the output buffer
  static constexpr size_t kMaxRank = 6;

  static const StepType kType;
  static void run(const StridedCopyF32Step& p, const StepContext& c, int32_t row_begin, int32_t row_end);
  static RowSplit rows(const StridedCopyF32Step& p) { return {static_cast<int32_t>(p.dims.empty() ? 1 : p.dims[0]), 1}; }
  static const char* kernel_name(const StridedCopyF32Step& p);
  static std::string describe(const Step&, const StridedCopyF32Step& p);
  template <typename IO, typename S>
  static void fields(IO& io, S& p) {
    io(p.purpose), io(p.dims), io(p.src_strides), io(p.dst_strides), io(p.src_offset), io(p.in_elements),
        io(p.out_elements);
  }
  static void validate(PlanChecker&, const Step&, const StridedCopyF32Step&);
};

}  // namespace octet
