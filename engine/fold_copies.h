// The compiler's plan pass that merges copy steps (engine/compile.cpp calls it after the conv
// chains, before the memory plan), so data that only moves is moved once. Two rules, each
// merging a copy with the one that reads what it wrote (strided copies, float or uint8, and
// concat slices; engine/runtime/steps/strided_copy_geometry.h):
//  1. Read through: a strided copy reading a buffer that one strided copy wrote whole reads
//     that copy's source instead. ShuffleNet's channel split (Slice) then reads straight from
//     the Concat before the channel shuffle, through the shuffle's permutation; the shuffle
//     itself goes when nothing else reads it (the last block of a stage keeps it).
//  2. Write through: a strided copy whose output only one concat slice reads writes straight
//     into the Concat's output, and the concat slice goes (ShuffleNet's pass-through half).
//     Only at offset 0 of each output row: the strided copy steps have no destination offset
//     (their .octet layout is unchanged); a Concat's first input is the case ShuffleNet has.
// A merge needs each copy's index map to compose without carries: the copy that writes the
// intermediate whole (rule 1) or the concat reading it whole (rule 2) sees it as a mixed-radix
// number, and the other copy's strides must step single digits (or whole runs of them). Of two
// int8 copies at most one may requantise (a 256-entry table): the merged copy takes it.
// Copy steps whose output nobody reads any more leave the plan with their buffers.
#pragma once
#include <vector>

#include "engine/memory_plan.h"
#include "engine/runtime/plan.h"

namespace octet {

// Rewrites `plan` and `lifetimes` (one per buffer, in step indices). Returns the number of
// copy steps removed.
int fold_copies(Plan& plan, std::vector<BufferLifetime>& lifetimes);

}  // namespace octet
