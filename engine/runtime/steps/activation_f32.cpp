#include "engine/runtime/steps/activation_f32.h"

#include <algorithm>
#include <cmath>

#include "engine/runtime/step_type_impl.h"

namespace octet {

using kernels::Activation;

void ActivationF32Step::run(const ActivationF32Step& p, const StepContext& c, int32_t row_begin, int32_t row_end) {
  const int64_t begin = int64_t{row_begin} * kChunk, end = std::min(p.elements, int64_t{row_end} * kChunk);
  if (begin < end) c.vector->activation(p.activation, end - begin, c.in<float>() + begin, c.out<float>() + begin);
}

const char* ActivationF32Step::kernel_name(const ActivationF32Step& p) {
  switch (p.activation.act) {
    case Activation::None: break;
    case Activation::Relu: return "f32_relu";
    case Activation::Clip: return "f32_clip";
    case Activation::Sigmoid: return "f32_sigmoid";
    case Activation::HardSigmoid: return "f32_hard_sigmoid";
    case Activation::HardSwish: return "f32_hard_swish";
    case Activation::SiLU: return "f32_silu";
    case Activation::LeakyRelu: return "f32_leaky_relu";
    case Activation::Tanh: return "f32_tanh";
  }
  return "f32_unknown_activation";   // a corrupt code; validate() refuses it before any run
}

std::string ActivationF32Step::describe(const Step&, const ActivationF32Step& p) {
  const kernels::ActivationF32Params& a = p.activation;
  std::string s = std::string(kernel_name(p)) + "  " + std::to_string(p.elements) + " elements";
  if (a.act == Activation::Clip) s += " [" + std::to_string(a.lo) + ", " + std::to_string(a.hi) + "]";
  if (a.act == Activation::HardSigmoid) s += " alpha " + std::to_string(a.alpha) + " beta " + std::to_string(a.beta);
  if (a.act == Activation::LeakyRelu) s += " alpha " + std::to_string(a.alpha);
  return s;
}

void ActivationF32Step::validate(PlanChecker& c, const Step& s, const ActivationF32Step& p) {
  const kernels::ActivationF32Params& a = p.activation;
  c.require(a.act != Activation::None && static_cast<uint8_t>(a.act) <= static_cast<uint8_t>(Activation::Tanh),
            "unknown activation");
  c.require(std::isfinite(a.alpha) && std::isfinite(a.beta), "alpha or beta is not a finite number");
  c.require(!std::isnan(a.lo) && !std::isnan(a.hi) && a.lo <= a.hi, "clip bounds out of order");
  c.buffer(s.input, c.mul({p.elements}, "element count"), false, "input");
  c.buffer(s.output, p.elements, false, "output");
}

const StepType ActivationF32Step::kType = make_step_type<ActivationF32Step>(30, "f32_activation", false);

}  // namespace octet
