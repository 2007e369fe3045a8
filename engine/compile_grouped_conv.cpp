// Conv with group > 1 on the FP32 kernels (engine/compiler.h): depthwise (group == in channels
// == out channels) on a kernels/f32/dwconv.h variant, any other group count on a
// kernels/f32/conv.h variant run per group (engine/runtime/steps/grouped_conv_f32.h).
#include <algorithm>
#include <utility>

#include "engine/compiler.h"
#include "engine/conv_select.h"
#include "kernels/registry.h"

namespace octet::detail {

void Compiler::compile_grouped_conv(const Node& n, const kernels::ConvNhwcParams& p, int32_t groups, int input,
                                    int residual, const Tensor& w, const Tensor* bias) {
  const float* weight = w.data<float>();
  const float* bias_data = bias ? bias->data<float>() : nullptr;
  const int64_t macs = int64_t{p.out_h} * p.out_w * p.out_c * (p.in_c / groups) * p.kernel_h * p.kernel_w;
  if (groups == p.in_c && p.out_c == p.in_c) {
    DwConvF32Step ds;
    ds.shape = p;
    const kernels::KernelVariant* v =
        kernels::widest_variant(kernels::KernelFamily::DwConvF32, isa_,
                                [&](const kernels::KernelVariant& k) { return k.dwconv->supports(p); });
    if (v == nullptr) fail(n, std::string("no depthwise convolution kernel for ISA ") + kernels::isa_name(isa_));
    ds.kernel = v->dwconv;
    ds.weights_offset = append_weights(ds.kernel->packed_floats(p) * sizeof(float));
    ds.kernel->pack(p, weight, bias_data, weights_at<float>(ds.weights_offset));
    Step st = Step::of(n.name, ds, input, residual);
    st.macs = macs;
    return add_output_step(n, std::move(st), Layout::Nhwc, {p.out_c, p.out_h, p.out_w});
  }
  GroupedConvF32Step gs;
  gs.groups = groups;
  gs.group_shape = p;
  gs.group_shape.in_c = p.in_c / groups;
  gs.group_shape.out_c = p.out_c / groups;
  const int64_t group_weights = int64_t{gs.group_shape.out_c} * gs.group_shape.in_c * p.kernel_h * p.kernel_w;
  gs.kernel = select_conv_kernel(gs.group_shape, isa_, weight, bias_data, opts_.autotune, opts_.conv_family);
  if (gs.kernel == nullptr) fail(n, "no convolution kernel supports the groups of this layer");
  const size_t group_bytes = gs.group_weight_bytes();
  gs.weights_offset = append_weights(group_bytes * static_cast<size_t>(groups));
  for (int32_t g = 0; g < groups; ++g)
    gs.kernel->pack(gs.group_shape, weight + g * group_weights,
                    bias_data ? bias_data + int64_t{g} * gs.group_shape.out_c : nullptr,
                    weights_at<float>(gs.weights_offset + g * group_bytes));
  plan_.workspace_bytes = std::max(plan_.workspace_bytes, gs.workspace_bytes(residual >= 0));
  Step st = Step::of(n.name, gs, input, residual);
  st.macs = macs;
  add_output_step(n, std::move(st), Layout::Nhwc, {p.out_c, p.out_h, p.out_w});
}

}  // namespace octet::detail
