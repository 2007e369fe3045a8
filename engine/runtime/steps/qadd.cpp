#include "engine/runtime/steps/qadd.h"

#include "engine/runtime/step_type_impl.h"
#include "kernels/int8/requant.h"

namespace octet {

void QAddStep::run(const QAddStep& p, const StepContext& c, int32_t, int32_t) {
  c.qvector->add(p.elements, c.input, c.input2, c.output, p.add);
}

void QAddStep::validate(PlanChecker& c, const Step& s, const QAddStep& p) {
  const kernels::QAddParams& a = p.add;
  // The same ranges as a conv's fused residual Add (kernels/int8/requant.h).
  c.require(PlanChecker::clamp_ok(a.output_min, a.output_max) && kernels::qadd_float_ok(a.rescale),
            "quantization parameters out of range");
  c.buffer(s.input, c.mul({p.elements}, "add size"), true, "input");
  c.buffer(s.input2, p.elements, true, "second input");
  c.buffer(s.output, p.elements, true, "output");
}

const StepType QAddStep::kType = make_step_type<QAddStep>(13, "qu8_add", true);

}  // namespace octet
