#include "engine/runtime/steps/global_average_f32.h"

#include "engine/runtime/step_type_impl.h"

namespace octet {

void GlobalAverageF32Step::run(const GlobalAverageF32Step& p, const StepContext& c, int32_t, int32_t) {
  c.vector->global_average(p.image.height * p.image.width, p.image.channels, c.in<float>(), c.out<float>());
}

std::string GlobalAverageF32Step::describe(const Step&, const GlobalAverageF32Step& p) {
  return "global_average " + std::to_string(p.image.height) + "x" + std::to_string(p.image.width) + "x" +
         std::to_string(p.image.channels);
}

void GlobalAverageF32Step::validate(PlanChecker& c, const Step& s, const GlobalAverageF32Step& p) {
  c.buffer(s.input, c.mul({p.image.height, p.image.width, p.image.channels}, "global average size"), false, "input");
  c.buffer(s.output, p.image.channels, false, "output");
}

const StepType GlobalAverageF32Step::kType = make_step_type<GlobalAverageF32Step>(4, "global_average", false);

}  // namespace octet
