#include "engine/runtime/steps/qconv_channel.h"

#include "engine/runtime/step_type_impl.h"

namespace octet {

void QConvChannelStep::run(const QConvChannelStep& p, const StepContext& c, int32_t row_begin, int32_t row_end) {
  kernels::QConvParams q = p.conv;   // the pointer is not stored: it lives with the weights
  q.channel_multipliers = reinterpret_cast<const int32_t*>(c.weights + p.multipliers_offset);
  p.kernel->run(q, c.weights + p.weights_offset, c.input, c.input2, c.output, c.workspace, row_begin, row_end);
}

std::string QConvChannelStep::describe(const Step& s, const QConvChannelStep& p) {
  return QConvStep::describe(s, p) + " per-channel";
}

template <typename IO, typename S>
void QConvChannelStep::fields(IO& io, S& p) {
  QConvStep::fields(io, p);
  io(p.multipliers_offset);
}

void QConvChannelStep::validate(PlanChecker& c, const Step& s, const QConvChannelStep& p) {
  QConvStep::validate(c, s, p);
  c.channel_multipliers(p.multipliers_offset, size_t(p.conv.shape.out_c), p.conv.requant.multiplier);
}

const StepType QConvChannelStep::kType = make_step_type<QConvChannelStep>(24, "qu8_conv_channel", true);

}  // namespace octet
