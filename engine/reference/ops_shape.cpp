// Shape-only ops: Shape, Reshape, Flatten, Squeeze, Unsqueeze, Concat, Identity, Dropout.
// They move bytes without looking at them, so they work for every element type.
#include <algorithm>
#include <cstring>

#include "engine/reference/op_args.h"
#include "engine/reference/ops.h"
#include "kernels/reference/strided_copy.h"

namespace octet::ref {

Outputs eval_Shape(const Graph& g, const Node& n, Inputs in) {
  arg::count(g, n, in, 1, 1);
  const Tensor& x = arg::required(g, n, in, 0, "data");
  const int64_t rank = x.rank();
  int64_t start = 0, end = rank;
  if (g.opset >= 15) {   // Shape-15 can return a slice of the shape; out-of-range values clamp
    start = n.attr_int("start", 0);
    end = n.attr_int("end", rank);
    if (start < 0) start += rank;
    if (end < 0) end += rank;
    start = std::clamp<int64_t>(start, 0, rank);
    end = std::clamp<int64_t>(end, 0, rank);
  }
  const std::vector<int64_t> dims(x.dims.begin() + start, x.dims.begin() + std::max(start, end));
  return {Tensor::from<int64_t>({static_cast<int64_t>(dims.size())}, std::span<const int64_t>(dims))};
}

Outputs eval_Reshape(const Graph& g, const Node& n, Inputs in) {
  arg::count(g, n, in, 2, 2);
  const Tensor& x = arg::required(g, n, in, 0, "data");
  const Tensor& shape_in = arg::required(g, n, in, 1, "shape");
  if (shape_in.dtype != DType::Int64)
    arg::fail(g, n, "input 'shape' must be int64, got " + dtype_name(shape_in.dtype));
  if (shape_in.rank() != 1) arg::fail(g, n, "input 'shape' must be 1-D, got shape " + dims_to_string(shape_in.dims));
  std::vector<int64_t> dims = shape_in.as_int64();
  const bool allowzero = g.opset >= 14 && n.attr_int("allowzero", 0) != 0;
  const std::string what = "cannot reshape " + dims_to_string(x.dims) + " to " + dims_to_string(dims) + ": ";
  int infer_at = -1;
  bool has_zero = false;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == -1) {
      if (infer_at >= 0) arg::fail(g, n, what + "more than one -1");
      infer_at = static_cast<int>(i);
    } else if (dims[i] < -1) {
      arg::fail(g, n, what + "negative size " + std::to_string(dims[i]));
    } else if (dims[i] == 0) {
      has_zero = true;
      if (!allowzero) {   // 0 means "copy this dim from the input"
        if (i >= x.dims.size()) arg::fail(g, n, what + "0 at position " + std::to_string(i) + " has no input dim to copy");
        dims[i] = x.dims[i];
      }
    }
  }
  if (allowzero && has_zero && infer_at >= 0) arg::fail(g, n, what + "with allowzero=1, 0 and -1 cannot be combined");
  // Product of the known sizes, stopping once it exceeds the input size (so no overflow).
  const int64_t numel = x.numel();
  int64_t known = 1;
  bool too_big = false;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (static_cast<int>(i) == infer_at) continue;
    if (dims[i] == 0) {
      known = 0;
      too_big = false;
      break;
    }
    if (known > numel / dims[i]) too_big = true;
    if (!too_big) known *= dims[i];
  }
  if (infer_at >= 0) {
    if (known == 0 || too_big || numel % known != 0)
      arg::fail(g, n, what + "the -1 cannot be inferred (" + std::to_string(numel) + " elements)");
    dims[static_cast<size_t>(infer_at)] = numel / known;
  } else if (too_big || known != numel) {
    arg::fail(g, n, what + "element counts differ (" + std::to_string(numel) + " elements in the input)");
  }
  return {arg::with_dims(x, dims)};
}

