#include "engine/runtime/steps/qadd.h"

#include "engine/runtime/step_type_impl.h"

namespace octet {

void QAddStep::run(const QAddStep& p, const StepContext& c, int32_t, int32_t) {
  c.qvector->add(p.elements, c.input, c.input2, c.output, p.add);
}

void QAddStep::validate(PlanChecker& c, const Step& s, const QAddStep& p) {
  const kernels::QAddParams& a = p.add;
  auto zp = PlanChecker::zero_point_ok;
  c.require(zp(a.a_zero_point) && zp(a.b_zero_point) && zp(a.output_zero_point) &&
                PlanChecker::clamp_ok(a.output_min, a.output_max) && a.a_multiplier >= 0 && a.b_multiplier >= 0 &&
                a.shift >= 1 && a.shift <= 62,
            "quantization parameters out of range");
  c.buffer(s.input, c.mul({p.elements}, "add size"), true, "input");
  c.buffer(s.input2, p.elements, true, "second input");
  c.buffer(s.output, p.elements, true, "output");
}

const StepType QAddStep::kType = make_step_type<QAddStep>(13, "qu8_add", true);

}  // namespace octet
