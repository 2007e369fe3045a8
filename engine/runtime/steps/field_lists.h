// The .octet field lists and plan-printer text of the kernel parameter structs several step
// types share (conv and pool geometry, requantisation, image dimensions). IO is a
// ModelFileWriter or ModelFileReader (engine/runtime/model_file_io.h); S is T or const T.
#pragma once
#include <cstdint>
#include <string>

#include "kernels/f32/conv.h"
#include "kernels/f32/vector.h"
#include "kernels/int8/conv.h"
#include "kernels/int8/vector.h"

namespace octet {

// A field added to one of these structures must be added to its list below (or the file
// silently drops it) and kModelFileVersion bumped: these sizes (x86-64, libstdc++) fail the
// build until someone has looked. (QConvParams::channel_scales and output_table are run-time
// pointers, not fields: the steps store the scales and the table with their weights.)
static_assert(sizeof(kernels::ConvNhwcParams) == 76 && sizeof(kernels::PoolNhwcParams) == 64 &&
                  sizeof(kernels::QConvParams) == 160 && sizeof(kernels::QAddParams) == 24 &&
                  sizeof(kernels::QPoolParams) == 88 && sizeof(kernels::QMulParams) == 24 &&
                  sizeof(kernels::QGlobalAverageParams) == 20,
              "a kernel parameter structure changed: update engine/runtime/steps/ and bump kModelFileVersion");

// Channels, height and width of a [C,H,W] image (layout changes, global averages).
struct ImageDims {
  int32_t channels = 0, height = 0, width = 0;
  int64_t elements() const { return int64_t{channels} * height * width; }
};

template <typename IO, typename S>
void image_fields(IO& io, S& d) {
  io(d.channels), io(d.height), io(d.width);
}

template <typename IO, typename S>
void conv_fields(IO& io, S& p) {
  io(p.in_h), io(p.in_w), io(p.in_c), io(p.out_h), io(p.out_w), io(p.out_c);
  io(p.kernel_h), io(p.kernel_w), io(p.stride_h), io(p.stride_w), io(p.dilation_h), io(p.dilation_w);
  io(p.pad_top), io(p.pad_left), io(p.activation), io(p.clip_min), io(p.clip_max);
  io(p.alpha), io(p.beta);
}

template <typename IO, typename S>
void pool_fields(IO& io, S& p) {
  io(p.in_h), io(p.in_w), io(p.channels), io(p.out_h), io(p.out_w), io(p.kernel_h), io(p.kernel_w);
  io(p.stride_h), io(p.stride_w), io(p.dilation_h), io(p.dilation_w);
  io(p.pad_top), io(p.pad_left), io(p.pad_bottom), io(p.pad_right), io(p.count_include_pad);
}

// The fields every int8 conv step starts with (kernels::QConvParams): geometry, zero points,
// clamp, the accumulator's float scale.
template <typename IO, typename S>
void qconv_core_fields(IO& io, S& q) {
  conv_fields(io, q.shape);
  io(q.input_zero_point), io(q.weight_zero_point), io(q.output_zero_point), io(q.output_min), io(q.output_max);
  io(q.scale);
}

// "32x32x16 -> 16x16x32  k3x3 s2" for the plan printer.
inline std::string conv_geometry(const kernels::ConvNhwcParams& c) {
  auto s = [](int32_t v) { return std::to_string(v); };
  return s(c.in_h) + "x" + s(c.in_w) + "x" + s(c.in_c) + " -> " + s(c.out_h) + "x" + s(c.out_w) + "x" + s(c.out_c) +
         "  k" + s(c.kernel_h) + "x" + s(c.kernel_w) + " s" + s(c.stride_h);
}

// " +residual relu" for the plan printer: the fused epilogue of a float conv step.
inline std::string conv_epilogue_text(bool residual, const kernels::ConvNhwcParams& c) {
  std::string s = residual ? " +residual" : "";
  if (c.activation == kernels::Activation::Relu) s += " relu";
  if (c.activation == kernels::Activation::Clip)
    s += " clip[" + std::to_string(c.clip_min) + ", " + std::to_string(c.clip_max) + "]";
  if (c.activation == kernels::Activation::Sigmoid) s += " sigmoid";
  if (c.activation == kernels::Activation::HardSigmoid)
    s += " hard_sigmoid(" + std::to_string(c.alpha) + ", " + std::to_string(c.beta) + ")";
  if (c.activation == kernels::Activation::HardSwish) s += " hard_swish";
  if (c.activation == kernels::Activation::SiLU) s += " silu";
  return s;
}

}  // namespace octet
