// Slice and Gather: data movement for any element type, byte-wise.
#include <algorithm>

#include "engine/reference/op_args.h"
#include "graph/op_attrs.h"
#include "engine/reference/ops.h"
#include "graph/slice_range.h"
#include "kernels/reference/gather.h"
#include "kernels/reference/strided_copy.h"

namespace octet::ref {

Outputs eval_Slice(const Graph& g, const Node& n, Inputs in) {
  // Slice-1 takes starts/ends/axes as attributes; Slice-10 as inputs, plus steps.
  const bool inputs_form = g.opset >= 10;
  arg::count(g, n, in, inputs_form ? 3 : 1, inputs_form ? 5 : 1);
  const Tensor& x = arg::required(g, n, in, 0, "data");
  const int64_t rank = x.rank();
  std::vector<int64_t> starts, ends, raw_axes, steps;
  bool axes_given = false, steps_given = false;
  if (inputs_form) {
    const Tensor& s = arg::required(g, n, in, 1, "starts");
    const Tensor& e = arg::required(g, n, in, 2, "ends");
    starts = arg::int_list(g, n, s, "starts");
    ends = arg::int_list(g, n, e, "ends");
    if (const Tensor* a = arg::optional(in, 3)) raw_axes = arg::int_list(g, n, *a, "axes"), axes_given = true;
    if (const Tensor* st = arg::optional(in, 4)) steps = arg::int_list(g, n, *st, "steps"), steps_given = true;
  } else {
    if (!n.has_attr("starts") || !n.has_attr("ends")) arg::fail(g, n, "attributes 'starts' and 'ends' are required");
    starts = n.attr_ints("starts");
    ends = n.attr_ints("ends");
    axes_given = n.has_attr("axes");
    raw_axes = n.attr_ints("axes");
  }
  const size_t k = starts.size();
  if (ends.size() != k) arg::fail(g, n, "starts and ends have different lengths (" + std::to_string(k) + " and " + std::to_string(ends.size()) + ")");
  if (!axes_given)
    for (size_t i = 0; i < k; ++i) raw_axes.push_back(static_cast<int64_t>(i));
  if (!steps_given) steps.assign(k, 1);
  if (raw_axes.size() != k || steps.size() != k)
    arg::fail(g, n, "starts, ends, axes and steps must have the same length");
  const std::vector<int64_t> axes = arg::axes(g, n, raw_axes, rank);

  // Per dim: first index, step and count; untouched dims keep everything.
  std::vector<int64_t> first(static_cast<size_t>(rank), 0), step(static_cast<size_t>(rank), 1), out_dims = x.dims;
  for (size_t i = 0; i < k; ++i) {
    const size_t d = static_cast<size_t>(axes[i]);
    const int64_t dim = x.dims[d];
    const int64_t st = steps[i];
    if (st == 0) arg::fail(g, n, "step 0 on axis " + std::to_string(d));
    const SliceRange r = slice_range(dim, starts[i], ends[i], st);
    first[d] = r.first;
    // Steps beyond any dim size all take just the first element; bounding them keeps the
    // strided-copy offsets (step * stride) free of overflow.
    step[d] = std::clamp<int64_t>(st, -kMaxTensorElements, kMaxTensorElements);
    out_dims[d] = r.count;
  }
  Tensor out = arg::make(g, n, x.dtype, out_dims);
  if (out.numel() == 0) return {std::move(out)};
  std::vector<int64_t> in_strides(static_cast<size_t>(rank)), src_strides(static_cast<size_t>(rank)),
      dst_strides(static_cast<size_t>(rank));
  kernels::row_major_strides(x.dims, in_strides);
  kernels::row_major_strides(out.dims, dst_strides);
  int64_t offset = 0;
  for (size_t d = 0; d < static_cast<size_t>(rank); ++d) {
    offset += first[d] * in_strides[d];
    src_strides[d] = step[d] * in_strides[d];
  }
  const size_t es = dtype_size(x.dtype);
  kernels::strided_copy({out.dims, src_strides, dst_strides, es}, x.bytes.data() + offset * static_cast<int64_t>(es),
                        out.bytes.data());
  return {std::move(out)};
}

// Split: consecutive blocks along `axis`, sizes from the 'split' input (any value at run
// time), else as graph/op_attrs.h's split_sizes gives them; each block is a strided copy.
Outputs eval_Split(const Graph& g, const Node& n, Inputs in) {
  const bool input_form = g.opset >= 13;
  arg::count(g, n, in, 1, input_form ? 2 : 1);
  const Tensor& x = arg::required(g, n, in, 0, "input");
  if (x.rank() == 0) arg::fail(g, n, "input must have rank >= 1, got a scalar");
  const size_t axis = static_cast<size_t>(arg::axis(g, n, n.attr_int("axis", 0), x.rank()));
  const int64_t length = x.dims[axis];
  std::vector<int64_t> sizes;
  if (const Tensor* t = arg::optional(in, 1)) {
    sizes = arg::int_list(g, n, *t, "split");
    int64_t sum = 0;
    for (int64_t v : sizes) {
      if (v < 0) arg::fail(g, n, "split size " + std::to_string(v) + " is negative");
      sum += v;
    }
    if (sizes.size() != n.outputs.size() || sum != length)
      arg::fail(g, n, std::to_string(sizes.size()) + " split sizes adding up to " + std::to_string(sum) + " for " +
                          std::to_string(n.outputs.size()) + " outputs along an axis of " + std::to_string(length));
  } else {
    sizes = *split_sizes(g, n, length);   // no input: never computed at run time
  }
  std::vector<int64_t> in_strides(static_cast<size_t>(x.rank()));
  kernels::row_major_strides(x.dims, in_strides);
  const size_t es = dtype_size(x.dtype);
  Outputs out;
  int64_t first = 0;
  for (int64_t size : sizes) {
    std::vector<int64_t> dims = x.dims;
    dims[axis] = size;
    Tensor y = arg::make(g, n, x.dtype, dims);
    if (y.numel() > 0) {
      std::vector<int64_t> dst_strides(dims.size());
      kernels::row_major_strides(y.dims, dst_strides);
      kernels::strided_copy({y.dims, in_strides, dst_strides, es},
                            x.bytes.data() + first * in_strides[axis] * static_cast<int64_t>(es), y.bytes.data());
    }
    out.push_back(std::move(y));
    first += size;
  }
  return out;
}

Outputs eval_Gather(const Graph& g, const Node& n, Inputs in) {
  arg::count(g, n, in, 2, 2);
  const Tensor& x = arg::required(g, n, in, 0, "data");
  const Tensor& idx = arg::required(g, n, in, 1, "indices");
  if (x.rank() == 0) arg::fail(g, n, "input 'data' must have rank >= 1, got a scalar");
  if (idx.dtype != DType::Int32 && idx.dtype != DType::Int64)
    arg::fail(g, n, "input 'indices' must be int32 or int64, got " + dtype_name(idx.dtype));
  const int64_t axis = arg::axis(g, n, n.attr_int("axis", 0), x.rank());
  const size_t ax = static_cast<size_t>(axis);
  const int64_t dim = x.dims[ax];
  std::vector<int64_t> indices = idx.as_int64();
  for (size_t i = 0; i < indices.size(); ++i) {
    int64_t v = indices[i];
    if (v < -dim || v >= dim)
      arg::fail(g, n, "index " + std::to_string(v) + " (element " + std::to_string(i) + " of 'indices') is out of range [" +
                          std::to_string(-dim) + ", " + std::to_string(dim - 1) + "] for axis " + std::to_string(axis) +
                          " of shape " + dims_to_string(x.dims));
    indices[i] = v < 0 ? v + dim : v;
  }
  std::vector<int64_t> out_dims(x.dims.begin(), x.dims.begin() + axis);
  out_dims.insert(out_dims.end(), idx.dims.begin(), idx.dims.end());
  out_dims.insert(out_dims.end(), x.dims.begin() + axis + 1, x.dims.end());
  Tensor out = arg::make(g, n, x.dtype, out_dims);
  if (out.numel() == 0) return {std::move(out)};
  const std::span<const int64_t> xd(x.dims);
  kernels::GatherParams p;
  p.outer = arg::product(g, n, xd.first(ax));
  p.axis_dim = dim;
  p.inner = arg::product(g, n, xd.subspan(ax + 1));
  p.num_indices = static_cast<int64_t>(indices.size());
  p.elem_size = dtype_size(x.dtype);
  kernels::gather(p, x.bytes.data(), indices.data(), out.bytes.data());
  return {std::move(out)};
}

}  // namespace octet::ref
