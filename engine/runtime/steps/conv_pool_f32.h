// FP32 conv -> max pool as one step: the first conv of an image model (a planar-input conv,
// engine/runtime/steps/conv_planar_f32.h, with its fused epilogue) and the MaxPool that is its
// output's only reader, NHWC out, without the conv's full output ever existing. The
// compiler's plan pass (engine/fuse_conv_pool.h) builds it from the two adjacent steps; each
// keeps its own kernel, shape and packed weights, so the arithmetic is the unfused plan's.
//
// It runs in bands of `band_rows` pool output rows: the conv rows a band's windows read go
// into a band buffer in this thread's scratch (the rows the previous band already computed,
// kernel - stride of them, are moved to the front rather than computed again), and the plan's
// max pool kernel reads the band as an image whose top padding is what remains of the
// original's. ShuffleNetV2's stem wrote and read back a 1.2 MB conv output (the L2 is 1 MB);
// a band of it stays in the L2. Threads split the pool rows; each computes its own halo in
// its own scratch.
#pragma once
#include <cstddef>
#include <cstdint>

#include "engine/runtime/step_type.h"
#include "engine/runtime/steps/conv_planar_f32.h"
#include "kernels/f32/vector.h"

namespace octet {

struct ConvPoolF32Step final : StepParams {
  ConvPlanarF32Step conv;       // the conv stage: its kernel, geometry, bands and weights
  kernels::PoolNhwcParams pool;  // the max pool over the conv's whole output
  int32_t band_rows = 1;         // pool output rows per band

  // The conv rows [lo, hi) that pool rows [begin, end) read (clipped to the conv output).
  int32_t conv_row_lo(int32_t begin) const;
  int32_t conv_row_hi(int32_t end) const;
  // Rows of the band buffer: the conv rows of one band.
  int32_t band_conv_rows() const;
  size_t band_bytes() const;        // kPlanAlignment-aligned
  size_t workspace_bytes() const;   // the band and the conv stage's scratch

  static const StepType kType;
  static constexpr bool kReadsInputExactly = ConvPlanarF32Step::kReadsInputExactly;   // the conv stage reads it
  static void run(const ConvPoolF32Step&, const StepContext&, int32_t row_begin, int32_t row_end);
  // Threads take whole bands, each its rows in one call (min_chunk_rows()): every call
  // computes the conv rows its first band shares with the rows above again.
  static RowSplit rows(const ConvPoolF32Step& p) { return {p.pool.out_h, p.band_rows, p.min_chunk_rows()}; }
  int32_t min_chunk_rows() const;
  static const char* kernel_name(const ConvPoolF32Step& p) { return p.conv.kernel->name; }
  static std::string describe(const Step&, const ConvPoolF32Step&);
  static std::string summary(const ConvPoolF32Step&);
  template <typename IO, typename S>
  static void fields(IO& io, S& p);
  static void validate(PlanChecker&, const Step&, const ConvPoolF32Step&);
};

// The band buffer's target size: the conv rows of a band stay in the L2 (1 MB on the
// machines octet is measured on) with the conv's own input band and the pool's output.
inline constexpr size_t kConvPoolBandBytes = 128 * 1024;

// Pool output rows per band for this conv stage and pool: as many as keep the band buffer
// within kConvPoolBandBytes, rounded down to whole conv bands (at least one).
int32_t conv_pool_band_rows(const ConvPlanarF32Step& conv, const kernels::PoolNhwcParams& pool);

}  // namespace octet
