#include "engine/qconv_into_concat.h"

#include <algorithm>
#include <optional>

#include "engine/plan_edit.h"
#include "engine/runtime/steps/all.h"

namespace octet {

namespace {

QConvStep* qconv(Step& s) {
  if (auto* p = s.params_if<QConvStep>()) return p;
  return s.params_if<QConvChannelStep>();   // a QConvStep with its scales elsewhere
}

// The concat slice at b into the conv that writes its input: returns whether it moved.
bool write_into(Plan& plan, std::vector<BufferLifetime>& lifetimes, const std::vector<int>& uses, size_t b) {
  const QConcatSliceStep* c = plan.steps[b].params_if<QConcatSliceStep>();
  if (c == nullptr) return false;
  const int x = plan.steps[b].input, out = plan.steps[b].output;
  // Written by one step, read only by this one (a write and a read: two uses, no port).
  if (uses[static_cast<size_t>(x)] != 2) return false;
  const std::optional<size_t> a = only_writer(plan, x, b);
  if (!a) return false;
  Step& writer = plan.steps[*a];
  QConvStep* p = qconv(writer);
  if (p == nullptr || writer.input2 >= 0 || writer.input == out) return false;
  kernels::QConvParams q = p->conv;
  const kernels::ConvNhwcParams& s = q.shape;
  if (q.y_pixel() != s.out_c || q.has_output_table || p->output_offset != 0) return false;   // already moved
  if (c->row_count != int64_t{s.out_h} * s.out_w || c->in_row != s.out_c) return false;
  // Nothing reads the Concat's output before its last slice; the conv now writes it earlier.
  for (size_t i = *a; i < b; ++i)
    if (plan.steps[i].input == out || plan.steps[i].input2 == out) return false;
  q.output_pixel_stride = static_cast<int32_t>(c->out_row);
  q.has_output_table = c->has_table;
  if (int64_t{q.output_pixel_stride} != c->out_row || !p->kernel->supports(q)) return false;
  p->conv = q;
  p->output_offset = static_cast<size_t>(c->offset);
  p->table_offset = c->has_table ? c->table_offset : 0;
  writer.output = out;
  BufferLifetime& life = lifetimes[static_cast<size_t>(out)];
  life.first_step = std::min(life.first_step, static_cast<int>(*a));
  return true;
}

}  // namespace

int qconv_into_concat(Plan& plan, std::vector<BufferLifetime>& lifetimes) {
  std::vector<bool> removed(plan.steps.size(), false);
  for (size_t b = 0; b < plan.steps.size(); ++b)
    if (write_into(plan, lifetimes, buffer_uses(plan), b)) {
      removed[b] = true;
      plan.steps[b].input = plan.steps[b].output = -1;   // names no buffer any more
    }
  return remove_steps(plan, lifetimes, removed);
}

}  // namespace octet
