// BatchNormalization (inference mode), Softmax and LogSoftmax.
#include <string>
#include <vector>

#include "engine/reference/op_args.h"
#include "engine/reference/ops.h"
#include "kernels/reference/batchnorm.h"
#include "kernels/reference/softmax.h"

namespace octet::ref {

Outputs eval_BatchNormalization(const Graph& g, const Node& n, Inputs in) {
  arg::count(g, n, in, 5, 5);
  // Training mode updates running statistics from the batch: not an inference operation.
  if (n.attr_int("training_mode", 0) != 0)
    arg::fail(g, n, "training_mode=1 is not supported (octet runs inference only)");
  if (n.outputs.size() > 1)
    arg::fail(g, n, "the outputs running mean/var (and saved mean/var) exist in training mode only, which octet "
                    "does not support; the node asks for " + std::to_string(n.outputs.size()) + " outputs");
  static const char* const kNames[] = {"X", "scale", "B", "input_mean", "input_var"};
  const Tensor* t[5];
  for (size_t i = 0; i < 5; ++i) {
    t[i] = &arg::required(g, n, in, i, kNames[i]);
    if (t[i]->dtype != DType::Float32)
      arg::fail(g, n, std::string("input ") + kNames[i] + ": element type " + dtype_name(t[i]->dtype) +
                          " is not supported (octet's BatchNormalization computes float32)");
  }
  const Tensor& x = *t[0];
  if (x.rank() < 2) arg::fail(g, n, "input X must have rank >= 2 ([N,C,...]), got shape " + dims_to_string(x.dims));
  const int64_t channels = x.dims[1];
  for (size_t i = 1; i < 5; ++i)
    if (t[i]->rank() != 1 || t[i]->dims[0] != channels)
      arg::fail(g, n, std::string("input ") + kNames[i] + " must have shape [" + std::to_string(channels) +
                          "] (the channels of X " + dims_to_string(x.dims) + "), got " + dims_to_string(t[i]->dims));

  Tensor y = arg::make(g, n, DType::Float32, x.dims);
  if (y.numel() == 0) return {std::move(y)};
  kernels::BatchNormParams p;
  p.batch = x.dims[0];
  p.channels = channels;
  p.spatial = x.numel() / (p.batch * channels);
  p.epsilon = n.attr_float("epsilon", 1e-5f);
  kernels::batch_norm_inference_f32_ref(p, x.data<float>(), t[1]->data<float>(), t[2]->data<float>(),
                                        t[3]->data<float>(), t[4]->data<float>(), y.data<float>());
  return {std::move(y)};
}

namespace {
// Softmax and LogSoftmax: the same axis rules (opset 13 one axis, earlier a 2-D flattening).
Outputs softmax_like(const Graph& g, const Node& n, Inputs in, bool log) {
  arg::count(g, n, in, 1, 1);
  const Tensor& x = arg::required(g, n, in, 0, "input");
  if (x.dtype != DType::Float32)
    arg::fail(g, n, "element type " + dtype_name(x.dtype) + " is not supported (octet's " + std::string(op_name(n.op)) + " computes float32)");
  if (x.rank() == 0) arg::fail(g, n, "input must have rank >= 1, got a scalar");
  // Opset 13 normalizes along one axis (default -1); earlier opsets flatten the input to 2-D
  // at `axis` (default 1) and normalize each row of the flattened view.
  const bool per_axis = g.opset >= 13;
  const int64_t axis = arg::axis(g, n, n.attr_int("axis", per_axis ? -1 : 1), x.rank());
  kernels::SoftmaxParams p;
  p.outer = arg::product(g, n, std::span<const int64_t>(x.dims).first(static_cast<size_t>(axis)));
  if (per_axis) {
    p.axis = x.dims[static_cast<size_t>(axis)];
    p.inner = arg::product(g, n, std::span<const int64_t>(x.dims).subspan(static_cast<size_t>(axis) + 1));
  } else {
    p.axis = arg::product(g, n, std::span<const int64_t>(x.dims).subspan(static_cast<size_t>(axis)));
    p.inner = 1;
  }
  Tensor y = arg::make(g, n, DType::Float32, x.dims);
  if (y.numel() == 0) return {std::move(y)};
  if (log) kernels::log_softmax_f32_ref(p, x.data<float>(), y.data<float>());
  else kernels::softmax_f32_ref(p, x.data<float>(), y.data<float>());
  return {std::move(y)};
}
}  // namespace

Outputs eval_Softmax(const Graph& g, const Node& n, Inputs in) { return softmax_like(g, n, in, false); }
Outputs eval_LogSoftmax(const Graph& g, const Node& n, Inputs in) { return softmax_like(g, n, in, true); }


}  // namespace octet::ref
