#include "engine/plan_edit.h"

namespace octet {

std::vector<int> buffer_uses(const Plan& plan) {
  std::vector<int> uses(plan.buffers.size(), 0);
  auto use = [&](int id) {
    if (id >= 0) ++uses[static_cast<size_t>(id)];
  };
  for (const Step& s : plan.steps) use(s.input), use(s.input2), use(s.output);
  for (const Port& p : plan.inputs) use(p.buffer);
  for (const Port& p : plan.outputs) use(p.buffer);
  return uses;
}

void drop_buffers(Plan& plan, std::vector<BufferLifetime>& lifetimes, const std::vector<bool>& dead) {
  std::vector<int> new_id(plan.buffers.size(), -1);
  std::vector<Buffer> buffers;
  std::vector<BufferLifetime> kept;
  for (size_t b = 0; b < plan.buffers.size(); ++b) {
    if (dead[b]) continue;
    new_id[b] = static_cast<int>(buffers.size());
    buffers.push_back(std::move(plan.buffers[b]));
    kept.push_back(lifetimes[b]);
  }
  auto remap = [&](int& id) {
    if (id >= 0) id = new_id[static_cast<size_t>(id)];
  };
  for (Step& s : plan.steps) remap(s.input), remap(s.input2), remap(s.output);
  for (Port& p : plan.inputs) remap(p.buffer);
  for (Port& p : plan.outputs) remap(p.buffer);
  plan.buffers = std::move(buffers);
  lifetimes = std::move(kept);
}

}  // namespace octet
