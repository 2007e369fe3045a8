// The compiler's plan pass that fuses an image model's first conv with the max pool after it
// into one f32_conv_pool step (engine/runtime/steps/conv_pool_f32.h), so the conv's output is
// pooled in bands while in the cache and never exists whole: an f32_conv_planar step whose
// output the next step, a max_pool, is the only reader of (no other step, no graph output).
// ShuffleNetV2, SqueezeNet and the ResNets start this way. The conv's output buffer leaves
// the plan. Internal to engine/ (engine/compile.cpp calls it before the memory plan).
#pragma once
#include <cstdint>
#include <vector>

#include "engine/memory_plan.h"
#include "engine/runtime/plan.h"

namespace octet {

// The most MACs per conv output value for which fusing pays: the fusion saves writing and
// reading the conv's output (4 bytes a value), which weighs against the conv's work. Measured
// at 1 thread (whole model, fused against unfused): ShuffleNetV2's 3x3x3 stem (27 MACs a
// value) gained 1.7%, SqueezeNet's (27) 2%, ResNet18's 7x7x3 (147) lost 1.4% (its stem step
// gained 5%, the layer after it lost more).
inline constexpr int64_t kConvPoolMaxMacsPerValue = 64;

// Fuses the pairs in `plan`: every one with `all`, else those where it pays (the conv's MACs
// per output value, in_c x kernel_h x kernel_w, at most kConvPoolMaxMacsPerValue).
// `lifetimes` (one per buffer, in step indices) is rewritten to match the new steps and
// buffers. Returns the number of pairs fused.
int fuse_conv_pools(Plan& plan, std::vector<BufferLifetime>& lifetimes, bool all);

}  // namespace octet
