// Helpers of the compiler's passes over a finished plan (engine/fuse_conv_chain.h,
// engine/fold_copies.h), before the memory plan. Internal to engine/.
#pragma once
#include <vector>

#include "engine/memory_plan.h"
#include "engine/runtime/plan.h"

namespace octet {

// How many times each buffer is named by a step (input, input2, output) or a port.
std::vector<int> buffer_uses(const Plan& plan);

// Drops the buffers marked dead (no step or port names them any more), renumbering the rest
// in the steps, the ports and `lifetimes` (one per buffer).
void drop_buffers(Plan& plan, std::vector<BufferLifetime>& lifetimes, const std::vector<bool>& dead);

}  // namespace octet
