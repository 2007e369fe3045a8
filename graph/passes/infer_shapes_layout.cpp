// Shape rules for the ops that move or reinterpret data: Transpose, Reshape, Flatten,
// Squeeze, Unsqueeze, Concat, Gather, Pad.
#include <algorithm>
#include <string>

#include "graph/passes/infer_shapes_rules.h"

namespace octet::shape_rules {

namespace {
std::string ints_to_string(const std::vector<int64_t>& v) { return dims_to_string(v); }

// Axes of Squeeze/Unsqueeze: the attribute before opset 13, the optional second input after.
// nullopt when the axes are given by a non-constant input.
std::optional<std::vector<int64_t>> axes_of(const NodeView& v, bool* given) {
  if (v.g.opset < 13) {
    *given = v.n.has_attr("axes");
    return v.n.attr_ints("axes");
  }
  *given = v.n.has_input(1);
  if (!*given) return std::vector<int64_t>{};
  return v.const_ints(1);
}

// in_known * d, refused past octet's tensor limit: a shape's known dims come from user
// constants (Reshape targets) and could otherwise overflow int64 when multiplied.
int64_t times(const NodeView& v, int64_t known, int64_t d, const std::string& shape) {
  if (d != 0 && known > kMaxTensorElements / d)
    v.fail("shape " + shape + " exceeds octet's limit of 2^31 elements");
  return known * d;
}
}  // namespace

Outputs infer_Transpose(const NodeView& v) {
  const Shape& x = v.shape(0);
  if (!x.has_rank) return {same_as_input(v, 0)};
  const size_t rank = x.dims.size();
  std::vector<int64_t> perm = v.n.attr_ints("perm");
  if (!v.n.has_attr("perm"))
    for (size_t i = 0; i < rank; ++i) perm.push_back(static_cast<int64_t>(rank - 1 - i));
  std::vector<bool> seen(rank, false);
  if (perm.size() != rank)
    v.fail("perm " + ints_to_string(perm) + " does not match the rank of input " + x.to_string());
  std::vector<Dim> out;
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(rank) || seen[static_cast<size_t>(p)])
      v.fail("perm " + ints_to_string(perm) + " is not a permutation of the dims of input " + x.to_string());
    seen[static_cast<size_t>(p)] = true;
    out.push_back(x.dims[static_cast<size_t>(p)]);
  }
  return {{v.dtype(0), ranked(std::move(out))}};
}

Outputs infer_Reshape(const NodeView& v) {
  const Shape& x = v.shape(0);
  const DType dtype = v.dtype(0);
  const std::optional<std::vector<int64_t>> target = v.const_ints(1);
  if (!target) {
    // Shape computed at run time: only its length (the output rank) may be known.
    const Shape& s = v.shape(1);
    if (s.has_rank && s.dims.size() == 1 && s.dims[0].is_known())
      return {{dtype, rank_only(static_cast<size_t>(s.dims[0].value))}};
    return {{dtype, unknown_shape()}};
  }
  const bool allowzero = v.n.attr_int("allowzero", 0) != 0;
  std::vector<Dim> out;
  int infer_at = -1;
  for (size_t i = 0; i < target->size(); ++i) {
    const int64_t t = (*target)[i];
    if (t == -1) {
      if (infer_at >= 0) v.fail("shape " + ints_to_string(*target) + " has more than one -1");
      infer_at = static_cast<int>(i);
      out.emplace_back();
    } else if (t == 0 && !allowzero) {
      // 0 copies the input's dim at the same index.
      if (x.has_rank && i >= x.dims.size())
        v.fail("shape " + ints_to_string(*target) + " copies dim " + std::to_string(i) + " of input " +
               x.to_string() + " which has no such dim");
      out.push_back(x.has_rank ? x.dims[i] : Dim{});
    } else if (t < 0) {
      v.fail("shape " + ints_to_string(*target) + " has an invalid dim " + std::to_string(t));
    } else {
      out.push_back(Dim::known(t));
    }
  }
  if (!x.has_rank) return {{dtype, ranked(std::move(out))}};

  // Compare the element counts: known dims multiply; symbols equal on both sides cancel.
  int64_t in_known = 1, out_known = 1;
  std::vector<Dim> in_rest, out_rest;
  for (const Dim& d : x.dims) {
    if (d.is_known()) in_known = times(v, in_known, d.value, x.to_string());
    else in_rest.push_back(d);
  }
  for (size_t i = 0; i < out.size(); ++i) {
    if (static_cast<int>(i) == infer_at) continue;
    if (out[i].is_known()) out_known = times(v, out_known, out[i].value, ints_to_string(*target));
    else out_rest.push_back(out[i]);
  }
  for (auto it = out_rest.begin(); it != out_rest.end();) {
    auto match = std::find_if(in_rest.begin(), in_rest.end(),
                              [&](const Dim& d) { return !d.symbol.empty() && d.symbol == it->symbol; });
    if (!it->symbol.empty() && match != in_rest.end()) {
      in_rest.erase(match);
      it = out_rest.erase(it);
    } else {
      ++it;
    }
  }
  auto mismatch = [&] {
    v.fail("cannot reshape input " + x.to_string() + " to " + ints_to_string(*target) + " (element counts differ)");
  };
  if (infer_at < 0) {
    if (in_rest.empty() && out_rest.empty() && in_known != out_known) mismatch();
  } else if (out_rest.empty() && out_known != 0) {
    Dim& inferred = out[static_cast<size_t>(infer_at)];
    if (in_rest.empty()) {
      if (in_known % out_known != 0) mismatch();
      inferred = Dim::known(in_known / out_known);
    } else if (in_rest.size() == 1 && in_known == out_known) {
      inferred = in_rest[0];   // e.g. [N,64,1,1] -> [-1,64]: the -1 is N
    }
  }
  return {{dtype, ranked(std::move(out))}};
}

