#include "engine/runtime/steps/global_average_f32.h"

#include "engine/runtime/step_type_impl.h"

namespace octet {

template <bool kMax>
void GlobalPoolF32Step<kMax>::run(const GlobalPoolF32Step& p, const StepContext& c, int32_t, int32_t) {
  (kMax ? c.vector->global_max : c.vector->global_average)(p.image.height * p.image.width, p.image.channels,
                                                            c.in<float>(), c.out<float>());
}

template <bool kMax>
std::string GlobalPoolF32Step<kMax>::describe(const Step&, const GlobalPoolF32Step& p) {
  return std::string(kMax ? "global_max " : "global_average ") + std::to_string(p.image.height) + "x" +
         std::to_string(p.image.width) + "x" + std::to_string(p.image.channels);
}

template <bool kMax>
void GlobalPoolF32Step<kMax>::validate(PlanChecker& c, const Step& s, const GlobalPoolF32Step& p) {
  c.buffer(s.input, c.mul({p.image.height, p.image.width, p.image.channels}, "global pool size"), false, "input");
  c.buffer(s.output, p.image.channels, false, "output");
}

template <>
const StepType GlobalPoolF32Step<false>::kType = make_step_type<GlobalPoolF32Step<false>>(4, "global_average", false);
template <>
const StepType GlobalPoolF32Step<true>::kType = make_step_type<GlobalPoolF32Step<true>>(23, "global_max", false);

template struct GlobalPoolF32Step<false>;
template struct GlobalPoolF32Step<true>;

}  // namespace octet
