#include "engine/runtime/steps/qglobal_average.h"

#include "engine/runtime/step_type_impl.h"

namespace octet {

void QGlobalAverageStep::run(const QGlobalAverageStep& p, const StepContext& c, int32_t, int32_t) {
  c.qvector->global_average(p.image.height * p.image.width, p.image.channels, c.input, c.output, p.average);
}

std::string QGlobalAverageStep::describe(const Step&, const QGlobalAverageStep& p) {
  return "qu8_global_average " + std::to_string(p.image.height) + "x" + std::to_string(p.image.width) + "x" +
         std::to_string(p.image.channels);
}

void QGlobalAverageStep::validate(PlanChecker& c, const Step& s, const QGlobalAverageStep& p) {
  c.mul({p.image.height, p.image.width, 2048}, "int8 global average window");   // hw <= 2^20
  c.buffer(s.input, c.mul({p.image.height, p.image.width, p.image.channels}, "global average size"), true, "input");
  c.buffer(s.output, p.image.channels, true, "output");
  const kernels::QGlobalAverageParams& a = p.average;
  c.require(PlanChecker::zero_point_ok(a.input_zero_point) && PlanChecker::zero_point_ok(a.output_zero_point) &&
                PlanChecker::clamp_ok(a.output_min, a.output_max) && kernels::qfloat_ok(a.scale),
            "quantization parameters out of range");
}

const StepType QGlobalAverageStep::kType = make_step_type<QGlobalAverageStep>(11, "qu8_global_average", true);

}  // namespace octet
