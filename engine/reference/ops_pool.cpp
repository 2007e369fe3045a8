// AveragePool, MaxPool (with the optional Indices output) and GlobalAveragePool, over 1 to 3
// spatial dims.
#include <string>
#include <vector>

#include "engine/reference/op_args.h"
#include "engine/reference/ops.h"
#include "graph/op_attrs.h"
#include "kernels/reference/pool.h"

namespace octet::ref {
namespace {

void check_pool_input(const Graph& g, const Node& n, const Tensor& x) {
  if (x.rank() < 3 || x.rank() > 5)
    arg::fail(g, n, "input X must have 1 to 3 spatial dims (rank 3 to 5), got shape " + dims_to_string(x.dims));
}

// The window geometry and output dims of a pool over x.
struct PoolGeometry {
  kernels::PoolParams params;
  std::vector<int64_t> out_dims;
  bool count_include_pad = false;
};

PoolGeometry pool_geometry(const Graph& g, const Node& n, const Tensor& x) {
  check_pool_input(g, n, x);
  const std::vector<int64_t> in_spatial(x.dims.begin() + 2, x.dims.end());
  for (int64_t d : in_spatial)
    if (d == 0) arg::fail(g, n, "input X " + dims_to_string(x.dims) + " has an empty spatial dim: nothing to pool");
  const WindowParams wp = window_params(g, n, in_spatial);
  const std::vector<int64_t> out_spatial = wp.output_spatial(in_spatial);
  PoolGeometry geo;
  geo.out_dims = {x.dims[0], x.dims[1]};
  geo.out_dims.insert(geo.out_dims.end(), out_spatial.begin(), out_spatial.end());
  geo.count_include_pad = wp.count_include_pad;
  kernels::PoolParams& p = geo.params;
  p.batch = x.dims[0];
  p.channels = x.dims[1];
  p.in = kernels::to_spatial(in_spatial, 1);
  p.out = kernels::to_spatial(out_spatial, 1);
  p.kernel = kernels::to_spatial(wp.kernel, 1);
  p.stride = kernels::to_spatial(wp.strides, 1);
  p.dilation = kernels::to_spatial(wp.dilations, 1);
  p.pad_begin = kernels::to_spatial(wp.pads_begin, 0);
  p.pad_end = kernels::to_spatial(wp.pads_end, 0);
  return geo;
}

}  // namespace

Outputs eval_AveragePool(const Graph& g, const Node& n, Inputs in) {
  arg::count(g, n, in, 1, 1);
  const Tensor& x = arg::required(g, n, in, 0, "X");
  if (x.dtype != DType::Float32)
    arg::fail(g, n, "element type " + dtype_name(x.dtype) + " is not supported (octet's AveragePool computes float32)");
  const PoolGeometry geo = pool_geometry(g, n, x);
  Tensor y = arg::make(g, n, DType::Float32, geo.out_dims);
  if (y.numel() == 0) return {std::move(y)};
  kernels::average_pool_f32_ref(geo.params, geo.count_include_pad, x.data<float>(), y.data<float>());
  return {std::move(y)};
}

Outputs eval_MaxPool(const Graph& g, const Node& n, Inputs in) {
  arg::count(g, n, in, 1, 1);
  const Tensor& x = arg::required(g, n, in, 0, "X");
  if (x.dtype != DType::Float32 && x.dtype != DType::Uint8 && x.dtype != DType::Int8)
    arg::fail(g, n, "element type " + dtype_name(x.dtype) +
                        " is not supported (octet's MaxPool computes float32, uint8 and int8)");
  const int64_t storage_order = n.attr_int("storage_order", 0);
  if (storage_order != 0 && storage_order != 1)
    arg::fail(g, n, "storage_order must be 0 (row-major) or 1 (column-major), got " + std::to_string(storage_order));
  const PoolGeometry geo = pool_geometry(g, n, x);
  Tensor y = arg::make(g, n, x.dtype, geo.out_dims);
  // The second output, Indices, is computed only when the node asks for it.
  const bool want_indices = n.outputs.size() > 1;
  Tensor indices = want_indices ? arg::make(g, n, DType::Int64, geo.out_dims) : Tensor();
  Outputs out;
  if (y.numel() != 0) {
    int64_t* ind = want_indices ? indices.data<int64_t>() : nullptr;
    const bool column_major = storage_order == 1;
    switch (x.dtype) {
      case DType::Uint8:
        kernels::max_pool_ref(geo.params, x.data<uint8_t>(), y.data<uint8_t>(), ind, column_major);
        break;
      case DType::Int8:
        kernels::max_pool_ref(geo.params, x.data<int8_t>(), y.data<int8_t>(), ind, column_major);
        break;
      default:
        kernels::max_pool_ref(geo.params, x.data<float>(), y.data<float>(), ind, column_major);
    }
  }
  out.push_back(std::move(y));
  if (want_indices) out.push_back(std::move(indices));
  return out;
}

Outputs eval_GlobalAveragePool(const Graph& g, const Node& n, Inputs in) {
  arg::count(g, n, in, 1, 1);
  const Tensor& x = arg::required(g, n, in, 0, "X");
  if (x.dtype != DType::Float32)
    arg::fail(g, n, "element type " + dtype_name(x.dtype) +
                        " is not supported (octet's GlobalAveragePool computes float32)");
  if (x.rank() < 3) arg::fail(g, n, "input X must have rank >= 3 ([N,C,spatial...]), got shape " + dims_to_string(x.dims));
  std::vector<int64_t> out_dims(x.dims.size(), 1);
  out_dims[0] = x.dims[0];
  out_dims[1] = x.dims[1];
  const int64_t plane = arg::product(g, n, std::span<const int64_t>(x.dims).subspan(2));
  if (plane == 0)
    arg::fail(g, n, "input X " + dims_to_string(x.dims) + " has an empty spatial extent: its mean is undefined");
  Tensor y = arg::make(g, n, DType::Float32, out_dims);
  if (y.numel() == 0) return {std::move(y)};
  kernels::global_average_pool_f32_ref(x.dims[0] * x.dims[1], plane, x.data<float>(), y.data<float>());
  return {std::move(y)};
}

}  // namespace octet::ref
