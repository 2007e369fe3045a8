// Helpers of the compiler's passes over a finished plan (engine/fuse_conv_chain.h,
// engine/fuse_conv_pool.h, engine/fold_copies.h, engine/qconv_into_concat.h), before the memory plan. Internal to engine/.
#pragma once
#include <cstddef>
#include <functional>
#include <optional>
#include <vector>

#include "engine/memory_plan.h"
#include "engine/runtime/plan.h"

namespace octet {

// How many times each buffer is named by a step (input, input2, output) or a port.
std::vector<int> buffer_uses(const Plan& plan);

// Drops the buffers marked dead (no step or port names them any more), renumbering the rest
// in the steps, the ports and `lifetimes` (one per buffer).
void drop_buffers(Plan& plan, std::vector<BufferLifetime>& lifetimes, const std::vector<bool>& dead);

// The one step writing `buffer` before step `before`, if exactly one step in the plan writes it.
std::optional<size_t> only_writer(const Plan& plan, int buffer, size_t before);

// Removes the steps marked (one flag per step; they must name no buffer any more), renumbering
// `lifetimes` (one per buffer, in step indices), and drops the buffers no step or port names.
// Returns the number of steps removed.
int remove_steps(Plan& plan, std::vector<BufferLifetime>& lifetimes, const std::vector<bool>& removed);

// A run of `count` adjacent steps that one step replaces; the buffers only the run used.
struct StepFusion {
  size_t count = 0;
  Step step;
  std::vector<int> intermediates;
};

// Walks the plan from the first step: where `at(i)` returns a fusion of the steps from i on
// (it may read plan.steps[i] onwards, untouched yet), its step replaces them; the plan's
// scratch grows to the new steps' `workspace(step)`, `lifetimes` (one per buffer, in step
// indices) follow the new step indices, and the intermediates' buffers leave the plan.
// Returns the number of fusions.
int fuse_step_runs(Plan& plan, std::vector<BufferLifetime>& lifetimes,
                   const std::function<std::optional<StepFusion>(size_t)>& at,
                   const std::function<size_t(const Step&)>& workspace);

}  // namespace octet
