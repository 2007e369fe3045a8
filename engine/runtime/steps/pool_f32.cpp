#include "engine/runtime/steps/pool_f32.h"

#include "engine/runtime/step_type_impl.h"
#include "engine/runtime/steps/field_lists.h"

namespace octet {

template <bool kMax>
void PoolF32Step<kMax>::run(const PoolF32Step& p, const StepContext& c, int32_t row_begin, int32_t row_end) {
  (kMax ? c.vector->max : c.vector->average)(p.pool, c.in<float>(), c.out<float>(), row_begin, row_end);
}

template <bool kMax>
template <typename IO, typename S>
void PoolF32Step<kMax>::fields(IO& io, S& p) {
  pool_fields(io, p.pool);
}

template <bool kMax>
void PoolF32Step<kMax>::validate(PlanChecker& c, const Step& s, const PoolF32Step& p) {
  c.pool_shape(p.pool);
  c.buffer(s.input, int64_t{p.pool.in_h} * p.pool.in_w * p.pool.channels, false, "input");
  c.buffer(s.output, int64_t{p.pool.out_h} * p.pool.out_w * p.pool.channels, false, "output");
}

template <>
const StepType AveragePoolF32Step::kType = make_step_type<AveragePoolF32Step>(2, "average_pool", false);
template <>
const StepType MaxPoolF32Step::kType = make_step_type<MaxPoolF32Step>(3, "max_pool", false);

}  // namespace octet
