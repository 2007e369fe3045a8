#include "engine/fold_copies.h"

#include <algorithm>
#include <numeric>
#include <optional>

#include "engine/plan_edit.h"
#include "engine/runtime/steps/all.h"

namespace octet {

namespace {

// One digit of a buffer seen as a mixed-radix number: `extent` values, `stride` elements
// apart in the buffer, `target` elements apart on the other side of the copy that sees it.
struct Digit {
  int64_t extent, stride, target;
};

// A copy's index space: dims with, per dim, the stride in the intermediate buffer (`x`) and
// on its other side (`other`), and the offset in the intermediate buffer.
struct Access {
  std::vector<int64_t> dims, x, other;
  int64_t x_offset = 0;
};

// The merged copy: its dims, strides on the far side of each copy, and the offset there.
struct Merged {
  std::vector<int64_t> dims, target, other;
  int64_t target_offset = 0;
};

// `digits` (outermost first) as a dense mixed radix of `elements`: strides the running
// products of the extents after them, the outermost spanning exactly the buffer.
bool dense(const std::vector<Digit>& digits, int64_t elements) {
  int64_t stride = 1;
  for (size_t i = digits.size(); i-- > 0;) {
    if (digits[i].stride != stride) return false;
    stride *= digits[i].extent;
  }
  return stride == elements;
}

// `a` in terms of the digits: each dim of `a` steps one digit by a fixed amount (split in
// two where it runs over a whole digit into the next), no index carrying into the next digit.
std::optional<Merged> translate(const Access& a, const std::vector<Digit>& digits) {
  const int64_t total = digits.empty() ? 1 : digits[0].extent * digits[0].stride;
  if (a.x_offset < 0 || a.x_offset >= total) return std::nullopt;
  std::vector<int64_t> used(digits.size());   // the highest value each digit reaches
  Merged m;
  for (size_t i = 0; i < digits.size(); ++i) {
    used[i] = (a.x_offset / digits[i].stride) % digits[i].extent;
    m.target_offset += used[i] * digits[i].target;
  }
  for (size_t d = 0; d < a.dims.size(); ++d) {
    int64_t extent = a.dims[d], stride = a.x[d];
    const int64_t other = a.other[d];
    if (extent == 1) {
      m.dims.push_back(1), m.target.push_back(0), m.other.push_back(other);
      continue;
    }
    // Inner parts first, pushed in reverse below so the outer part comes first.
    std::vector<int64_t> dims, target, others;
    int64_t other_step = other;
    for (;;) {
      // The innermost-reaching digit this stride steps: the largest digit stride dividing it.
      size_t i = digits.size();
      for (size_t k = 0; k < digits.size(); ++k)
        if (digits[k].stride <= stride && stride % digits[k].stride == 0) {
          i = k;
          break;
        }
      if (i == digits.size()) return std::nullopt;
      const int64_t k = stride / digits[i].stride;
      if (used[i] + k * (extent - 1) < digits[i].extent) {   // stays within the digit
        used[i] += k * (extent - 1);
        dims.push_back(extent), target.push_back(k * digits[i].target), others.push_back(other_step);
        break;
      }
      // Runs over the whole digit and on into the next: split off the digit.
      if (k != 1 || used[i] != 0 || extent % digits[i].extent != 0 || i == 0) return std::nullopt;
      used[i] = digits[i].extent - 1;
      dims.push_back(digits[i].extent), target.push_back(digits[i].target), others.push_back(other_step);
      other_step *= digits[i].extent;
      extent /= digits[i].extent;
      stride = digits[i - 1].stride;
      if (extent == 1) break;
    }
    for (size_t j = dims.size(); j-- > 0;) m.dims.push_back(dims[j]), m.target.push_back(target[j]), m.other.push_back(others[j]);
  }
  return m;
}

// The digits of the buffer a strided copy writes, when it writes all of it.
std::optional<std::vector<Digit>> written_digits(const StridedCopyGeometry& g) {
  std::vector<Digit> digits;
  for (size_t d = 0; d < g.dims.size(); ++d)
    if (g.dims[d] > 1) digits.push_back({g.dims[d], g.dst_strides[d], g.src_strides[d]});
  std::stable_sort(digits.begin(), digits.end(), [](const Digit& a, const Digit& b) { return a.stride > b.stride; });
  if (!dense(digits, g.out_elements)) return std::nullopt;
  return digits;
}

// Puts the per-image dims after the first (the rows threads split) in decreasing source
// stride, so the innermost loop reads contiguously, then merges neighbours that are one run.
void canonicalize(StridedCopyGeometry& g) {
  std::vector<size_t> order(g.dims.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin() + 1, order.end(), [&](size_t a, size_t b) { return g.src_strides[a] > g.src_strides[b]; });
  StridedCopyGeometry out = g;
  out.dims.clear(), out.src_strides.clear(), out.dst_strides.clear();
  for (size_t k = 0; k < order.size(); ++k) {
    const size_t i = order[k];
    if (g.dims[i] == 1 && k > 0) continue;
    if (k > 0 && out.dims.size() > 1 && out.src_strides.back() == g.src_strides[i] * g.dims[i] &&
        out.dst_strides.back() == g.dst_strides[i] * g.dims[i]) {
      out.dims.back() *= g.dims[i];
      out.src_strides.back() = g.src_strides[i], out.dst_strides.back() = g.dst_strides[i];
      continue;
    }
    out.dims.push_back(g.dims[i]), out.src_strides.push_back(g.src_strides[i]), out.dst_strides.push_back(g.dst_strides[i]);
  }
  if (out.dims.size() == 1) out.dims.push_back(1), out.src_strides.push_back(1), out.dst_strides.push_back(1);
  g = std::move(out);
}

// A copy step's geometry and table, whichever of the four copy types it is.
struct CopyStep {
  StridedCopyGeometry* strided = nullptr;   // a strided copy, float or uint8
  bool uint8 = false;
  bool* has_table = nullptr;                // uint8 only
  size_t* table_offset = nullptr;
};

std::optional<CopyStep> strided_copy(Step& s) {
  if (auto* p = s.params_if<StridedCopyF32Step>()) return CopyStep{p, false, nullptr, nullptr};
  if (auto* p = s.params_if<QStridedCopyStep>()) return CopyStep{p, true, &p->has_table, &p->table_offset};
  return std::nullopt;
}

// A concat slice as the copy it is: rows of in_row elements into [offset, offset + in_row)
// of rows of out_row.
struct ConcatCopy {
  int64_t rows, in_row, out_row, offset;
  bool uint8, has_table;
  size_t table_offset;
};

std::optional<ConcatCopy> concat_copy(const Step& s) {
  if (const auto* p = s.params_if<ConcatSliceF32Step>()) return ConcatCopy{p->row_count, p->in_row, p->out_row, p->offset, false, false, 0};
  if (const auto* p = s.params_if<QConcatSliceStep>())
    return ConcatCopy{p->row_count, p->in_row, p->out_row, p->offset, true, p->has_table, p->table_offset};
  return std::nullopt;
}

bool written_between(const Plan& plan, int buffer, size_t begin, size_t end) {
  for (size_t i = begin; i < end; ++i)
    if (plan.steps[i].output == buffer) return true;
  return false;
}

// Rule 1 for the strided copy at b.
bool read_through(Plan& plan, std::vector<BufferLifetime>& lifetimes, size_t b) {
  std::optional<CopyStep> B = strided_copy(plan.steps[b]);
  if (!B) return false;
  const std::optional<size_t> a = only_writer(plan, plan.steps[b].input, b);
  if (!a) return false;
  std::optional<CopyStep> A = strided_copy(plan.steps[*a]);
  if (!A || A->uint8 != B->uint8 || (A->has_table && *A->has_table && *B->has_table)) return false;
  const int source = plan.steps[*a].input;
  if (source == plan.steps[b].output || written_between(plan, source, *a + 1, b + 1)) return false;
  const std::optional<std::vector<Digit>> digits = written_digits(*A->strided);
  if (!digits) return false;
  const StridedCopyGeometry& g = *B->strided;
  const std::optional<Merged> m = translate({g.dims, g.src_strides, g.dst_strides, g.src_offset}, *digits);
  if (!m || m->dims.size() > StridedCopyGeometry::kMaxRank) return false;
  StridedCopyGeometry merged = g;
  merged.dims = m->dims, merged.src_strides = m->target, merged.dst_strides = m->other;
  merged.src_offset = A->strided->src_offset + m->target_offset;
  merged.in_elements = A->strided->in_elements;
  canonicalize(merged);
  *B->strided = std::move(merged);
  if (A->has_table && *A->has_table) *B->has_table = true, *B->table_offset = *A->table_offset;
  plan.steps[b].input = source;
  BufferLifetime& life = lifetimes[static_cast<size_t>(source)];
  life.last_step = std::max(life.last_step, static_cast<int>(b));
  return true;
}

// Rule 2 for the concat slice at b: returns whether it merged (the concat slice is then dead).
bool write_through(Plan& plan, std::vector<BufferLifetime>& lifetimes, const std::vector<int>& uses, size_t b) {
  const std::optional<ConcatCopy> C = concat_copy(plan.steps[b]);
  if (!C) return false;
  const int x = plan.steps[b].input;
  // Written by one step, read only by this one (a write and a read: two uses, no port).
  if (uses[static_cast<size_t>(x)] != 2) return false;
  const std::optional<size_t> a = only_writer(plan, x, b);
  if (!a) return false;
  std::optional<CopyStep> A = strided_copy(plan.steps[*a]);
  if (!A || A->uint8 != C->uint8 || (A->has_table && *A->has_table && C->has_table)) return false;
  const int out = plan.steps[b].output;
  if (plan.steps[*a].input == out) return false;
  for (size_t i = *a; i < b; ++i)
    if (plan.steps[i].input == out || plan.steps[i].input2 == out) return false;
  const std::vector<Digit> digits{{C->rows, C->in_row, C->out_row}, {C->in_row, 1, 1}};
  if (!dense(digits, A->strided->out_elements)) return false;
  const StridedCopyGeometry& g = *A->strided;
  std::optional<Merged> m = translate({g.dims, g.dst_strides, g.src_strides, 0}, digits);
  if (!m || m->dims.size() > StridedCopyGeometry::kMaxRank || m->target_offset + C->offset != 0) return false;
  StridedCopyGeometry merged = g;
  merged.dims = m->dims, merged.dst_strides = m->target, merged.src_strides = m->other;
  merged.out_elements = C->rows * C->out_row;
  canonicalize(merged);
  *A->strided = std::move(merged);
  if (C->has_table) *A->has_table = true, *A->table_offset = C->table_offset;
  plan.steps[*a].output = out;
  BufferLifetime& life = lifetimes[static_cast<size_t>(out)];
  life.first_step = std::min(life.first_step, static_cast<int>(*a));
  return true;
}

bool is_copy(const Step& s) {
  return s.params_if<StridedCopyF32Step>() || s.params_if<QStridedCopyStep>() || s.params_if<ConcatSliceF32Step>() ||
         s.params_if<QConcatSliceStep>();
}

}  // namespace

int fold_copies(Plan& plan, std::vector<BufferLifetime>& lifetimes) {
  std::vector<bool> removed(plan.steps.size(), false);
  for (size_t b = 0; b < plan.steps.size(); ++b) {
    if (read_through(plan, lifetimes, b)) continue;
    if (write_through(plan, lifetimes, buffer_uses(plan), b)) {
      removed[b] = true;
      plan.steps[b].input = plan.steps[b].output = -1;   // names no buffer any more
    }
  }
  // Copies nobody reads (a shuffle whose readers all read through it), until none is left.
  for (bool changed = true; changed;) {
    changed = false;
    std::vector<int> readers(plan.buffers.size(), 0);
    for (size_t i = 0; i < plan.steps.size(); ++i) {
      if (removed[i]) continue;
      for (int id : {plan.steps[i].input, plan.steps[i].input2})
        if (id >= 0) ++readers[static_cast<size_t>(id)];
    }
    for (const Port& p : plan.outputs) ++readers[static_cast<size_t>(p.buffer)];
    for (size_t i = 0; i < plan.steps.size(); ++i)
      if (!removed[i] && is_copy(plan.steps[i]) && readers[static_cast<size_t>(plan.steps[i].output)] == 0) {
        // A concat slice's output is read after its last input's slice: only a strided copy
        // stands alone.
        if (!strided_copy(plan.steps[i])) continue;
        removed[i] = changed = true;
        plan.steps[i].input = plan.steps[i].output = -1;
      }
  }
  return remove_steps(plan, lifetimes, removed);
}

}  // namespace octet
