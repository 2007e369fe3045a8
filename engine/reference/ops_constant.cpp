// Cast, Constant and ConstantOfShape: ops that make values of a chosen element type.
#include <algorithm>
#include <cstring>
#include <type_traits>

#include "engine/reference/op_args.h"
#include "engine/reference/ops.h"
#include "kernels/reference/cast.h"

namespace octet::ref {

Outputs eval_Cast(const Graph& g, const Node& n, Inputs in) {
  arg::count(g, n, in, 1, 1);
  const Tensor& x = arg::required(g, n, in, 0, "input");
  if (!n.has_attr("to")) arg::fail(g, n, "attribute 'to' is required");
  const DType to = static_cast<DType>(n.attr_int("to", 0));
  if (to == x.dtype && dtype_size(to) != 0) return {x};   // same type: a copy, whatever the type
  const std::string which = "Cast from " + dtype_name(x.dtype) + " to " + dtype_name(to);
  if (!dtype_supported(x.dtype) || !dtype_supported(to))
    arg::fail(g, n, which + " is not supported (octet casts between float32, float64, int8/16/32/64, "
                            "uint8/16/32/64 and bool)");
  Tensor out = arg::make(g, n, to, x.dims);
  const int64_t count = x.numel();
  arg::visit_numeric(x.dtype, [&](auto from_tag) {
    using From = decltype(from_tag);
    arg::visit_numeric(to, [&](auto to_tag) {
      using To = decltype(to_tag);
      kernels::cast<To, From>(x.data<From>(), out.data<To>(), count);
    });
  });
  return {std::move(out)};
}

Outputs eval_Constant(const Graph& g, const Node& n, Inputs in) {
  arg::count(g, n, in, 0, 0);
  // Exactly one attribute carries the value.
  static const char* const kSupported[] = {"value", "value_float", "value_floats", "value_int", "value_ints"};
  static const char* const kUnsupported[] = {"sparse_value", "value_string", "value_strings"};
  for (const char* key : kUnsupported)
    if (n.has_attr(key)) arg::fail(g, n, std::string("attribute '") + key + "' is not supported");
  std::vector<const char*> given;
  for (const char* key : kSupported)
    if (n.has_attr(key)) given.push_back(key);
  if (given.size() != 1)
    arg::fail(g, n, "needs exactly one of the attributes value, value_float, value_floats, value_int, value_ints; got " +
                        std::to_string(given.size()));
  const std::string key = given[0];
  const Attribute& a = n.attrs.at(key);
  if (key == "value") {
    if (a.kind != Attribute::Kind::Tensor || !a.t) arg::fail(g, n, "attribute 'value' must be a tensor");
    return {*a.t};
  }
  if (key == "value_float") return {Tensor::from<float>({}, {n.attr_float(key, 0.f)})};
  if (key == "value_int") return {Tensor::from<int64_t>({}, {n.attr_int(key, 0)})};
  if (key == "value_floats") {
    const std::vector<float> v = n.attr_floats(key);
    return {Tensor::from<float>({static_cast<int64_t>(v.size())}, std::span<const float>(v))};
  }
  const std::vector<int64_t> v = n.attr_ints(key);
  return {Tensor::from<int64_t>({static_cast<int64_t>(v.size())}, std::span<const int64_t>(v))};
}

Outputs eval_ConstantOfShape(const Graph& g, const Node& n, Inputs in) {
  arg::count(g, n, in, 1, 1);
  const Tensor& shape_in = arg::required(g, n, in, 0, "input");
  if (shape_in.dtype != DType::Int64)
    arg::fail(g, n, "input 'input' (the shape) must be int64, got " + dtype_name(shape_in.dtype));
  if (shape_in.rank() != 1)
    arg::fail(g, n, "input 'input' (the shape) must be 1-D, got shape " + dims_to_string(shape_in.dims));
  const std::vector<int64_t> dims = shape_in.as_int64();
  for (int64_t d : dims)
    if (d < 0) arg::fail(g, n, "shape " + dims_to_string(dims) + " has a negative dimension");
  // The fill value: a one-element tensor attribute, float32 0 by default.
  Tensor value = Tensor::from<float>({1}, {0.f});
  if (n.has_attr("value")) {
    const Attribute& a = n.attrs.at("value");
    if (a.kind != Attribute::Kind::Tensor || !a.t) arg::fail(g, n, "attribute 'value' must be a tensor");
    if (a.t->numel() != 1)
      arg::fail(g, n, "attribute 'value' must hold one element, got shape " + dims_to_string(a.t->dims));
    value = *a.t;
  }
  Tensor out = arg::make(g, n, value.dtype, dims);
  const size_t es = dtype_size(value.dtype);
  for (int64_t i = 0; i < out.numel(); ++i) std::memcpy(out.bytes.data() + static_cast<size_t>(i) * es, value.bytes.data(), es);
  return {std::move(out)};
}

}  // namespace octet::ref
