#include "engine/runtime/steps/qadd.h"

#include "engine/runtime/step_type_impl.h"

namespace octet {

void QAddStep::run(const QAddStep& p, const StepContext& c, int32_t, int32_t) {
  c.qvector->add(p.elements, c.input, c.input2, c.output, p.add);
}

void QAddStep::validate(PlanChecker& c, const Step& s, const QAddStep& p) {
  const kernels::QAddParams& a = p.add;
  c.require(PlanChecker::clamp_ok(a.output_min, a.output_max) && kernels::qfloat_ok(a.rescale.ratio_a) &&
                kernels::qfloat_ok(a.rescale.ratio_b) && kernels::qfloat_ok(a.rescale.fixed, -0x1p64f) &&
                (a.rescale.code_offset == 0 || a.rescale.code_offset == 128),
            "quantization parameters out of range");
  c.buffer(s.input, c.mul({p.elements}, "add size"), true, "input");
  c.buffer(s.input2, p.elements, true, "second input");
  c.buffer(s.output, p.elements, true, "output");
}

const StepType QAddStep::kType = make_step_type<QAddStep>(13, "qu8_add", true);

}  // namespace octet
