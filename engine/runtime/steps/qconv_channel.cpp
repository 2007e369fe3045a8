#include "engine/runtime/steps/qconv_channel.h"

#include <cstring>

#include "engine/runtime/step_type_impl.h"

namespace octet {

void QConvChannelStep::run(const QConvChannelStep& p, const StepContext& c, int32_t row_begin, int32_t row_end) {
  kernels::QConvParams q = p.conv;   // the pointer is not stored: it lives with the weights
  q.channel_scales = reinterpret_cast<const float*>(c.weights + p.scales_offset);
  run_kernel(p, q, c, row_begin, row_end);
}

std::string QConvChannelStep::describe(const Step& s, const QConvChannelStep& p) {
  return QConvStep::describe(s, p) + " per-channel";
}

template <typename IO, typename S>
void QConvChannelStep::fields(IO& io, S& p) {
  QConvStep::fields(io, p);
  io(p.scales_offset);
}

void QConvChannelStep::validate(PlanChecker& c, const Step& s, const QConvChannelStep& p) {
  QConvStep::validate(c, s, p);
  const size_t n = size_t(p.conv.shape.out_c);
  c.weights(p.scales_offset, n * sizeof(float));
  for (size_t i = 0; i < n; ++i) {
    float scale;
    std::memcpy(&scale, c.plan().weights.data() + p.scales_offset + i * sizeof(float), sizeof scale);
    c.require(kernels::requant_scale_ok(scale), "per-channel requantisation scale is not a finite number >= 0");
  }
}

const StepType QConvChannelStep::kType = make_step_type<QConvChannelStep>(24, "qu8_conv_channel", true);

}  // namespace octet