Outputs infer_Flatten(const NodeView& v) {
  const Shape& x = v.shape(0);
  if (!x.has_rank) return {{v.dtype(0), rank_only(2)}};
  const int64_t rank = static_cast<int64_t>(x.dims.size());
  const int64_t axis = normalize_axis(v, v.n.attr_int("axis", 1), rank, "axis", /*inclusive_end=*/true);
  const std::vector<Dim> outer(x.dims.begin(), x.dims.begin() + axis);
  const std::vector<Dim> inner(x.dims.begin() + axis, x.dims.end());
  return {{v.dtype(0), ranked({product(outer), product(inner)})}};
}

Outputs infer_Squeeze(const NodeView& v) {
  const Shape& x = v.shape(0);
  bool given = false;
  const std::optional<std::vector<int64_t>> axes = axes_of(v, &given);
  if (!x.has_rank || !axes) return {{v.dtype(0), unknown_shape()}};
  const int64_t rank = static_cast<int64_t>(x.dims.size());
  std::vector<bool> drop(x.dims.size(), false);
  if (given) {
    for (int64_t a : *axes) {
      const size_t i = static_cast<size_t>(normalize_axis(v, a, rank, "axis"));
      if (x.dims[i].is_known() && x.dims[i].value != 1)
        v.fail("cannot squeeze dim " + std::to_string(a) + " of input " + x.to_string() + ": it is not 1");
      drop[i] = true;
    }
  } else {
    // No axes: every dim of size 1 goes, which cannot be decided while a dim is not known.
    for (size_t i = 0; i < x.dims.size(); ++i) {
      if (!x.dims[i].is_known()) return {{v.dtype(0), unknown_shape()}};
      drop[i] = x.dims[i].value == 1;
    }
  }
  std::vector<Dim> out;
  for (size_t i = 0; i < x.dims.size(); ++i)
    if (!drop[i]) out.push_back(x.dims[i]);
  return {{v.dtype(0), ranked(std::move(out))}};
}

Outputs infer_Unsqueeze(const NodeView& v) {
  const Shape& x = v.shape(0);
  bool given = false;
  const std::optional<std::vector<int64_t>> axes = axes_of(v, &given);
  if (!given) v.fail("axes are required");
  if (!axes) return {{v.dtype(0), unknown_shape()}};
  if (!x.has_rank) return {{v.dtype(0), unknown_shape()}};
  const int64_t out_rank = static_cast<int64_t>(x.dims.size() + axes->size());
  std::vector<bool> inserted(static_cast<size_t>(out_rank), false);
  for (int64_t a : *axes) {
    const size_t i = static_cast<size_t>(normalize_axis(v, a, out_rank, "axis"));
    if (inserted[i]) v.fail("axes " + ints_to_string(*axes) + " repeat an axis");
    inserted[i] = true;
  }
  std::vector<Dim> out;
  size_t next = 0;
  for (size_t i = 0; i < inserted.size(); ++i) out.push_back(inserted[i] ? Dim::known(1) : x.dims[next++]);
  return {{v.dtype(0), ranked(std::move(out))}};
}