Outputs eval_Flatten(const Graph& g, const Node& n, Inputs in) {
  arg::count(g, n, in, 1, 1);
  const Tensor& x = arg::required(g, n, in, 0, "input");
  const int64_t axis = arg::axis(g, n, n.attr_int("axis", 1), x.rank(), "axis", /*inclusive_end=*/true);
  const std::span<const int64_t> dims(x.dims);
  const int64_t outer = arg::product(g, n, dims.first(static_cast<size_t>(axis)));
  const int64_t inner = arg::product(g, n, dims.subspan(static_cast<size_t>(axis)));
  return {arg::with_dims(x, {outer, inner})};
}

namespace {

// Squeeze/Unsqueeze axes: an attribute before opset 13, an input from 13.
std::vector<int64_t> axes_arg(const Graph& g, const Node& n, Inputs in, bool* given) {
  if (g.opset >= 13) {
    const Tensor* t = arg::optional(in, 1);
    *given = t != nullptr;
    return t ? arg::int_list(g, n, *t, "axes") : std::vector<int64_t>{};
  }
  *given = n.has_attr("axes");
  return n.attr_ints("axes");
}

}  // namespace

Outputs eval_Squeeze(const Graph& g, const Node& n, Inputs in) {
  arg::count(g, n, in, 1, g.opset >= 13 ? 2 : 1);
  const Tensor& x = arg::required(g, n, in, 0, "data");
  bool given = false;
  const std::vector<int64_t> raw = axes_arg(g, n, in, &given);
  std::vector<bool> drop(x.dims.size(), false);
  if (given) {
    for (int64_t a : arg::axes(g, n, raw, x.rank())) {
      if (x.dims[static_cast<size_t>(a)] != 1)
        arg::fail(g, n, "cannot squeeze axis " + std::to_string(a) + " of shape " + dims_to_string(x.dims) +
                            ": its size is not 1");
      drop[static_cast<size_t>(a)] = true;
    }
  } else {
    for (size_t i = 0; i < x.dims.size(); ++i) drop[i] = x.dims[i] == 1;   // no axes: every 1
  }
  std::vector<int64_t> dims;
  for (size_t i = 0; i < x.dims.size(); ++i)
    if (!drop[i]) dims.push_back(x.dims[i]);
  return {arg::with_dims(x, dims)};
}

Outputs eval_Unsqueeze(const Graph& g, const Node& n, Inputs in) {
  arg::count(g, n, in, g.opset >= 13 ? 2 : 1, g.opset >= 13 ? 2 : 1);
  const Tensor& x = arg::required(g, n, in, 0, "data");
  bool given = false;
  const std::vector<int64_t> raw = axes_arg(g, n, in, &given);
  if (!given) arg::fail(g, n, g.opset >= 13 ? "input 'axes' is required" : "attribute 'axes' is required");
  // Axes index the output, whose rank is the input's plus one per axis.
  const int64_t out_rank = x.rank() + static_cast<int64_t>(raw.size());
  std::vector<bool> is_new(static_cast<size_t>(out_rank), false);
  for (int64_t a : arg::axes(g, n, raw, out_rank)) is_new[static_cast<size_t>(a)] = true;
  std::vector<int64_t> dims;
  size_t next = 0;
  for (int64_t i = 0; i < out_rank; ++i) dims.push_back(is_new[static_cast<size_t>(i)] ? 1 : x.dims[next++]);
  return {arg::with_dims(x, dims)};
}

