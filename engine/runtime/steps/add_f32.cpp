#include "engine/runtime/steps/add_f32.h"

#include "engine/runtime/step_type_impl.h"

namespace octet {

void AddF32Step::run(const AddF32Step& p, const StepContext& c, int32_t, int32_t) {
  c.vector->add(p.elements, c.in<float>(), c.in2<float>(), c.out<float>(), p.relu);
}

void AddF32Step::validate(PlanChecker& c, const Step& s, const AddF32Step& p) {
  c.buffer(s.input, c.mul({p.elements}, "add size"), false, "input");
  c.buffer(s.input2, p.elements, false, "second input");
  c.buffer(s.output, p.elements, false, "output");
}

const StepType AddF32Step::kType = make_step_type<AddF32Step>(7, "add", false);

}  // namespace octet
