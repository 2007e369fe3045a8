#include "engine/runtime/steps/quantize.h"

#include <cmath>
#include <sstream>

#include "engine/runtime/step_type_impl.h"

namespace octet {

template <bool kQuantize>
void QuantizationStep<kQuantize>::run(const QuantizationStep& p, const StepContext& c, int32_t, int32_t) {
  if constexpr (kQuantize)
    c.qvector->quantize(p.elements, c.in<float>(), p.scale, p.zero_point, c.output);
  else
    c.qvector->dequantize(p.elements, c.input, p.scale, p.zero_point, c.out<float>());
}

template <bool kQuantize>
std::string QuantizationStep<kQuantize>::describe(const Step&, const QuantizationStep& p) {
  std::ostringstream out;   // the scale as the plan printer has always shown it
  out << kType.name << " " << p.elements << " (scale " << p.scale << ", zero point " << p.zero_point << ")";
  return out.str();
}

template <bool kQuantize>
void QuantizationStep<kQuantize>::validate(PlanChecker& c, const Step& s, const QuantizationStep& p) {
  c.require(PlanChecker::zero_point_ok(p.zero_point) && std::isfinite(p.scale) && std::isnormal(p.scale) && p.scale > 0,
            "quantization parameters out of range");
  c.buffer(s.input, c.mul({p.elements}, "element count"), !kQuantize, "input");
  c.buffer(s.output, p.elements, kQuantize, "output");
}

template <>
const StepType QuantizeStep::kType = make_step_type<QuantizeStep>(14, "quantize", true);
template <>
const StepType DequantizeStep::kType = make_step_type<DequantizeStep>(15, "dequantize", true);

}  // namespace octet
