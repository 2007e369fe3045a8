#include "engine/runtime/steps/qmul.h"

#include "engine/runtime/step_type_impl.h"

namespace octet {

void QMulStep::run(const QMulStep& p, const StepContext& c, int32_t, int32_t) {
  c.qvector->mul(p.rows, p.cols, c.input, c.input2, p.broadcast_b ? 0 : p.cols, c.output, p.mul);
}

void QMulStep::validate(PlanChecker& c, const Step& s, const QMulStep& p) {
  const kernels::QMulParams& m = p.mul;
  auto zp = PlanChecker::zero_point_ok;
  c.require(zp(m.a_zero_point) && zp(m.b_zero_point) && zp(m.output_zero_point) &&
                PlanChecker::clamp_ok(m.output_min, m.output_max) && kernels::qfloat_ok(m.ratio),
            "quantization parameters out of range");
  c.require(p.rows > 0 && p.cols > 0, "empty multiplication");
  const int64_t n = c.mul({p.rows, p.cols}, "mul size");
  c.buffer(s.input, n, true, "input");
  c.buffer(s.input2, p.broadcast_b ? p.cols : n, true, "second input");
  c.buffer(s.output, n, true, "output");
}

const StepType QMulStep::kType = make_step_type<QMulStep>(61, "qu8_mul", true);

}  // namespace octet
