#include "engine/runtime/steps/qconv.h"

#include "engine/runtime/step_type_impl.h"
#include "engine/runtime/steps/field_lists.h"

namespace octet {

void QConvStep::run(const QConvStep& p, const StepContext& c, int32_t row_begin, int32_t row_end) {
  p.kernel->run(p.conv, c.weights + p.weights_offset, c.input, c.input2, c.output, c.workspace, row_begin, row_end);
}

std::string QConvStep::describe(const Step& s, const QConvStep& p) {
  const kernels::QConvParams& q = p.conv;
  return std::string(p.kernel->name) + "  " + conv_geometry(q.shape) + (s.input2 >= 0 ? " +residual" : "") +
         (q.output_min > 0 ? " clamp[" + std::to_string(q.output_min) + "," + std::to_string(q.output_max) + "]" : "");
}

std::string QConvStep::summary(const QConvStep& p) {
  const kernels::ConvNhwcParams& s = p.conv.shape;
  auto n = [](int32_t v) { return std::to_string(v); };
  return "conv " + n(s.kernel_h) + "x" + n(s.kernel_w) +
         (s.stride_h == 1 && s.stride_w == 1 ? std::string() : " s" + n(s.stride_h)) + " " + n(s.in_c) + "→" +
         n(s.out_c) + ", " + n(s.out_h) + "x" + n(s.out_w);
}

void QConvStep::validate(PlanChecker& c, const Step& s, const QConvStep& p) {
  const kernels::QConvParams& q = p.conv;
  const kernels::ConvNhwcParams& sh = q.shape;
  auto zp = PlanChecker::zero_point_ok;
  c.require(p.kernel != nullptr, "no int8 conv kernel");
  c.conv_shape(sh);
  c.require(PlanChecker::qconv_core_ok(q) && zp(q.conv_zero_point) && kernels::qadd_float_ok(q.residual_add),
            "int8 conv quantization parameters out of range");
  c.require(q.round_before_residual == (s.input2 >= 0), "a residual needs rounding before it, and the reverse");
  c.require(p.kernel->supports(q), "the kernel does not support these parameters");
  const int64_t out = int64_t{sh.out_h} * sh.out_w * sh.out_c;
  c.buffer(s.input, int64_t{sh.in_h} * sh.in_w * sh.in_c, true, "input");
  c.buffer(s.output, out, true, "output");
  if (s.input2 >= 0) c.buffer(s.input2, out, true, "residual");
  c.weights(p.weights_offset, p.kernel->packed_bytes(q));
  c.workspace(p.kernel->workspace_bytes(q));
}

const StepType QConvStep::kType = make_step_type<QConvStep>(10, "qu8_conv", true);

}  // namespace octet
