// Transpose and Pad: data movement for any element type, byte-wise.
#include <algorithm>
#include <cstring>
#include <limits>
#include <type_traits>

#include "engine/reference/op_args.h"
#include "engine/reference/ops.h"
#include "kernels/reference/cast.h"
#include "kernels/reference/pad.h"
#include "kernels/reference/strided_copy.h"

namespace octet::ref {

Outputs eval_Transpose(const Graph& g, const Node& n, Inputs in) {
  arg::count(g, n, in, 1, 1);
  const Tensor& x = arg::required(g, n, in, 0, "data");
  const int64_t rank = x.rank();
  std::vector<int64_t> perm;
  if (n.has_attr("perm")) {
    perm = n.attr_ints("perm");
  } else {
    for (int64_t i = rank - 1; i >= 0; --i) perm.push_back(i);   // default: reverse the dims
  }
  if (static_cast<int64_t>(perm.size()) != rank)
    arg::fail(g, n, "perm " + dims_to_string(perm) + " has " + std::to_string(perm.size()) +
                        " entries for an input of rank " + std::to_string(rank));
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  for (int64_t p : perm) {
    if (p < 0 || p >= rank || seen[static_cast<size_t>(p)])
      arg::fail(g, n, "perm " + dims_to_string(perm) + " is not a permutation of 0.." + std::to_string(rank - 1));
    seen[static_cast<size_t>(p)] = true;
  }
  std::vector<int64_t> in_strides(static_cast<size_t>(rank)), out_dims, src_strides;
  kernels::row_major_strides(x.dims, in_strides);
  for (int64_t p : perm) {
    out_dims.push_back(x.dims[static_cast<size_t>(p)]);
    src_strides.push_back(in_strides[static_cast<size_t>(p)]);
  }
  Tensor out = arg::make(g, n, x.dtype, out_dims);
  std::vector<int64_t> dst_strides(static_cast<size_t>(rank));
  kernels::row_major_strides(out.dims, dst_strides);
  kernels::strided_copy({out.dims, src_strides, dst_strides, dtype_size(x.dtype)}, x.bytes.data(), out.bytes.data());
  return {std::move(out)};
}

namespace {

kernels::PadMode pad_mode(const Graph& g, const Node& n) {
  const std::string mode = n.attr_string("mode", "constant");
  if (mode == "constant") return kernels::PadMode::Constant;
  if (mode == "reflect") return kernels::PadMode::Reflect;
  if (mode == "edge") return kernels::PadMode::Edge;
  if (mode == "wrap") {
    if (g.opset < 19) arg::fail(g, n, "mode 'wrap' exists from opset 19 only");
    return kernels::PadMode::Wrap;
  }
  arg::fail(g, n, "unknown mode '" + mode + "' (expected constant, reflect, edge or wrap)");
}

// The fill element of a constant Pad, as bytes of the data's type.
std::vector<uint8_t> pad_fill(const Graph& g, const Node& n, const Tensor& x, Inputs in) {
  std::vector<uint8_t> fill(dtype_size(x.dtype), 0);
  if (g.opset < 11) {
    // Pad-2's `value` attribute is a float, converted to the data's type.
    const float value = n.attr_float("value", 0.f);
    if (value == 0.f) return fill;   // zero bytes are 0 in every type, float16 included
    bool ok = arg::visit_numeric(x.dtype, [&](auto tag) {
      using T = decltype(tag);
      const T v = kernels::convert_element<T>(value);
      std::memcpy(fill.data(), &v, sizeof(T));
    });
    if (!ok) arg::fail(g, n, "a non-zero pad value for element type " + dtype_name(x.dtype) + " is not supported");
    return fill;
  }
  const Tensor* cv = arg::optional(in, 2);
  if (cv == nullptr) return fill;   // omitted: 0
  if (cv->dtype != x.dtype)
    arg::fail(g, n, "input 'constant_value' must have the data's element type " + dtype_name(x.dtype) + ", got " +
                        dtype_name(cv->dtype));
  if (cv->numel() != 1)
    arg::fail(g, n, "input 'constant_value' must be a scalar, got shape " + dims_to_string(cv->dims));
  std::memcpy(fill.data(), cv->bytes.data(), fill.size());
  return fill;
}

}  // namespace

Outputs eval_Pad(const Graph& g, const Node& n, Inputs in) {
  const bool pads_are_inputs = g.opset >= 11;   // Pad-2 has pads/value attributes instead
  arg::count(g, n, in, pads_are_inputs ? 2 : 1, pads_are_inputs ? (g.opset >= 18 ? 4 : 3) : 1);
  const Tensor& x = arg::required(g, n, in, 0, "data");
  const int64_t rank = x.rank();
  const kernels::PadMode mode = pad_mode(g, n);

  std::vector<int64_t> raw_pads;
  if (pads_are_inputs) {
    raw_pads = arg::int_list(g, n, arg::required(g, n, in, 1, "pads"), "pads");
  } else {
    if (!n.has_attr("pads")) arg::fail(g, n, "attribute 'pads' is required");
    raw_pads = n.attr_ints("pads");
  }
  // Pad-18's optional `axes` input says which dims the pads refer to; default all of them.
  std::vector<int64_t> axes;
  const Tensor* axes_in = g.opset >= 18 ? arg::optional(in, 3) : nullptr;
  if (axes_in != nullptr) {
    axes = arg::axes(g, n, arg::int_list(g, n, *axes_in, "axes"), rank);
  } else {
    for (int64_t i = 0; i < rank; ++i) axes.push_back(i);
  }
  if (raw_pads.size() != 2 * axes.size())
    arg::fail(g, n, "pads " + dims_to_string(raw_pads) + " must have " + std::to_string(2 * axes.size()) +
                        " entries (begin and end for each of " + std::to_string(axes.size()) + " axes)");
  std::vector<int64_t> begin(static_cast<size_t>(rank), 0), end(static_cast<size_t>(rank), 0);
  for (size_t k = 0; k < axes.size(); ++k) {
    begin[static_cast<size_t>(axes[k])] = raw_pads[k];
    end[static_cast<size_t>(axes[k])] = raw_pads[k + axes.size()];
  }

  // Negative pads crop: the kernel pads the window left after cropping.
  std::vector<int64_t> src_begin(static_cast<size_t>(rank)), src_dims(static_cast<size_t>(rank)),
      pads_begin(static_cast<size_t>(rank)), out_dims(static_cast<size_t>(rank));
  for (size_t d = 0; d < static_cast<size_t>(rank); ++d) {
    const int64_t dim = x.dims[d];
    for (int64_t p : {begin[d], end[d]})
      if (p > kMaxTensorElements || p < -dim)
        arg::fail(g, n, "pad " + std::to_string(p) + " on axis " + std::to_string(d) + " (size " +
                            std::to_string(dim) + ") is out of range");
    const int64_t crop_b = std::max<int64_t>(0, -begin[d]), crop_e = std::max<int64_t>(0, -end[d]);
    if (crop_b + crop_e > dim)
      arg::fail(g, n, "negative pads remove " + std::to_string(crop_b + crop_e) + " elements from axis " +
                          std::to_string(d) + ", which has only " + std::to_string(dim));
    src_begin[d] = crop_b;
    src_dims[d] = dim - crop_b - crop_e;
    pads_begin[d] = std::max<int64_t>(0, begin[d]);
    out_dims[d] = src_dims[d] + pads_begin[d] + std::max<int64_t>(0, end[d]);
    if (mode != kernels::PadMode::Constant && src_dims[d] == 0 && out_dims[d] > 0)
      arg::fail(g, n, "cannot pad axis " + std::to_string(d) + " in mode '" + n.attr_string("mode", "") +
                          "': no elements are left to copy from");
  }
  const std::vector<uint8_t> fill = pad_fill(g, n, x, in);
  Tensor out = arg::make(g, n, x.dtype, out_dims);
  std::vector<int64_t> in_strides(static_cast<size_t>(rank));
  kernels::row_major_strides(x.dims, in_strides);
  kernels::PadParams p{in_strides, src_begin, src_dims, pads_begin, out.dims, mode, dtype_size(x.dtype), fill.data()};
  kernels::pad(p, x.bytes.data(), out.bytes.data());
  return {std::move(out)};
}

}  // namespace octet::ref