Outputs infer_Concat(const NodeView& v) {
  if (!v.n.has_attr("axis")) v.fail("attribute axis is required");
  DType dtype = DType::Undefined;
  const Shape* first = nullptr;
  for (size_t i = 0; i < v.n.inputs.size(); ++i) {
    if (dtype == DType::Undefined) dtype = v.dtype(i);
    if (!first && v.shape(i).has_rank) first = &v.shape(i);
  }
  if (!first) return {{dtype, unknown_shape()}};
  const int64_t rank = static_cast<int64_t>(first->dims.size());
  const size_t axis = static_cast<size_t>(normalize_axis(v, v.n.attr_int("axis", 0), rank, "axis"));
  std::vector<Dim> out = first->dims;
  std::vector<Dim> along;
  bool all_ranked = true;
  for (size_t i = 0; i < v.n.inputs.size(); ++i) {
    const Shape& s = v.shape(i);
    if (!s.has_rank) {
      all_ranked = false;
      continue;
    }
    if (s.dims.size() != first->dims.size())
      v.fail("inputs " + first->to_string() + " and " + s.to_string() + " have different ranks");
    for (size_t d = 0; d < out.size(); ++d) {
      if (d == axis) continue;
      if (out[d].is_known() && s.dims[d].is_known() && out[d].value != s.dims[d].value)
        v.fail("inputs " + first->to_string() + " and " + s.to_string() + " differ in dim " + std::to_string(d) +
               " (concatenating along axis " + std::to_string(axis) + ")");
      if (!out[d].is_known() && (s.dims[d].is_known() || out[d].symbol.empty())) out[d] = s.dims[d];
    }
    along.push_back(s.dims[axis]);
  }
  out[axis] = Dim{};
  if (all_ranked) {
    int64_t sum = 0;
    bool known = true;
    for (const Dim& d : along) {
      known = known && d.is_known();
      sum += d.value;
    }
    if (known) out[axis] = Dim::known(sum);
    else if (along.size() == 1) out[axis] = along[0];
  }
  return {{dtype, ranked(std::move(out))}};
}

Outputs infer_Gather(const NodeView& v) {
  const Shape& data = v.shape(0);
  const Shape& idx = v.shape(1);
  if (!data.has_rank || !idx.has_rank) return {{v.dtype(0), unknown_shape()}};
  const int64_t rank = static_cast<int64_t>(data.dims.size());
  if (rank == 0) v.fail("data must not be a scalar");
  const size_t axis = static_cast<size_t>(normalize_axis(v, v.n.attr_int("axis", 0), rank, "axis"));
  const Dim& n = data.dims[axis];
  if (const std::optional<std::vector<int64_t>> ids = v.const_ints(1); ids && n.is_known())
    for (int64_t i : *ids)
      if (i < -n.value || i >= n.value)
        v.fail("index " + std::to_string(i) + " is out of range for dim " + std::to_string(axis) + " of data " +
               data.to_string());
  std::vector<Dim> out(data.dims.begin(), data.dims.begin() + static_cast<int64_t>(axis));
  out.insert(out.end(), idx.dims.begin(), idx.dims.end());
  out.insert(out.end(), data.dims.begin() + static_cast<int64_t>(axis) + 1, data.dims.end());
  return {{v.dtype(0), ranked(std::move(out))}};
}

Outputs infer_Pad(const NodeView& v) {
  const Shape& x = v.shape(0);
  const DType dtype = v.dtype(0);
  if (!x.has_rank) return {{dtype, unknown_shape()}};
  const size_t rank = x.dims.size();
  std::optional<std::vector<int64_t>> pads;
  if (v.g.opset < 11) pads = v.n.attr_ints("pads");
  else pads = v.const_ints(1);
  if (!pads) return {{dtype, rank_only(rank)}};   // pads computed at run time

  // Opset 18's optional axes input names the padded dims; otherwise all dims are.
  std::vector<int64_t> axes;
  if (v.g.opset >= 18 && v.n.has_input(3)) {
    const std::optional<std::vector<int64_t>> a = v.const_ints(3);
    if (!a) return {{dtype, rank_only(rank)}};
    for (int64_t ax : *a) axes.push_back(normalize_axis(v, ax, static_cast<int64_t>(rank), "axis"));
  } else {
    for (size_t i = 0; i < rank; ++i) axes.push_back(static_cast<int64_t>(i));
  }
  if (pads->size() != 2 * axes.size())
    v.fail("pads " + ints_to_string(*pads) + " must have 2 values for each of the " +
           std::to_string(axes.size()) + " padded dims of input " + x.to_string());
  // Pads come from user constants: bounded by the tensor limit so that sums cannot overflow.
  for (int64_t p : *pads)
    if (p < -kMaxTensorElements || p > kMaxTensorElements)
      v.fail("pads " + ints_to_string(*pads) + " exceed octet's limit of 2^31 elements");
  std::vector<Dim> out = x.dims;
  for (size_t i = 0; i < axes.size(); ++i) {
    const int64_t total = (*pads)[i] + (*pads)[i + axes.size()];
    Dim& d = out[static_cast<size_t>(axes[i])];
    if (total == 0) continue;   // an unpadded dim keeps its symbol
    if (!d.is_known()) {
      d = Dim{};
      continue;
    }
    if (d.value > kMaxTensorElements || d.value + total > kMaxTensorElements)
      v.fail("pads " + ints_to_string(*pads) + " make dim " + std::to_string(axes[i]) + " of input " + x.to_string() +
             " exceed octet's limit of 2^31 elements");
    if (d.value + total < 0)
      v.fail("pads " + ints_to_string(*pads) + " remove more than dim " + std::to_string(axes[i]) + " of input " +
             x.to_string());
    d = Dim::known(d.value + total);
  }
  return {{dtype, ranked(std::move(out))}};
}

}  // namespace octet::shape_rules
