#include "engine/runtime/steps/reference_unary.h"

#include <cmath>

#include "engine/runtime/step_type_impl.h"
#include "kernels/reference/activation.h"
#include "kernels/reference/elementwise.h"

namespace octet {

using Op = ReferenceUnaryF32Step::Op;

void ReferenceUnaryF32Step::run(const ReferenceUnaryF32Step& p, const StepContext& c, int32_t, int32_t) {
  const float* in = c.in<float>();
  float* out = c.out<float>();
  switch (p.op) {
    case Op::Relu: return kernels::relu<float>(in, out, p.elements);
    case Op::Clip: return kernels::clip<float>(in, out, p.elements, p.alpha, p.beta);
    case Op::Sigmoid: return kernels::sigmoid<float>(in, out, p.elements);
    case Op::HardSigmoid: return kernels::hard_sigmoid<float>(in, out, p.elements, p.alpha, p.beta);
    case Op::HardSwish: return kernels::hard_swish<float>(in, out, p.elements);
    case Op::Tanh: return kernels::tanh<float>(in, out, p.elements);
    case Op::LeakyRelu: return kernels::leaky_relu<float>(in, out, p.elements, p.alpha);
  }
}

const char* ReferenceUnaryF32Step::kernel_name(const ReferenceUnaryF32Step& p) {
  switch (p.op) {
    case Op::Relu: return "reference_relu";
    case Op::Clip: return "reference_clip";
    case Op::Sigmoid: return "reference_sigmoid";
    case Op::HardSigmoid: return "reference_hard_sigmoid";
    case Op::HardSwish: return "reference_hard_swish";
    case Op::Tanh: return "reference_tanh";
    case Op::LeakyRelu: return "reference_leaky_relu";
  }
  return "reference_unknown";   // a corrupt op code; validate() refuses it before any run
}

std::string ReferenceUnaryF32Step::describe(const Step&, const ReferenceUnaryF32Step& p) {
  std::string s = std::string(kernel_name(p)) + "  " + std::to_string(p.elements) + " elements";
  if (p.op == Op::Clip) s += " [" + std::to_string(p.alpha) + ", " + std::to_string(p.beta) + "]";
  if (p.op == Op::HardSigmoid) s += " alpha " + std::to_string(p.alpha) + " beta " + std::to_string(p.beta);
  if (p.op == Op::LeakyRelu) s += " alpha " + std::to_string(p.alpha);
  return s + "  (scalar reference kernel: no SIMD kernel yet)";
}

void ReferenceUnaryF32Step::validate(PlanChecker& c, const Step& s, const ReferenceUnaryF32Step& p) {
  c.require(static_cast<uint8_t>(p.op) <= static_cast<uint8_t>(Op::LeakyRelu), "unknown reference operator");
  c.require(std::isfinite(p.alpha) || p.op == Op::Clip, "alpha is not a finite number");
  c.require(std::isfinite(p.beta) || p.op == Op::Clip, "beta is not a finite number");
  c.require(p.op != Op::Clip || (!std::isnan(p.alpha) && !std::isnan(p.beta) && p.alpha <= p.beta),
            "clip bounds out of order");
  c.buffer(s.input, c.mul({p.elements}, "element count"), false, "input");
  c.buffer(s.output, p.elements, false, "output");
}

const StepType ReferenceUnaryF32Step::kType = make_step_type<ReferenceUnaryF32Step>(16, "reference_unary", false);

}  // namespace octet
