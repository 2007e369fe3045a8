#include "engine/runtime/steps/dwconv_f32.h"

#include "engine/runtime/step_type_impl.h"
#include "engine/runtime/steps/field_lists.h"

namespace octet {

void DwConvF32Step::run(const DwConvF32Step& p, const StepContext& c, int32_t row_begin, int32_t row_end) {
  p.kernel->run(p.shape, reinterpret_cast<const float*>(c.weights + p.weights_offset), c.in<float>(), c.in2<float>(),
                c.out<float>(), row_begin, row_end);
}

std::string DwConvF32Step::describe(const Step& s, const DwConvF32Step& p) {
  return std::string(p.kernel->name) + "  " + conv_geometry(p.shape) + " depthwise" +
         conv_epilogue_text(s.input2 >= 0, p.shape);
}

template <typename IO, typename S>
void DwConvF32Step::fields(IO& io, S& p) {
  io(p.kernel), conv_fields(io, p.shape), io(p.weights_offset);
}

void DwConvF32Step::validate(PlanChecker& c, const Step& s, const DwConvF32Step& p) {
  c.require(p.kernel != nullptr, "no depthwise conv kernel");
  c.conv_step(s, p.shape);
  c.require(p.kernel->supports(p.shape), "the kernel does not support these parameters");
  c.weights(p.weights_offset, p.kernel->packed_floats(p.shape) * sizeof(float));
}

const StepType DwConvF32Step::kType = make_step_type<DwConvF32Step>(17, "f32_dwconv", false);

}  // namespace octet
