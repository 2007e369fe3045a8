// A planar (NCHW) float image quantized straight into channels-last (NHWC) uint8 codes: the
// RGB input of an int8 model, one pass where the plan had a float nchw_to_nhwc step and a
// quantize step (the float NHWC copy, 600 KB for a 224x224 image, was written and read back).
// The codes are the quantize step's (kernels/int8/vector.h, quantize_planes). The compiler
// uses it for inputs of up to 4 channels (the kernel's contract), the ones an image has.
#pragma once
#include "engine/runtime/step_type.h"
#include "engine/runtime/steps/field_lists.h"

namespace octet {

struct QuantizePlanesStep final : StepParams {
  ImageDims image;   // the input's [channels, height, width]
  float scale = 1.f;
  int32_t zero_point = 0;

  static const StepType kType;
  // The kernel's tails are masked loads or quantize_tail's (StepType::reads_input_exactly).
  static constexpr bool kReadsInputExactly = true;
  // Threads split the image's rows.
  static RowSplit rows(const QuantizePlanesStep& p) { return {p.image.height, 1}; }
  static void run(const QuantizePlanesStep&, const StepContext&, int32_t row_begin, int32_t row_end);
  static std::string describe(const Step&, const QuantizePlanesStep&);
  template <typename IO, typename S>
  static void fields(IO& io, S& p) {
    image_fields(io, p.image), io(p.scale), io(p.zero_point);
  }
  static void validate(PlanChecker&, const Step&, const QuantizePlanesStep&);
};

}  // namespace octet
