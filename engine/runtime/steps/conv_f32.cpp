#include "engine/runtime/steps/conv_f32.h"

#include "engine/runtime/step_type_impl.h"
#include "engine/runtime/steps/field_lists.h"

namespace octet {

void ConvF32Step::run(const ConvF32Step& p, const StepContext& c, int32_t row_begin, int32_t row_end) {
  p.kernel->run(p.shape, reinterpret_cast<const float*>(c.weights + p.weights_offset), c.in<float>(), c.in2<float>(),
                c.out<float>(), static_cast<float*>(c.workspace), row_begin, row_end);
}

std::string ConvF32Step::describe(const Step& s, const ConvF32Step& p) {
  return std::string(p.kernel->name) + "  " + conv_geometry(p.shape) + conv_epilogue_text(s.input2 >= 0, p.shape);
}

template <typename IO, typename S>
void ConvF32Step::fields(IO& io, S& p) {
  io(p.kernel), conv_fields(io, p.shape), io(p.weights_offset);
}

void ConvF32Step::validate(PlanChecker& c, const Step& s, const ConvF32Step& p) {
  c.require(p.kernel != nullptr, "no conv kernel");
  c.conv_step(s, p.shape);
  c.require(p.kernel->supports(p.shape), "the kernel does not support these parameters");
  c.weights(p.weights_offset, p.kernel->packed_floats(p.shape) * sizeof(float));
  c.workspace(p.kernel->workspace_floats(p.shape) * sizeof(float));
}

const StepType ConvF32Step::kType = make_step_type<ConvF32Step>(1, "f32_conv", false);

}  // namespace octet
