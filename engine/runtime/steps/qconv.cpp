#include "engine/runtime/steps/qconv.h"

#include "engine/runtime/step_type_impl.h"
#include "engine/runtime/steps/field_lists.h"

namespace octet {

void QConvStep::run(const QConvStep& p, const StepContext& c, int32_t row_begin, int32_t row_end) {
  run_kernel(p, p.conv, c, row_begin, row_end);
}

void QConvStep::run_kernel(const QConvStep& p, const kernels::QConvParams& q, const StepContext& c,
                           int32_t row_begin, int32_t row_end) {
  const void* packed = c.weights + p.weights_offset;
  uint8_t* out = c.output + p.output_offset;
  if (!q.has_output_table) {
    p.kernel->run(q, packed, c.input, c.input2, out, c.workspace, row_begin, row_end);
    return;
  }
  kernels::QConvParams t = q;   // the pointer is not stored: it lives with the weights
  t.output_table = c.weights + p.table_offset;
  p.kernel->run(t, packed, c.input, c.input2, out, c.workspace, row_begin, row_end);
}

std::string QConvStep::describe(const Step& s, const QConvStep& p) {
  const kernels::QConvParams& q = p.conv;
  std::string slice;   // the Concat's slice it writes (qconv_into_concat.h)
  if (q.y_pixel() != q.shape.out_c)
    slice = " -> [" + std::to_string(p.output_offset) + ", " + std::to_string(p.output_offset + size_t(q.shape.out_c)) +
            ") of " + std::to_string(q.y_pixel()) + (q.has_output_table ? " (table)" : "");
  else if (q.has_output_table)
    slice = " (table)";
  return std::string(p.kernel->name) + "  " + conv_geometry(q.shape) + (s.input2 >= 0 ? " +residual" : "") +
         (q.output_min > 0 ? " clamp[" + std::to_string(q.output_min) + "," + std::to_string(q.output_max) + "]" : "") +
         slice;
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
  // The output: pixels y_pixel() apart, the slice [output_offset, + out_c) of each inside it.
  c.require(q.output_pixel_stride >= 0 && q.y_pixel() >= sh.out_c &&
                p.output_offset <= static_cast<size_t>(q.y_pixel() - sh.out_c),
            "int8 conv output slice outside its pixel");
  c.require(s.input != s.output, "int8 conv input and output share a buffer");
  c.buffer(s.input, int64_t{sh.in_h} * sh.in_w * sh.in_c, true, "input");
  c.buffer(s.output, c.mul({sh.out_h, sh.out_w, q.y_pixel()}, "int8 conv output size"), true, "output");
  if (s.input2 >= 0) c.buffer(s.input2, out, true, "residual");
  if (q.has_output_table) c.weights(p.table_offset, 256);
  c.weights(p.weights_offset, p.kernel->packed_bytes(q));
  c.workspace(p.kernel->workspace_bytes(q));
}

const StepType QConvStep::kType = make_step_type<QConvStep>(10, "qu8_conv", true);

}  // namespace octet
