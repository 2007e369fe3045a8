// Sigmoid, HardSigmoid, HardSwish, Tanh and LeakyRelu: float32 and float64 (the float16 and
// bfloat16 the spec also lists are not octet dtypes), on the kernels of
// kernels/reference/activation.h.
#include <type_traits>

#include "engine/reference/op_args.h"
#include "engine/reference/ops.h"
#include "kernels/reference/activation.h"

namespace octet::ref {
namespace {

// Checks the single float input X, makes Y of its shape and fills it with kernel(x, y, n)
// instantiated for the input's element type.
template <typename Kernel>
Outputs float_unary(const Graph& g, const Node& n, Inputs in, Kernel&& kernel) {
  arg::count(g, n, in, 1, 1);
  const Tensor& x = arg::required(g, n, in, 0, "X");
  Tensor out = arg::make(g, n, x.dtype, x.dims);
  if (x.dtype == DType::Float32)
    kernel(x.data<float>(), out.data<float>(), x.numel());
  else if (x.dtype == DType::Float64)
    kernel(x.data<double>(), out.data<double>(), x.numel());
  else
    arg::fail(g, n, "element type " + dtype_name(x.dtype) + " is not supported (float32 and float64)");
  return {std::move(out)};
}

// The element type of the output pointer a generic kernel lambda receives.
template <typename P>
using element_of = std::remove_pointer_t<P>;

}  // namespace

Outputs eval_Sigmoid(const Graph& g, const Node& n, Inputs in) {
  return float_unary(g, n, in, [](const auto* x, auto* y, int64_t k) { kernels::sigmoid(x, y, k); });
}

Outputs eval_HardSigmoid(const Graph& g, const Node& n, Inputs in) {
  const float alpha = n.attr_float("alpha", 0.2f), beta = n.attr_float("beta", 0.5f);
  return float_unary(g, n, in, [&](const auto* x, auto* y, int64_t k) {
    using T = element_of<decltype(y)>;
    kernels::hard_sigmoid(x, y, k, static_cast<T>(alpha), static_cast<T>(beta));
  });
}

Outputs eval_HardSwish(const Graph& g, const Node& n, Inputs in) {
  return float_unary(g, n, in, [](const auto* x, auto* y, int64_t k) { kernels::hard_swish(x, y, k); });
}

Outputs eval_Tanh(const Graph& g, const Node& n, Inputs in) {
  return float_unary(g, n, in, [](const auto* x, auto* y, int64_t k) { kernels::tanh(x, y, k); });
}

Outputs eval_LeakyRelu(const Graph& g, const Node& n, Inputs in) {
  const float alpha = n.attr_float("alpha", 0.01f);
  return float_unary(g, n, in, [&](const auto* x, auto* y, int64_t k) {
    using T = element_of<decltype(y)>;
    kernels::leaky_relu(x, y, k, static_cast<T>(alpha));
  });
}

}  // namespace octet::ref