Outputs eval_Concat(const Graph& g, const Node& n, Inputs in) {
  if (in.empty()) arg::fail(g, n, "needs at least one input");
  for (size_t i = 0; i < in.size(); ++i)
    if (in[i] == nullptr) arg::fail(g, n, "input " + std::to_string(i) + " is missing");
  if (!n.has_attr("axis")) arg::fail(g, n, "attribute 'axis' is required");
  const Tensor& first = *in[0];
  if (first.rank() == 0) arg::fail(g, n, "cannot concatenate scalars (rank 0)");
  const int64_t axis = arg::axis(g, n, n.attr_int("axis", 0), first.rank());
  const size_t ax = static_cast<size_t>(axis);
  std::vector<int64_t> out_dims = first.dims;
  out_dims[ax] = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    const Tensor& t = *in[i];
    if (t.dtype != first.dtype)
      arg::fail(g, n, "input " + std::to_string(i) + " is " + dtype_name(t.dtype) + ", input 0 is " +
                          dtype_name(first.dtype));
    bool same = t.rank() == first.rank();
    for (size_t d = 0; same && d < t.dims.size(); ++d)
      if (d != ax && t.dims[d] != first.dims[d]) same = false;
    if (!same)
      arg::fail(g, n, "input " + std::to_string(i) + " has shape " + dims_to_string(t.dims) + ", incompatible with " +
                          dims_to_string(first.dims) + " for concatenation along axis " + std::to_string(axis));
    out_dims[ax] += t.dims[ax];
  }
  Tensor out = arg::make(g, n, first.dtype, out_dims);
  // Each input is [outer, its_row] with rows of dims[axis:] elements; the output rows hold
  // them side by side.
  const std::span<const int64_t> od(out.dims);
  const int64_t outer = arg::product(g, n, od.first(ax));
  const int64_t out_row = arg::product(g, n, od.subspan(ax));
  const size_t es = dtype_size(first.dtype);
  int64_t offset = 0;   // elements into an output row
  for (const Tensor* t : in) {
    const int64_t row = arg::product(g, n, std::span<const int64_t>(t->dims).subspan(ax));
    const int64_t dims[2] = {outer, row}, src[2] = {row, 1}, dst[2] = {out_row, 1};
    if (row > 0 && outer > 0)
      kernels::strided_copy({dims, src, dst, es}, t->bytes.data(), out.bytes.data() + offset * static_cast<int64_t>(es));
    offset += row;
  }
  return {std::move(out)};
}

Outputs eval_Identity(const Graph& g, const Node& n, Inputs in) {
  arg::count(g, n, in, 1, 1);
  return {arg::required(g, n, in, 0, "input")};
}

Outputs eval_Dropout(const Graph& g, const Node& n, Inputs in) {
  arg::count(g, n, in, 1, g.opset >= 12 ? 3 : 1);
  const Tensor& x = arg::required(g, n, in, 0, "data");
  if (n.outputs.size() > 2) arg::fail(g, n, "has at most 2 outputs, given " + std::to_string(n.outputs.size()));
  if (g.opset >= 12) {
    // Dropout-12 takes training_mode as an input; in training mode it drops at random,
    // which an inference engine does not do, unless the ratio is 0 (then it is Identity).
    const Tensor* training = arg::optional(in, 2);
    if (training != nullptr) {
      if (training->dtype != DType::Bool || training->numel() != 1)
        arg::fail(g, n, "input 'training_mode' must be a bool scalar, got " + dtype_name(training->dtype) + " " +
                            dims_to_string(training->dims));
      if (training->data<bool>()[0]) {
        const Tensor* ratio_in = arg::optional(in, 1);
        double ratio = 0.5;
        if (ratio_in != nullptr) {
          const std::vector<double> r = ratio_in->as_double();
          if (r.size() != 1) arg::fail(g, n, "input 'ratio' must be a scalar");
          ratio = r[0];
        }
        if (ratio != 0)
          arg::fail(g, n, "training_mode is true: random dropout is not supported by an inference engine "
                          "(export the model for inference)");
      }
    }
  }
  Outputs out{x};
  if (n.outputs.size() == 2) {
    // The mask keeps everything. Dropout-7..9 type it like the data (ones), later versions bool.
    const DType mask_type = g.opset >= 10 ? DType::Bool : x.dtype;
    Tensor mask = arg::make(g, n, mask_type, x.dims);
    const bool ok = arg::visit_numeric(mask_type, [&](auto tag) {
      using T = decltype(tag);
      T* p = mask.data<T>();
      std::fill(p, p + mask.numel(), T(1));
    });
    if (!ok) arg::fail(g, n, "cannot build a mask of element type " + dtype_name(mask_type));
    out.push_back(std::move(mask));
  }
  return out;
}

}  // namespace octet::ref
