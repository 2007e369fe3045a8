#include "engine/runtime/steps/qdwconv.h"

#include <cmath>
#include <cstring>

#include "engine/runtime/step_type_impl.h"
#include "engine/runtime/steps/field_lists.h"

namespace octet {

void QDwConvStep::run(const QDwConvStep& p, const StepContext& c, int32_t row_begin, int32_t row_end) {
  kernels::QConvParams q = p.conv;   // the pointer is not stored: it lives with the weights
  if (p.per_channel) q.channel_scales = reinterpret_cast<const float*>(c.weights + p.scales_offset);
  p.kernel->run(q, c.weights + p.weights_offset, c.input, c.output, row_begin, row_end);
}

std::string QDwConvStep::describe(const Step&, const QDwConvStep& p) {
  const kernels::QConvParams& q = p.conv;
  return std::string(p.kernel->name) + "  " + conv_geometry(q.shape) + " depthwise" +
         (q.output_min > 0 ? " clamp[" + std::to_string(q.output_min) + "," + std::to_string(q.output_max) + "]" : "") +
         (p.per_channel ? " per-channel" : "");
}

std::string QDwConvStep::summary(const QDwConvStep& p) {
  const kernels::ConvNhwcParams& s = p.conv.shape;
  auto n = [](int32_t v) { return std::to_string(v); };
  return "depthwise conv " + n(s.kernel_h) + "x" + n(s.kernel_w) +
         (s.stride_h == 1 && s.stride_w == 1 ? std::string() : " s" + n(s.stride_h)) + " " + n(s.in_c) + ", " +
         n(s.out_h) + "x" + n(s.out_w);
}

template <typename IO, typename S>
void QDwConvStep::fields(IO& io, S& p) {
  io(p.kernel);
  qconv_core_fields(io, p.conv);
  io(p.weights_offset), io(p.per_channel), io(p.scales_offset);
}

void QDwConvStep::validate(PlanChecker& c, const Step& s, const QDwConvStep& p) {
  const kernels::QConvParams& q = p.conv;
  const kernels::ConvNhwcParams& sh = q.shape;
  c.require(p.kernel != nullptr, "no int8 depthwise conv kernel");
  c.conv_shape(sh);
  c.require(PlanChecker::qconv_core_ok(q), "int8 depthwise conv quantization parameters out of range");
  c.require(s.input2 < 0, "an int8 depthwise conv takes no residual");
  c.require(p.kernel->supports(q), "the kernel does not support these parameters");
  c.buffer(s.input, int64_t{sh.in_h} * sh.in_w * sh.in_c, true, "input");
  c.buffer(s.output, int64_t{sh.out_h} * sh.out_w * sh.out_c, true, "output");
  c.weights(p.weights_offset, p.kernel->packed_bytes(q));
  if (p.kernel->packed_ok != nullptr)
    c.require(p.kernel->packed_ok(q, c.plan().weights.data() + p.weights_offset),
              "int8 depthwise conv packed weights do not match their accumulator bound");
  if (!p.per_channel) return;
  const size_t channels = size_t(sh.out_c);
  c.weights(p.scales_offset, sizeof(float) * channels);
  const uint8_t* at = c.plan().weights.data() + p.scales_offset;
  for (size_t i = 0; i < channels; ++i) {
    float scale;
    std::memcpy(&scale, at + i * sizeof(float), sizeof scale);
    c.require(std::isfinite(scale), "int8 depthwise conv per-channel scale not finite");
  }
}

const StepType QDwConvStep::kType = make_step_type<QDwConvStep>(40, "qu8_dwconv", true);

}  // namespace octet
