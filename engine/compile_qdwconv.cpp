// The int8 depthwise conv (Conv with group == input == output channels, engine/int8_coverage.h)
// as a QDwConvStep on the widest qu8_dwconv variant up to the int8 cap. A residual Add fused
// into it (quant::fuse_quantized_graph) becomes the depthwise step into the conv's own output
// tensor (Epilogue::conv_output, as a QDQ model rounds it) followed by the int8 Add. Part of
// the compiler (engine/compiler.h); arithmetic: kernels/int8/dwconv.h.
#include <algorithm>
#include <cmath>

#include "engine/compile_int8_helpers.h"
#include "engine/compiler.h"
#include "kernels/registry.h"

namespace octet::detail {

void Compiler::compile_qdwconv(const Node& n) {
  check_epilogue(g_, n);
  Slot in = as_uint8(n, n.inputs[0], true);
  const Tensor& w = constant(n, 1, "weight");
  const QuantParams& wq = *g_.value(n.inputs[1]).quant;
  const Tensor* bias = n.has_input(2) ? &constant(n, 2, "bias") : nullptr;
  int32_t groups = 1;
  QDwConvStep st;
  kernels::QConvParams& p = st.conv;
  p.shape = conv_shape(n, in, w, &groups);
  const int32_t channels = p.shape.out_c;
  if (groups != channels || p.shape.in_c != channels) fail(n, "the int8 depthwise conv needs group == input == output channels");
  if (wq.per_channel() && (wq.axis != 0 || int64_t(wq.channel_scales.size()) != channels))
    fail(n, "per-channel weights must have one scale per output channel (axis 0)");
  p.input_zero_point = in.zero_point;
  const Int8Weights qw = quantize_weights(w.values<float>(), wq, channels);   // [C][1][kH][kW]
  p.weight_zero_point = qw.zero_point;
  const std::vector<int32_t> qb = quantize_bias(bias, size_t(channels), in.scale, wq);
  const std::vector<int64_t> dims{channels, p.shape.out_h, p.shape.out_w};
  Slot out = u8_output_slot(n, Layout::Nhwc, dims);
  // The tensor the depthwise step writes: the output, or before a fused residual the conv's own.
  Slot conv = out;
  if (n.epilogue.residual) {
    if (!n.epilogue.conv_output)
      fail(n, "a residual fused into an int8 depthwise conv needs the conv output's own parameters");
    const QuantParams& cq = *n.epilogue.conv_output;
    conv = noted(Slot{new_u8_buffer(g_.value(n.outputs[0]).name + ":conv", product(dims),
                                    static_cast<int>(plan_.steps.size())),
                      Layout::Nhwc, dims, true, cq.scale, u8_zero_point(cq)});
  }
  // ONNX Runtime's float scales (kernels/int8/dwconv.h), one per channel with per-channel weights.
  std::vector<float> channel_scales;
  auto scale_of = [&](int64_t c) {
    const float s = kernels::conv_requant_scale(in.scale, weight_scale(wq, c), conv.scale);
    if (!std::isfinite(s))
      fail(n, "requantisation scale s_in*s_w/s_out is not finite (s_in = " + std::to_string(in.scale) +
                  ", s_w = " + std::to_string(weight_scale(wq, c)) + ", s_out = " + std::to_string(conv.scale) + ")");
    return s;
  };
  if (wq.per_channel()) {
    for (int32_t c = 0; c < channels; ++c) channel_scales.push_back(scale_of(c));
  } else {
    p.scale = scale_of(0);
  }
  p.output_zero_point = conv.zero_point;
  if (n.epilogue.residual) {
    p.output_min = 0;   // the conv's own tensor; the Add applies the fused activation
    p.output_max = 255;
  } else {
    output_clamp(g_, n, out, &p.output_min, &p.output_max);
  }
  const kernels::KernelVariant* v =
      kernels::widest_variant(kernels::KernelFamily::DwConvQU8, opts_.int8_isa.value_or(kernels::kWidestIsa),
                              [&](const kernels::KernelVariant& k) { return k.qdwconv->supports(p); });
  if (v == nullptr) fail(n, "int8 depthwise convolution: no kernel takes this layer's parameters");
  st.kernel = v->qdwconv;
  st.weights_offset = append_weights(st.kernel->packed_bytes(p));
  st.kernel->pack(p, qw.codes.data(), qb.data(), weights_at<uint8_t>(st.weights_offset));
  st.per_channel = !channel_scales.empty();
  if (st.per_channel) {
    st.scales_offset = append_weights(sizeof(float) * channel_scales.size());
    std::copy(channel_scales.begin(), channel_scales.end(), weights_at<float>(st.scales_offset));
  }
  Step step = Step::of(n.name, st, in.buffer, -1, conv.buffer);
  step.macs = int64_t{p.shape.out_h} * p.shape.out_w * channels * p.shape.kernel_h * p.shape.kernel_w;
  add_step(std::move(step));
  if (n.epilogue.residual) {   // the Add in its own operand order (requant.h: qadd_float)
    const Slot residual = as_uint8(n, n.inputs[3], true);
    if (n.epilogue.residual_first) add_qadd_step(n, residual, conv, out);
    else add_qadd_step(n, conv, residual, out);
  }
  set_output(n, out);
}

}  // namespace octet::detail
