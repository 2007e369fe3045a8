#include "engine/runtime/steps/qlookup.h"

#include "engine/runtime/step_type_impl.h"

namespace octet {

void QLookupStep::run(const QLookupStep& p, const StepContext& c, int32_t, int32_t) {
  c.qvector->lookup(p.elements, c.weights + p.table_offset, c.input, c.output);
}

void QLookupStep::validate(PlanChecker& c, const Step& s, const QLookupStep& p) {
  c.weights(p.table_offset, 256);
  c.buffer(s.input, c.mul({p.elements}, "lookup size"), true, "input");
  c.buffer(s.output, p.elements, true, "output");
}

const StepType QLookupStep::kType = make_step_type<QLookupStep>(60, "qu8_lookup", true);

}  // namespace octet
