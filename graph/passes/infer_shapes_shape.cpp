// Shape rules for the shape-computation ops exporters emit around Reshape and Pad: Shape,
// Constant, ConstantOfShape, Slice.
#include <algorithm>
#include <limits>
#include <string>

#include "graph/op_attrs.h"
#include "graph/passes/infer_shapes_rules.h"
#include "graph/slice_range.h"

namespace octet::shape_rules {

std::pair<int64_t, int64_t> shape_op_range(const Node& n, int64_t rank) {
  // Before opset 15 there are no start/end attributes, and their defaults cover all dims.
  auto clamp = [&](int64_t i) { return std::clamp(i < 0 ? i + rank : i, int64_t{0}, rank); };
  const int64_t start = clamp(n.attr_int("start", 0));
  const int64_t end = clamp(n.attr_int("end", rank));
  return {start, std::max(start, end)};
}

Outputs infer_Shape(const NodeView& v) {
  const Shape& x = v.shape(0);
  if (!x.has_rank) return {{DType::Int64, rank_only(1)}};
  const auto [start, end] = shape_op_range(v.n, static_cast<int64_t>(x.dims.size()));
  return {{DType::Int64, Shape::of({end - start})}};
}

Outputs infer_Constant(const NodeView& v) {
  const Node& n = v.n;
  if (n.has_attr("value")) {
    const Attribute& a = n.attrs.at("value");
    if (a.kind != Attribute::Kind::Tensor || !a.t) v.fail("attribute 'value' must be a tensor");
    return {{a.t->dtype, Shape::of(a.t->dims)}};
  }
  if (n.has_attr("value_float")) return {{DType::Float32, Shape::of({})}};
  if (n.has_attr("value_int")) return {{DType::Int64, Shape::of({})}};
  if (n.has_attr("value_floats"))
    return {{DType::Float32, Shape::of({static_cast<int64_t>(n.attr_floats("value_floats").size())})}};
  if (n.has_attr("value_ints"))
    return {{DType::Int64, Shape::of({static_cast<int64_t>(n.attr_ints("value_ints").size())})}};
  v.fail("needs one of the attributes value, value_float(s) or value_int(s)");
}

Outputs infer_ConstantOfShape(const NodeView& v) {
  DType dtype = DType::Float32;   // ONNX's default value is a float32 zero
  if (v.n.has_attr("value")) {
    const Attribute& a = v.n.attrs.at("value");
    if (a.kind != Attribute::Kind::Tensor || !a.t) v.fail("attribute 'value' must be a tensor");
    if (a.t->numel() != 1) v.fail("attribute 'value' must hold one element, got " + dims_to_string(a.t->dims));
    dtype = a.t->dtype;
  }
  if (const std::optional<std::vector<int64_t>> dims = v.const_ints(0)) {
    for (int64_t d : *dims)
      if (d < 0) v.fail("negative dim in shape " + dims_to_string(*dims));
    return {{dtype, Shape::of(*dims)}};
  }
  const Shape& s = v.shape(0);
  if (s.has_rank && s.dims.size() == 1 && s.dims[0].is_known())
    return {{dtype, rank_only(static_cast<size_t>(s.dims[0].value))}};
  return {{dtype, unknown_shape()}};
}

Outputs infer_Slice(const NodeView& v) {
  const Shape& x = v.shape(0);
  const DType dtype = v.dtype(0);
  if (!x.has_rank) return {{dtype, unknown_shape()}};
  const int64_t rank = static_cast<int64_t>(x.dims.size());

  std::optional<std::vector<int64_t>> starts, ends, axes, steps;
  if (v.g.opset < 10) {
    starts = v.n.attr_ints("starts");
    ends = v.n.attr_ints("ends");
    if (v.n.has_attr("axes")) axes = v.n.attr_ints("axes");
  } else {
    starts = v.const_ints(1);
    ends = v.const_ints(2);
    if (v.n.has_input(3) && !(axes = v.const_ints(3))) return {{dtype, rank_only(x.dims.size())}};
    if (v.n.has_input(4) && !(steps = v.const_ints(4))) return {{dtype, rank_only(x.dims.size())}};
  }
  if (!starts || !ends) return {{dtype, rank_only(x.dims.size())}};
  const size_t count = starts->size();
  if (ends->size() != count || (axes && axes->size() != count) || (steps && steps->size() != count))
    v.fail("starts, ends, axes and steps must have the same length");
  if (!axes) {
    axes.emplace();
    for (size_t i = 0; i < count; ++i) axes->push_back(static_cast<int64_t>(i));
  }
  if (!steps) steps = std::vector<int64_t>(count, 1);

  std::vector<Dim> out = x.dims;
  std::vector<bool> seen(x.dims.size(), false);
  for (size_t i = 0; i < count; ++i) {
    const size_t a = static_cast<size_t>(normalize_axis(v, (*axes)[i], rank, "axis"));
    if (seen[a]) v.fail("axis " + std::to_string((*axes)[i]) + " is sliced twice");
    seen[a] = true;
    const int64_t step = (*steps)[i];
    if (step == 0) v.fail("steps must not be 0");
    Dim& d = out[a];
    if (d.is_known()) {
      d = Dim::known(slice_range(d.value, (*starts)[i], (*ends)[i], step).count);
    } else if (!((*starts)[i] == 0 && step == 1 && (*ends)[i] >= std::numeric_limits<int32_t>::max())) {
      d = Dim{};   // anything but the whole dim depends on the unknown size
    }
  }
  return {{dtype, ranked(std::move(out))}};
}

// One output per part along `axis`: their sizes from split_sizes (graph/op_attrs.h) when the
// axis is known, from the explicit sizes alone when it is not; unknown when computed at run time.
Outputs infer_Split(const NodeView& v) {
  const Shape& x = v.shape(0);
  const DType dtype = v.dtype(0);
  const size_t outputs = v.n.outputs.size();
  if (!x.has_rank) return Outputs(outputs, Inferred{dtype, unknown_shape()});
  const int64_t rank = static_cast<int64_t>(x.dims.size());
  const size_t axis = static_cast<size_t>(normalize_axis(v, v.n.attr_int("axis", 0), rank, "axis"));
  const Dim& d = x.dims[axis];
  std::optional<std::vector<int64_t>> sizes =
      d.is_known() ? split_sizes(v.g, v.n, d.value) : split_explicit_sizes(v.g, v.n);
  Outputs out;
  for (size_t i = 0; i < outputs; ++i) {
    std::vector<Dim> dims = x.dims;
    dims[axis] = sizes && i < sizes->size() ? Dim::known((*sizes)[i]) : Dim{};
    out.push_back({dtype, ranked(std::move(dims))});
  }
  return out;
}

}  // namespace octet::shape_rules
