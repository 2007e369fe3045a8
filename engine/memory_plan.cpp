#include "engine/memory_plan.h"

#include <algorithm>
#include <numeric>
#include <cstdint>

namespace octet {

MemoryPlan plan_memory(std::span<const BufferLifetime> buffers, size_t alignment) {
  auto round_up = [&](size_t x) { return (x + alignment - 1) / alignment * alignment; };
  std::vector<size_t> order(buffers.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return buffers[a].size > buffers[b].size; });

  MemoryPlan plan;
  plan.offsets.assign(buffers.size(), 0);
  std::vector<size_t> placed;
  for (size_t id : order) {
    const BufferLifetime& me = buffers[id];
    const size_t size = round_up(me.size);
    // Intervals taken by buffers alive at the same time, sorted by offset.
    std::vector<std::pair<size_t, size_t>> busy;
    for (size_t other : placed) {
      const BufferLifetime& o = buffers[other];
      if (o.last_step < me.first_step || me.last_step < o.first_step) continue;
      busy.emplace_back(plan.offsets[other], plan.offsets[other] + round_up(o.size));
    }
    std::sort(busy.begin(), busy.end());
    // Best fit: the smallest gap that holds the buffer, else the end.
    size_t best = SIZE_MAX, best_gap = SIZE_MAX, cursor = 0;
    for (const auto& [begin, end] : busy) {
      if (begin > cursor && begin - cursor >= size && begin - cursor < best_gap) {
        best = cursor;
        best_gap = begin - cursor;
      }
      cursor = std::max(cursor, end);
    }
    if (best == SIZE_MAX) best = cursor;
    plan.offsets[id] = best;
    plan.arena_size = std::max(plan.arena_size, best + size);
    placed.push_back(id);
  }
  return plan;
}

}  // namespace octet
