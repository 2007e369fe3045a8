// The compiler's plan pass that fuses an image model's first conv with the max pool after it
// into one f32_conv_pool step (engine/runtime/steps/conv_pool_f32.h), so the conv's output is
// pooled in bands while in the cache and never exists whole: an f32_conv_planar step whose
// output the next step, a max_pool, is the only reader of (no other step, no graph output).
// ShuffleNetV2, SqueezeNet and the ResNets start this way. The conv's output buffer leaves
// the plan. Internal to engine/ (engine/compile.cpp calls it before the memory plan).
#pragma once
#include <vector>

#include "engine/memory_plan.h"
#include "engine/runtime/plan.h"

namespace octet {

// Fuses every such pair in `plan`; `lifetimes` (one per buffer, in step indices) is rewritten
// to match the new steps and buffers. Returns the number of pairs fused.
int fuse_conv_pools(Plan& plan, std::vector<BufferLifetime>& lifetimes);

}  // namespace octet
