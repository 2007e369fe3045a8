// int8 NHWC direct convolution: what a micro-kernel tile receives (QTileArgs), shared by the
// AVX2 and AVX-512 VNNI micro-kernels. Part of conv_direct_impl.h; like it, everything sits
// in an anonymous namespace so that each ISA file gets private copies.
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernels/int8/requant.h"

namespace octet::kernels {
namespace {

inline int32_t qc_min(int32_t a, int32_t b) { return a < b ? a : b; }
inline int32_t qc_max(int32_t a, int32_t b) { return a > b ? a : b; }

// What a tile needs besides its pointers. Element offsets are in units of M::T.
struct QTileArgs {
  ptrdiff_t x_pixel = 0;   // between consecutive pixels of the tile
  // Offset of each reduction step from the pixel's window origin, in (kh, run, step) order:
  // one flat loop over steps, which GCC register-allocates far better than the loop nest.
  const int32_t* step_offset = nullptr;
  int32_t nsteps = 0;
  ptrdiff_t y_pixel = 0;   // between consecutive output pixels: QConvParams::y_pixel()
  // The requantisation scales of the tile's V * L lanes (the super-block's output channels:
  // QConvParams::scale for each, or its channel_scales), zero past out_c, so that the
  // epilogue loads whole vectors.
  const float* scales = nullptr;
  int32_t zero_point = 0, lo = 0, hi = 255;   // the output's
  // round_before_residual (conv.h): c = requantize_float(acc, scale, conv_zero_point, 0, 255),
  // then qadd_float with `add`, the residual first when residual_first.
  bool round_first = false, residual_first = false;
  int32_t conv_zero_point = 0;
  QAddFloat add;
  const uint8_t* table = nullptr;   // QConvParams::output_table, with kind 2
  // The epilogue: 0 the plain conv, 1 round_first, 2 the plain conv with each stored code
  // through `table`, 3 the plain conv without clamps where the super-block's accumulators
  // cannot reach 2^31 once scaled and the output range is all of [0, 255] (conv_direct_impl.h,
  // unclamped_ok; M::kUnclamped), each kind's tiles compiled apart.
  int32_t kind = 0;
};

}  // namespace
}  // namespace octet::kernels
