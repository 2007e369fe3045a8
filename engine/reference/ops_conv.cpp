// Conv: 1-D, 2-D and 3-D, grouped and depthwise, with dilations, pads and auto_pad; and
// octet's fused form (graph/passes/optimize.h), y = act(conv(x, W) + b + residual), where
// the node's typed Epilogue (graph/ir.h) names the activation and whether the 4th input is
// the residual.
#include <string>
#include <vector>

#include "engine/reference/op_args.h"
#include "engine/reference/ops.h"
#include "graph/op_attrs.h"
#include "kernels/reference/activation.h"
#include "kernels/reference/conv.h"
#include "kernels/reference/elementwise.h"

namespace octet::ref {

namespace {

// The fused epilogue: residual add, then activation, in place on y. evaluate_node has checked
// the epilogue (check_epilogue): `residual` is the 4th input exactly when it is flagged.
void apply_epilogue(const Graph& g, const Node& n, const Tensor* residual, Tensor& y) {
  float* out = y.data<float>();
  if (residual != nullptr) {
    if (residual->dims != y.dims)
      arg::fail(g, n, "residual " + dims_to_string(residual->dims) + " must have the output's shape " +
                          dims_to_string(y.dims));
    const float* r = residual->data<float>();
    for (int64_t i = 0; i < y.numel(); ++i) out[i] += r[i];
  }
  switch (n.epilogue.activation) {
    case Epilogue::Activation::None: break;
    case Epilogue::Activation::Relu: kernels::relu<float>(out, out, y.numel()); break;
    case Epilogue::Activation::Clip: kernels::clip<float>(out, out, y.numel(), n.epilogue.min, n.epilogue.max); break;
    case Epilogue::Activation::Sigmoid: kernels::sigmoid<float>(out, out, y.numel()); break;
    case Epilogue::Activation::HardSigmoid:
      kernels::hard_sigmoid<float>(out, out, y.numel(), n.epilogue.alpha, n.epilogue.beta);
      break;
    case Epilogue::Activation::HardSwish: kernels::hard_swish<float>(out, out, y.numel()); break;
    case Epilogue::Activation::SiLU: {
      // x * sigmoid(x), as the Mul the exporter wrote: the sigmoid into a copy, then the product.
      std::vector<float> s(out, out + y.numel());
      kernels::sigmoid<float>(s.data(), s.data(), y.numel());
      for (int64_t i = 0; i < y.numel(); ++i) out[i] *= s[static_cast<size_t>(i)];
      break;
    }
  }
}

}  // namespace

Outputs eval_Conv(const Graph& g, const Node& n, Inputs in) {
  // ONNX's Conv takes 2 or 3 inputs; the 4th (residual) exists only in octet's fused form.
  arg::count(g, n, in, 2, 4);
  const Tensor& x = arg::required(g, n, in, 0, "X");
  const Tensor& w = arg::required(g, n, in, 1, "W");
  const Tensor* b = arg::optional(in, 2);
  const Tensor* residual = arg::optional(in, 3);
  for (const Tensor* t : {&x, &w, b, residual})
    if (t != nullptr && t->dtype != DType::Float32)
      arg::fail(g, n, "element type " + dtype_name(t->dtype) + " is not supported (octet's Conv computes float32)");

  if (x.rank() < 3 || x.rank() > 5)
    arg::fail(g, n, "input X must have 1 to 3 spatial dims (rank 3 to 5), got shape " + dims_to_string(x.dims));
  if (w.rank() != x.rank())
    arg::fail(g, n, "weight W " + dims_to_string(w.dims) + " must have the rank of input X " + dims_to_string(x.dims));
  const int64_t group = n.attr_int("group", 1);
  if (group <= 0) arg::fail(g, n, "group must be positive, got " + std::to_string(group));
  const int64_t channels = x.dims[1], out_channels = w.dims[0];
  const int64_t expected_channels = arg::product(g, n, std::vector<int64_t>{w.dims[1], group});
  if (expected_channels != channels)
    arg::fail(g, n, "input X " + dims_to_string(x.dims) + " has " + std::to_string(channels) + " channels but weight W " +
                        dims_to_string(w.dims) + " with group " + std::to_string(group) + " expects " +
                        std::to_string(expected_channels));
  if (out_channels % group != 0)
    arg::fail(g, n, "weight W " + dims_to_string(w.dims) + ": " + std::to_string(out_channels) +
                        " output channels are not divisible by group " + std::to_string(group));
  if (b != nullptr && (b->rank() != 1 || b->dims[0] != out_channels))
    arg::fail(g, n, "bias B must have shape [" + std::to_string(out_channels) + "] (the weight's output channels), got " +
                        dims_to_string(b->dims));

  const std::vector<int64_t> in_spatial(x.dims.begin() + 2, x.dims.end());
  const std::vector<int64_t> k_spatial(w.dims.begin() + 2, w.dims.end());
  const WindowParams wp = window_params(g, n, in_spatial, k_spatial);
  const std::vector<int64_t> out_spatial = wp.output_spatial(in_spatial);

  std::vector<int64_t> out_dims{x.dims[0], out_channels};
  out_dims.insert(out_dims.end(), out_spatial.begin(), out_spatial.end());
  Tensor y = arg::make(g, n, DType::Float32, out_dims);
  if (y.numel() == 0) {
    apply_epilogue(g, n, residual, y);   // still validates the residual's shape
    return {std::move(y)};
  }

  kernels::ConvParams p;
  p.batch = x.dims[0];
  p.in_channels = channels;
  p.out_channels = out_channels;
  p.groups = group;
  p.in = kernels::to_spatial(in_spatial, 1);
  p.out = kernels::to_spatial(out_spatial, 1);
  p.kernel = kernels::to_spatial(wp.kernel, 1);
  p.stride = kernels::to_spatial(wp.strides, 1);
  p.dilation = kernels::to_spatial(wp.dilations, 1);
  p.pad_begin = kernels::to_spatial(wp.pads_begin, 0);
  kernels::conv_f32_ref(p, x.data<float>(), w.data<float>(), b ? b->data<float>() : nullptr, y.data<float>());
  apply_epilogue(g, n, residual, y);
  return {std::move(y)};
}

}  // namespace octet::ref
