// FP32 inverted-residual chain step: [pointwise expand] -> depthwise -> [pointwise project]
// (at least one of the two 1x1 convs), NHWC -> NHWC, as one step whose intermediates never
// leave the cache. The compiler's plan pass (engine/fuse_conv_chain.h) builds it from three
// (or two) adjacent conv steps; each stage keeps the kernel, shape and packed weights its
// own step had, so the arithmetic is the same.
//
// It runs in bands of `band_rows` output rows: the expand rows a band's depthwise windows
// read go into a band buffer in this thread's scratch (the rows the previous band already
// computed, kernel - stride of them, are moved to the front rather than recomputed), the
// depthwise conv writes the band's rows into a second band buffer, and the project conv
// writes them into the output (with the residual, if the step has one). The stages run on
// the unchanged kernels over band-sized images: a 1x1 conv's rows are independent, and the
// depthwise conv sees the band as an image whose top padding is what remains of the
// original's. Threads split the output rows; each computes its own halo in its own scratch.
#pragma once
#include <cstddef>
#include <cstdint>

#include "engine/runtime/step_type.h"
#include "kernels/f32/conv.h"
#include "kernels/f32/dwconv.h"

namespace octet {

// A 1x1, stride-1, unpadded conv of the chain (its full-image shape).
struct PointwiseStage {
  const kernels::ConvF32Kernel* kernel = nullptr;
  kernels::ConvNhwcParams shape;
  size_t weights_offset = 0;   // bytes into Plan::weights
};

struct DepthwiseStage {
  const kernels::DwConvF32Kernel* kernel = nullptr;
  kernels::ConvNhwcParams shape;   // in_c == out_c
  size_t weights_offset = 0;
};

struct ConvChainF32Step final : StepParams {
  bool has_expand = false, has_project = false;
  PointwiseStage expand;    // used when has_expand
  DepthwiseStage depthwise;
  PointwiseStage project;   // used when has_project
  int32_t band_rows = 1;    // depthwise (= step) output rows per band

  // The depthwise input rows [lo, hi) that output rows [begin, end) read (clipped to the image).
  int32_t input_row_lo(int32_t begin) const;
  int32_t input_row_hi(int32_t end) const;
  // Rows of the expand band buffer: the depthwise input rows of one band.
  int32_t expand_band_rows() const;
  // The band buffers and the stage kernels' own scratch, each kPlanAlignment-aligned.
  size_t expand_band_bytes() const;
  size_t depthwise_band_bytes() const;
  size_t workspace_bytes() const;
  // The shape of the first / last stage (the step's input and output).
  const kernels::ConvNhwcParams& first_shape() const { return has_expand ? expand.shape : depthwise.shape; }
  const kernels::ConvNhwcParams& last_shape() const { return has_project ? project.shape : depthwise.shape; }

  static const StepType kType;
  static void run(const ConvChainF32Step&, const StepContext&, int32_t row_begin, int32_t row_end);
  static RowSplit rows(const ConvChainF32Step& p) { return {p.depthwise.shape.out_h, 1}; }
  static std::string describe(const Step&, const ConvChainF32Step&);
  static std::string summary(const ConvChainF32Step&);
  template <typename IO, typename S>
  static void fields(IO& io, S& p);
  static void validate(PlanChecker&, const Step&, const ConvChainF32Step&);
};

// A pointwise stage's shape over `rows` rows of its image (a band).
kernels::ConvNhwcParams pointwise_band_shape(const kernels::ConvNhwcParams& full, int32_t rows);

}  // namespace octet
