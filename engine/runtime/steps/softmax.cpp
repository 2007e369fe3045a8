#include "engine/runtime/steps/softmax.h"

#include "engine/runtime/step_type_impl.h"

namespace octet {

void SoftmaxStep::run(const SoftmaxStep& p, const StepContext& c, int32_t, int32_t) {
  c.vector->softmax(p.rows, p.cols, c.in<float>(), c.out<float>());
}

void SoftmaxStep::validate(PlanChecker& c, const Step& s, const SoftmaxStep& p) {
  c.buffer(s.input, c.mul({p.rows, p.cols}, "softmax size"), false, "input");
  c.buffer(s.output, int64_t{p.rows} * p.cols, false, "output");
}

const StepType SoftmaxStep::kType = make_step_type<SoftmaxStep>(6, "softmax", false);

}  // namespace octet
