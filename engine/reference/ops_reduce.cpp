// ReduceMean, ReduceMax (any axes, keepdims either way, axes as attribute or opset-18 input)
// and GlobalMaxPool, float32, on kernels/reference/reduce.h.
#include <algorithm>
#include <string>
#include <vector>

#include "engine/reference/op_args.h"
#include "engine/reference/ops.h"
#include "graph/reduce_axes.h"
#include "kernels/reference/reduce.h"

namespace octet::ref {
namespace {

void require_float(const Graph& g, const Node& n, const Tensor& x) {
  if (x.dtype != DType::Float32)
    arg::fail(g, n, "element type " + dtype_name(x.dtype) + " is not supported (octet reduces float32)");
}

Outputs reduce(const Graph& g, const Node& n, Inputs in, kernels::ReduceKind kind) {
  arg::count(g, n, in, 1, g.opset >= 18 ? 2 : 1);
  const Tensor& x = arg::required(g, n, in, 0, "data");
  require_float(g, n, x);
  const ReduceAxes r = *reduce_axes(g, n, x.rank(), arg::optional(in, 1));
  Tensor y = arg::make(g, n, DType::Float32, r.output_dims(x.dims, int64_t{1}));
  if (r.identity) {
    std::copy(x.data<float>(), x.data<float>() + x.numel(), y.data<float>());
    return {std::move(y)};
  }
  for (size_t i = 0; i < x.dims.size(); ++i)
    if (r.reduced[i] && x.dims[i] == 0)
      arg::fail(g, n, "reduces the empty axis " + std::to_string(i) + " of input " + dims_to_string(x.dims) +
                          ": the result is undefined");
  if (y.numel() == 0) return {std::move(y)};
  kernels::reduce_f32_ref(kind, x.dims, r.reduced, x.data<float>(), y.data<float>());
  return {std::move(y)};
}

}  // namespace

Outputs eval_ReduceMean(const Graph& g, const Node& n, Inputs in) { return reduce(g, n, in, kernels::ReduceKind::Mean); }
Outputs eval_ReduceMax(const Graph& g, const Node& n, Inputs in) { return reduce(g, n, in, kernels::ReduceKind::Max); }

Outputs eval_GlobalMaxPool(const Graph& g, const Node& n, Inputs in) {
  arg::count(g, n, in, 1, 1);
  const Tensor& x = arg::required(g, n, in, 0, "X");
  require_float(g, n, x);
  if (x.rank() < 3) arg::fail(g, n, "input X must have rank >= 3 ([N,C,spatial...]), got shape " + dims_to_string(x.dims));
  std::vector<int64_t> out_dims(x.dims.size(), 1);
  out_dims[0] = x.dims[0];
  out_dims[1] = x.dims[1];
  const int64_t plane = arg::product(g, n, std::span<const int64_t>(x.dims).subspan(2));
  if (plane == 0) arg::fail(g, n, "input X " + dims_to_string(x.dims) + " has an empty spatial extent: its maximum is undefined");
  Tensor y = arg::make(g, n, DType::Float32, out_dims);
  if (y.numel() == 0) return {std::move(y)};
  kernels::global_max_pool_f32_ref(x.dims[0] * x.dims[1], plane, x.data<float>(), y.data<float>());
  return {std::move(y)};
}

}  // namespace octet::ref
