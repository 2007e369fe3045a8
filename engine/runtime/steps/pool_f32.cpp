#include "engine/runtime/steps/pool_f32.h"

#include "engine/runtime/step_type_impl.h"
#include "engine/runtime/steps/field_lists.h"

namespace octet {

namespace {
void validate_pool(PlanChecker& c, const Step& s, const kernels::PoolNhwcParams& p) {
  c.pool_shape(p);
  c.buffer(s.input, int64_t{p.in_h} * p.in_w * p.channels, false, "input");
  c.buffer(s.output, int64_t{p.out_h} * p.out_w * p.channels, false, "output");
}
}  // namespace

void AveragePoolF32Step::run(const AveragePoolF32Step& p, const StepContext& c, int32_t row_begin, int32_t row_end) {
  c.vector->average(p.pool, c.in<float>(), c.out<float>(), row_begin, row_end);
}
template <typename IO, typename S>
void AveragePoolF32Step::fields(IO& io, S& p) {
  pool_fields(io, p.pool);
}
void AveragePoolF32Step::validate(PlanChecker& c, const Step& s, const AveragePoolF32Step& p) {
  validate_pool(c, s, p.pool);
}
const StepType AveragePoolF32Step::kType = make_step_type<AveragePoolF32Step>(2, "average_pool", false);

void MaxPoolF32Step::run(const MaxPoolF32Step& p, const StepContext& c, int32_t row_begin, int32_t row_end) {
  c.vector->max(p.pool, c.in<float>(), c.out<float>(), row_begin, row_end);
}
template <typename IO, typename S>
void MaxPoolF32Step::fields(IO& io, S& p) {
  pool_fields(io, p.pool);
}
void MaxPoolF32Step::validate(PlanChecker& c, const Step& s, const MaxPoolF32Step& p) { validate_pool(c, s, p.pool); }
const StepType MaxPoolF32Step::kType = make_step_type<MaxPoolF32Step>(3, "max_pool", false);

}  // namespace octet
