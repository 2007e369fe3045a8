#include "engine/runtime/steps/reference_unary.h"

#include <cmath>

#include "engine/runtime/step_type_impl.h"
#include "kernels/reference/elementwise.h"

namespace octet {

void ReferenceUnaryF32Step::run(const ReferenceUnaryF32Step& p, const StepContext& c, int32_t, int32_t) {
  switch (p.op) {
    case Op::Relu: return kernels::relu<float>(c.in<float>(), c.out<float>(), p.elements);
    case Op::Clip: return kernels::clip<float>(c.in<float>(), c.out<float>(), p.elements, p.lo, p.hi);
  }
}

const char* ReferenceUnaryF32Step::kernel_name(const ReferenceUnaryF32Step& p) {
  return p.op == Op::Relu ? "reference_relu" : "reference_clip";
}

std::string ReferenceUnaryF32Step::describe(const Step&, const ReferenceUnaryF32Step& p) {
  std::string s = std::string(kernel_name(p)) + "  " + std::to_string(p.elements) + " elements";
  if (p.op == Op::Clip) s += " [" + std::to_string(p.lo) + ", " + std::to_string(p.hi) + "]";
  return s + "  (scalar reference kernel: no SIMD kernel yet)";
}

void ReferenceUnaryF32Step::validate(PlanChecker& c, const Step& s, const ReferenceUnaryF32Step& p) {
  c.require(p.op == Op::Relu || p.op == Op::Clip, "unknown reference operator");
  c.require(p.op != Op::Clip || (!std::isnan(p.lo) && !std::isnan(p.hi) && p.lo <= p.hi), "clip bounds out of order");
  c.buffer(s.input, c.mul({p.elements}, "element count"), false, "input");
  c.buffer(s.output, p.elements, false, "output");
}

const StepType ReferenceUnaryF32Step::kType = make_step_type<ReferenceUnaryF32Step>(16, "reference_unary", false);

}  // namespace octet
