// The sliding-window geometry of conv and pool steps, float and int8 alike: the node's
// window attributes (graph/op_attrs.h) over the input's [C,H,W], as the kernels' NHWC
// parameters. Part of the compiler (engine/compiler.h).
#include "engine/compiler.h"
#include "graph/op_attrs.h"

namespace octet::detail {

namespace {

// The fields conv and pool parameters share. in.dims is [C,H,W].
template <typename Params>
void set_window(Params& p, const WindowParams& wp, const Slot& in, const std::vector<int64_t>& out_spatial) {
  p.in_h = static_cast<int32_t>(in.dims[1]);
  p.in_w = static_cast<int32_t>(in.dims[2]);
  p.out_h = static_cast<int32_t>(out_spatial[0]);
  p.out_w = static_cast<int32_t>(out_spatial[1]);
  p.kernel_h = static_cast<int32_t>(wp.kernel[0]);
  p.kernel_w = static_cast<int32_t>(wp.kernel[1]);
  p.stride_h = static_cast<int32_t>(wp.strides[0]);
  p.stride_w = static_cast<int32_t>(wp.strides[1]);
  p.dilation_h = static_cast<int32_t>(wp.dilations[0]);
  p.dilation_w = static_cast<int32_t>(wp.dilations[1]);
  p.pad_top = static_cast<int32_t>(wp.pads_begin[0]);
  p.pad_left = static_cast<int32_t>(wp.pads_begin[1]);
}

}  // namespace

kernels::ConvNhwcParams Compiler::conv_shape(const Node& n, const Slot& in, const Tensor& w, int32_t* groups) const {
  if (w.rank() != 4) fail(n, "only 2-D convolutions are supported");
  const int64_t group = n.attr_int("group", 1);
  if (group != 1 && groups == nullptr) fail(n, "grouped convolution is not supported yet on the int8 kernels");
  if (group < 1 || in.dims[0] % group != 0 || w.dims[0] % group != 0)
    fail(n, "group " + std::to_string(group) + " does not divide the input and output channels");
  if (groups != nullptr) *groups = static_cast<int32_t>(group);
  const std::vector<int64_t> in_spatial{in.dims[1], in.dims[2]};
  WindowParams wp = window_params(g_, n, in_spatial, std::vector<int64_t>{w.dims[2], w.dims[3]});
  kernels::ConvNhwcParams p;
  set_window(p, wp, in, wp.output_spatial(in_spatial));
  p.in_c = static_cast<int32_t>(in.dims[0]);
  p.out_c = static_cast<int32_t>(w.dims[0]);
  if (w.dims[1] * group != p.in_c) fail(n, "weight channels do not match the input");
  return p;
}

kernels::PoolNhwcParams Compiler::pool_shape(const Node& n, const Slot& in) const {
  const std::vector<int64_t> in_spatial{in.dims[1], in.dims[2]};
  WindowParams wp = window_params(g_, n, in_spatial);
  kernels::PoolNhwcParams p;
  set_window(p, wp, in, wp.output_spatial(in_spatial));
  p.channels = static_cast<int32_t>(in.dims[0]);
  p.pad_bottom = static_cast<int32_t>(wp.pads_end[0]);
  p.pad_right = static_cast<int32_t>(wp.pads_end[1]);
  p.count_include_pad = wp.count_include_pad;
  if (n.op == OpKind::AveragePool && (p.dilation_h != 1 || p.dilation_w != 1))
    fail(n, "dilated average pooling is not supported");
  return p;
}

}  // namespace octet::detail
