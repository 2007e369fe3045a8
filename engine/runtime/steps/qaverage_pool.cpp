#include "engine/runtime/steps/qaverage_pool.h"

#include "engine/runtime/step_type_impl.h"
#include "engine/runtime/steps/field_lists.h"

namespace octet {

void QAveragePoolStep::run(const QAveragePoolStep& p, const StepContext& c, int32_t row_begin, int32_t row_end) {
  c.qvector->average(p.pool, c.input, c.output, row_begin, row_end);
}

template <typename IO, typename S>
void QAveragePoolStep::fields(IO& io, S& p) {
  pool_fields(io, p.pool.shape);
  io(p.pool.input_scale), io(p.pool.output_scale);
  io(p.pool.input_zero_point), io(p.pool.output_zero_point), io(p.pool.output_min), io(p.pool.output_max);
}

void QAveragePoolStep::validate(PlanChecker& c, const Step& s, const QAveragePoolStep& p) {
  const kernels::QPoolParams& q = p.pool;
  c.pool_shape(q.shape);
  c.require(PlanChecker::zero_point_ok(q.input_zero_point) && PlanChecker::zero_point_ok(q.output_zero_point) &&
                PlanChecker::clamp_ok(q.output_min, q.output_max) && kernels::qfloat_ok(q.input_scale, 0x1p-64f) &&
                kernels::qfloat_ok(q.output_scale, 0x1p-64f),
            "quantization parameters out of range");
  c.require(q.shape.dilation_h == 1 && q.shape.dilation_w == 1, "dilated int8 average pooling");
  c.buffer(s.input, int64_t{q.shape.in_h} * q.shape.in_w * q.shape.channels, true, "input");
  c.buffer(s.output, int64_t{q.shape.out_h} * q.shape.out_w * q.shape.channels, true, "output");
}

const StepType QAveragePoolStep::kType = make_step_type<QAveragePoolStep>(12, "qu8_average_pool", true);

}  // namespace octet
