// FP32 convolution of a planar (NCHW) image, NHWC output: the first conv of an ONNX image
// model, whose graph input is planar, without a separate nchw_to_nhwc step. It runs the
// NHWC conv kernel (kernels/f32/conv.h) over bands of `band_rows` output rows: the input rows
// a band reads are interleaved into this thread's scratch with the padding columns and rows
// written as zeros, so the kernel sees an unpadded band image (it needs no padded copy of its
// own), and the image is read once, the band staying in L1 for the kernel. On MobileNetV2's,
// MnasNet's and EfficientNet's 224x224x3 stems that replaces a 600 KB transposition pass and
// the kernel's 600 KB padded copy (compile.cpp's rule: engine/compile_float.cpp).
#pragma once
#include <cstddef>
#include <cstdint>

#include "engine/runtime/step_type.h"
#include "engine/runtime/steps/field_lists.h"
#include "kernels/f32/conv.h"

namespace octet {

// The band buffer's target size: the band of interleaved input rows stays in L1 (48 KB on
// the machines octet is measured on) while the kernel walks it.
inline constexpr size_t kConvPlanarBandBytes = 32 * 1024;

struct ConvPlanarF32Step final : StepParams {
  const kernels::ConvF32Kernel* kernel = nullptr;
  kernels::ConvNhwcParams shape;   // the whole image's geometry (in_c planes of in_h x in_w)
  int32_t band_rows = 1;           // output rows per band
  size_t weights_offset = 0;       // bytes into Plan::weights

  // The geometry the kernel runs on for a band of `rows` output rows: the band's input rows,
  // padding included, as an unpadded image.
  kernels::ConvNhwcParams band_shape(int32_t rows) const;
  size_t band_bytes() const;       // the interleaved band, kPlanAlignment-aligned
  size_t workspace_bytes() const;  // the band and the kernel's own scratch

  static const StepType kType;
  // Its input rows go through the vector kernels' interleave, which reads no element past a row
  // (StepType::reads_input_exactly).
  static constexpr bool kReadsInputExactly = true;
  static void run(const ConvPlanarF32Step&, const StepContext&, int32_t row_begin, int32_t row_end);
  // Output rows [row_begin, row_end) into `out` (row row_begin's first float), c.output unused:
  // a fused step's band buffer (engine/runtime/steps/conv_pool_f32.h). c.workspace: workspace_bytes().
  static void run_rows(const ConvPlanarF32Step&, const StepContext&, float* out, int32_t row_begin, int32_t row_end);
  static RowSplit rows(const ConvPlanarF32Step& p) { return {p.shape.out_h, 1}; }
  static const char* kernel_name(const ConvPlanarF32Step& p) { return p.kernel->name; }
  static std::string describe(const Step&, const ConvPlanarF32Step&);
  template <typename IO, typename S>
  static void fields(IO& io, S& p);
  static void validate(PlanChecker&, const Step&, const ConvPlanarF32Step&);
  // The checks that do not involve the step's buffers: kernel, bands, weights, scratch.
  static void validate_bands(PlanChecker&, const ConvPlanarF32Step&);
};

// Output rows per band for this geometry: as many as keep the band within
// kConvPlanarBandBytes, at least 1.
int32_t conv_planar_band_rows(const kernels::ConvNhwcParams& p);

// In the header: the fused conv -> pool step (conv_pool_f32.h) writes its conv stage with it.
template <typename IO, typename S>
void ConvPlanarF32Step::fields(IO& io, S& p) {
  io(p.kernel), conv_fields(io, p.shape), io(p.band_rows), io(p.weights_offset);
}

}  // namespace octet
