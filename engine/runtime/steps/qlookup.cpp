#include "engine/runtime/steps/qlookup.h"

#include "engine/runtime/step_type_impl.h"

namespace octet {

void QLookupStep::run(const QLookupStep& p, const StepContext& c, int32_t, int32_t) {
  const uint8_t* table = c.weights + p.table_offset;
  const uint8_t* x = c.input;
  uint8_t* y = c.output;
  for (int64_t i = 0; i < p.elements; ++i) y[i] = table[x[i]];
}

void QLookupStep::validate(PlanChecker& c, const Step& s, const QLookupStep& p) {
  c.weights(p.table_offset, 256);
  c.buffer(s.input, c.mul({p.elements}, "lookup size"), true, "input");
  c.buffer(s.output, p.elements, true, "output");
}

const StepType QLookupStep::kType = make_step_type<QLookupStep>(60, "qu8_lookup", true);

}  // namespace octet
