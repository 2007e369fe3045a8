// Add, Sub, Mul, Div (numpy broadcasting), Relu and Clip.
#include <limits>
#include <type_traits>

#include "engine/reference/broadcast.h"
#include "engine/reference/op_args.h"
#include "engine/reference/ops.h"
#include "kernels/reference/elementwise.h"

namespace octet::ref {
namespace {

using kernels::BinaryOp;

// The arithmetic types: every numeric dtype but bool.
template <typename F>
bool visit_arithmetic(DType t, F&& f) {
  if (t == DType::Bool) return false;
  return arg::visit_numeric(t, std::forward<F>(f));
}

Outputs binary(const Graph& g, const Node& n, Inputs in, BinaryOp op) {
  arg::count(g, n, in, 2, 2);
  const Tensor& a = arg::required(g, n, in, 0, "A");
  const Tensor& b = arg::required(g, n, in, 1, "B");
  if (a.dtype != b.dtype)
    arg::fail(g, n, "inputs A and B must have the same element type, got " + dtype_name(a.dtype) + " and " +
                        dtype_name(b.dtype));
  const std::vector<int64_t> out_dims = broadcast_dims(g, n, a.dims, b.dims);
  const std::vector<int64_t> sa = broadcast_strides(a.dims, out_dims);
  const std::vector<int64_t> sb = broadcast_strides(b.dims, out_dims);
  bool ok = visit_arithmetic(a.dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_integral_v<T>) {
      if (op == BinaryOp::Div)
        for (T v : b.values<T>())
          if (v == 0) arg::fail(g, n, "integer division by zero (input B holds a 0)");
    }
  });
  if (!ok)
    arg::fail(g, n, "element type " + dtype_name(a.dtype) +
                        " is not supported (octet computes it on float32, float64 and integer tensors)");
  Tensor out = arg::make(g, n, a.dtype, out_dims);
  if (out.numel() == 0) return {std::move(out)};
  visit_arithmetic(a.dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, bool>) {   // never reached for bool; keeps it uninstantiated
      kernels::BroadcastParams p{out.dims, sa, sb};
      kernels::binary_broadcast<T>(op, p, a.data<T>(), b.data<T>(), out.data<T>());
    }
  });
  return {std::move(out)};
}

// The value of Clip's optional min/max input, or `fallback` when omitted.
template <typename T>
T clip_bound(const Graph& g, const Node& n, const Tensor& x, const Tensor* bound, const char* name, T fallback) {
  if (bound == nullptr) return fallback;
  if (bound->dtype != x.dtype)
    arg::fail(g, n, std::string("input '") + name + "' must have the input's element type " + dtype_name(x.dtype) +
                        ", got " + dtype_name(bound->dtype));
  // ONNX asks for a scalar; a one-element tensor of shape [1] is accepted too.
  if (bound->numel() != 1)
    arg::fail(g, n, std::string("input '") + name + "' must be a scalar, got shape " + dims_to_string(bound->dims));
  return bound->data<T>()[0];
}

}  // namespace

Outputs eval_Add(const Graph& g, const Node& n, Inputs in) { return binary(g, n, in, BinaryOp::Add); }
Outputs eval_Sub(const Graph& g, const Node& n, Inputs in) { return binary(g, n, in, BinaryOp::Sub); }
Outputs eval_Mul(const Graph& g, const Node& n, Inputs in) { return binary(g, n, in, BinaryOp::Mul); }
Outputs eval_Div(const Graph& g, const Node& n, Inputs in) { return binary(g, n, in, BinaryOp::Div); }

Outputs eval_Relu(const Graph& g, const Node& n, Inputs in) {
  arg::count(g, n, in, 1, 1);
  const Tensor& x = arg::required(g, n, in, 0, "X");
  // Relu-6 is defined on floats only; Relu-14 adds the signed integers.
  const bool is_float = x.dtype == DType::Float32 || x.dtype == DType::Float64;
  const bool is_signed_int = x.dtype == DType::Int8 || x.dtype == DType::Int16 || x.dtype == DType::Int32 ||
                             x.dtype == DType::Int64;
  if (!is_float && !(is_signed_int && g.opset >= 14))
    arg::fail(g, n, "element type " + dtype_name(x.dtype) + " is not supported (float32 and float64" +
                        std::string(g.opset >= 14 ? ", and signed integers" : "; signed integers from opset 14") +
                        ")");
  Tensor out = arg::make(g, n, x.dtype, x.dims);
  arg::visit_numeric(x.dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_signed_v<T>) kernels::relu<T>(x.data<T>(), out.data<T>(), x.numel());
  });
  return {std::move(out)};
}

Outputs eval_Clip(const Graph& g, const Node& n, Inputs in) {
  const bool bounds_are_inputs = g.opset >= 11;   // Clip-6 has min/max attributes instead
  arg::count(g, n, in, 1, bounds_are_inputs ? 3 : 1);
  const Tensor& x = arg::required(g, n, in, 0, "input");
  const bool is_float = x.dtype == DType::Float32 || x.dtype == DType::Float64;
  // Clip-12 adds all integer types.
  if (!is_float && !(g.opset >= 12 && x.dtype != DType::Bool && arg::visit_numeric(x.dtype, [](auto) {})))
    arg::fail(g, n, "element type " + dtype_name(x.dtype) + " is not supported (float32 and float64" +
                        std::string(g.opset >= 12 ? ", and integers" : "; integers from opset 12") + ")");
  Tensor out = arg::make(g, n, x.dtype, x.dims);
  arg::visit_numeric(x.dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, bool>) {
      T lo, hi;
      if (bounds_are_inputs) {
        // An omitted bound is unbounded; for floats that is +-infinity so that inf passes through.
        constexpr bool has_inf = std::numeric_limits<T>::has_infinity;
        const T lowest = has_inf ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::lowest();
        const T highest = has_inf ? std::numeric_limits<T>::infinity() : std::numeric_limits<T>::max();
        lo = clip_bound<T>(g, n, x, arg::optional(in, 1), "min", lowest);
        hi = clip_bound<T>(g, n, x, arg::optional(in, 2), "max", highest);
      } else {
        // Clip-6's defaults are +-3.402823e+38 (float's range), per the spec.
        lo = static_cast<T>(n.attr_float("min", std::numeric_limits<float>::lowest()));
        hi = static_cast<T>(n.attr_float("max", std::numeric_limits<float>::max()));
      }
      kernels::clip<T>(x.data<T>(), out.data<T>(), x.numel(), lo, hi);
    }
  });
  return {std::move(out)};
}

}  // namespace octet::ref
