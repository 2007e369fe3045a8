// Pad (ONNX modes constant, reflect, edge, wrap) for elements of any type, byte-wise.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>

namespace octet::kernels {

enum class PadMode { Constant, Reflect, Edge, Wrap };

// Negative ONNX pads crop: the caller turns them into a source window (src_begin, src_dims)
// inside the input, and the kernel pads that window by the non-negative pads_begin. This is
// "crop, then pad", so reflect/edge/wrap mirror the cropped data, not the dropped elements.
// All spans have the input's rank.
struct PadParams {
  std::span<const int64_t> in_strides;   // row-major strides of the whole input, in elements
  std::span<const int64_t> src_begin;    // first input index of the window, per dim
  std::span<const int64_t> src_dims;     // window size per dim
  std::span<const int64_t> pads_begin;   // >= 0
  std::span<const int64_t> out_dims;     // src_dims + pads_begin + pads_end
  PadMode mode = PadMode::Constant;
  size_t elem_size = 0;
  const uint8_t* fill = nullptr;         // one element, used by Constant mode
};

// Precondition for reflect/edge/wrap: src_dims[d] > 0 wherever out_dims[d] > 0 (else there
// is nothing to mirror; the kernel then writes `fill`, or zeros when fill is null).
void pad(const PadParams& p, const uint8_t* in, uint8_t* out);

}  // namespace octet::kernels
