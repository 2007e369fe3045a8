// The geometry both strided copy step types share (strided_copy_f32.h over floats,
// qstrided_copy.h over uint8 codes): out[i . dst_strides] = in[src_offset + i . src_strides]
// for every index i of `dims`, per image, in elements of the step's type. Threads split it
// along dims[0] (the step's rows). The compiler's copy folding (engine/fold_copies.h) rewrites
// these fields when it merges two copies into one.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace octet {

struct Step;
class PlanChecker;

// What a copy does, for the plan printer and profiles (the arithmetic is the same).
// The numbers are .octet file codes: append, never reorder.
enum class CopyPurpose : uint8_t { ChannelShuffle, ChannelSplit, Transpose, Slice };

struct StridedCopyGeometry {
  CopyPurpose purpose = CopyPurpose::Transpose;
  std::vector<int64_t> dims;          // per image, at most kMaxRank, every dim >= 1
  std::vector<int64_t> src_strides;   // elements, >= 0
  std::vector<int64_t> dst_strides;   // elements, >= 0
  int64_t src_offset = 0;             // elements
  int64_t in_elements = 0;            // per image, of the input buffer
  int64_t out_elements = 0;           // per image, of the output buffer
  static constexpr size_t kMaxRank = 6;

  // The kernel name for profiles and the plan printer: "channel_shuffle", "channel_split",
  // "transpose_copy", "slice_copy" for floats; with `codes`, the int8 step's "qu8_" names.
  const char* purpose_name(bool codes) const;
  // "[784,2,24] src strides [48,24,1] + 0 dst strides [48,1,2]".
  std::string describe() const;
  // Rows [row_begin, row_end) of dims[0] of one image, `elem_size` bytes per element.
  void copy_rows(size_t elem_size, const uint8_t* in, uint8_t* out, int32_t row_begin, int32_t row_end) const;
  // A loaded step's checks: ranks, strides and every touched element inside its buffer.
  void validate(PlanChecker& c, const Step& s, bool uint8) const;
};

}  // namespace octet
