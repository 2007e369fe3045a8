// The compiler's plan pass that turns MobileNet-style inverted-residual chains into one
// f32_conv_chain step (engine/runtime/steps/conv_chain_f32.h), so that the chain's big
// intermediates stay in the cache: adjacent steps
//   f32_conv 1x1 (expand) -> f32_dwconv -> f32_conv 1x1 (project)
// or the two-stage forms without the expand or without the project, where each intermediate
// is written by one step of the chain and read only by the next (no other reader, no graph
// output) and only the last stage has a residual. The intermediates' buffers leave the plan.
// Internal to engine/ (engine/compile.cpp calls it before the memory plan).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/memory_plan.h"
#include "engine/runtime/plan.h"

namespace octet {

// The scratch a chain's band buffers may take per thread: the bands are sized to stay in a
// core's L2 (1 MB on the machines octet is measured on) next to the stage weights. On
// MobileNetV2's 112x112 chain, 512 KB bands gained 15-21%, 64-256 KB ones 15-17%.
inline constexpr size_t kConvChainBandBytes = 512 * 1024;

// The smallest intermediate (bytes per image) worth fusing for: below it, the unfused
// intermediate mostly stays in a 1 MB L2 next to its producer's input and weights anyway.
// Measured on MobileNetV2 (1 thread, AVX-512, per-block CPU time): the 602 KB and larger
// chains gained 0-16% (most at 112x112), the 451 KB and smaller ones lost 5-50% (their weights
// are large: every band reads them again).
inline constexpr size_t kConvChainMinIntermediateBytes = 512 * 1024;

// Output rows per band for a chain with these stages: as many as keep its band buffers
// within kConvChainBandBytes, at least 1.
int32_t conv_chain_band_rows(bool has_expand, bool has_project, const kernels::ConvNhwcParams& depthwise);

// Fuses the chains it finds in `plan`: every one with `all`, else those where it pays (the
// largest intermediate is at least kConvChainMinIntermediateBytes, and the pointwise weights,
// which every band reads again, times the bands are at most that intermediate's bytes).
// `lifetimes` (one per buffer, in step indices) is rewritten to match the new steps and
// buffers. Returns the number of chains fused.
int fuse_conv_chains(Plan& plan, std::vector<BufferLifetime>& lifetimes, bool all);

}  // namespace octet
