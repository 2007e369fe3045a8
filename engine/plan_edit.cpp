#include "engine/plan_edit.h"

#include <algorithm>

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

std::optional<size_t> only_writer(const Plan& plan, int buffer, size_t before) {
  std::optional<size_t> w;
  for (size_t i = 0; i < plan.steps.size(); ++i)
    if (plan.steps[i].output == buffer) {
      if (w || i >= before) return std::nullopt;
      w = i;
    }
  return w;
}

int remove_steps(Plan& plan, std::vector<BufferLifetime>& lifetimes, const std::vector<bool>& removed) {
  const size_t old_count = plan.steps.size();
  std::vector<int> new_index(old_count + 1);   // old step index -> new; old_count: past the end
  std::vector<Step> steps;
  for (size_t i = 0; i < old_count; ++i) {
    new_index[i] = static_cast<int>(steps.size());
    if (!removed[i]) steps.push_back(std::move(plan.steps[i]));
  }
  new_index[old_count] = static_cast<int>(steps.size());
  const int dropped = static_cast<int>(old_count - steps.size());
  plan.steps = std::move(steps);
  for (BufferLifetime& l : lifetimes) {
    if (l.first_step >= 0) l.first_step = new_index[static_cast<size_t>(l.first_step)];
    if (l.last_step >= 0) l.last_step = new_index[static_cast<size_t>(l.last_step)];
  }
  const std::vector<int> uses = buffer_uses(plan);
  std::vector<bool> dead(plan.buffers.size());
  for (size_t i = 0; i < dead.size(); ++i) dead[i] = uses[i] == 0;
  drop_buffers(plan, lifetimes, dead);
  return dropped;
}

int fuse_step_runs(Plan& plan, std::vector<BufferLifetime>& lifetimes,
                   const std::function<std::optional<StepFusion>(size_t)>& at,
                   const std::function<size_t(const Step&)>& workspace) {
  const size_t old_count = plan.steps.size();
  std::vector<int> new_index(old_count + 1);   // old step index -> new; old_count: past the end
  std::vector<bool> dead(plan.buffers.size(), false);
  std::vector<Step> steps;
  int fused = 0;
  for (size_t i = 0; i < old_count;) {
    std::optional<StepFusion> f = at(i);
    if (f) {
      for (size_t k = 0; k < f->count; ++k) new_index[i + k] = static_cast<int>(steps.size());
      for (int b : f->intermediates) dead[static_cast<size_t>(b)] = true;
      plan.workspace_bytes = std::max(plan.workspace_bytes, workspace(f->step));
      steps.push_back(std::move(f->step));
      i += f->count;
      ++fused;
    } else {
      new_index[i] = static_cast<int>(steps.size());
      steps.push_back(std::move(plan.steps[i]));
      ++i;
    }
  }
  new_index[old_count] = static_cast<int>(steps.size());
  plan.steps = std::move(steps);
  for (BufferLifetime& l : lifetimes) {
    if (l.first_step >= 0) l.first_step = new_index[static_cast<size_t>(l.first_step)];
    if (l.last_step >= 0) l.last_step = new_index[static_cast<size_t>(l.last_step)];
  }
  drop_buffers(plan, lifetimes, dead);
  return fused;
}

}  // namespace octet
