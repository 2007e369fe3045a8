// Static memory planning: every activation buffer gets an offset in one arena, chosen once
// at compile time from the buffers' lifetimes, so that buffers alive at the same time never
// overlap and a run allocates nothing.
#pragma once
#include <cstddef>
#include <span>
#include <vector>

namespace octet {

struct BufferLifetime {
  size_t size = 0;     // in elements (or any unit; offsets come back in the same unit)
  int first_step = 0;  // the step that writes it (or -1 for a run input)
  int last_step = 0;   // the last step that reads it (inclusive)
};

struct MemoryPlan {
  std::vector<size_t> offsets;   // one per buffer
  size_t arena_size = 0;         // high-water mark
};

// Greedy best-fit by decreasing size (the "greedy by size" planner of TFLite and MNN):
// place each buffer at the lowest offset where it overlaps no already-placed buffer whose
// lifetime intersects its own. `alignment` rounds every offset and size.
MemoryPlan plan_memory(std::span<const BufferLifetime> buffers, size_t alignment);

}  // namespace octet
