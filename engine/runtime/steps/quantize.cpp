#include "engine/runtime/steps/quantize.h"

#include <cmath>
#include <sstream>

#include "engine/runtime/step_type_impl.h"

namespace octet {

namespace {
std::string boundary(const char* what, int64_t elements, float scale, int32_t zero_point) {
  std::ostringstream out;   // the scale as the plan printer has always shown it
  out << what << " " << elements << " (scale " << scale << ", zero point " << zero_point << ")";
  return out.str();
}
// `uint8_in`: the input is the uint8 side (Dequantize).
void validate_boundary(PlanChecker& c, const Step& s, int64_t elements, float scale, int32_t zero_point,
                       bool uint8_in) {
  c.require(PlanChecker::zero_point_ok(zero_point) && std::isfinite(scale) && std::isnormal(scale) && scale > 0,
            "quantization parameters out of range");
  c.buffer(s.input, c.mul({elements}, "element count"), uint8_in, "input");
  c.buffer(s.output, elements, !uint8_in, "output");
}
}  // namespace

void QuantizeStep::run(const QuantizeStep& p, const StepContext& c, int32_t, int32_t) {
  c.qvector->quantize(p.elements, c.in<float>(), p.scale, p.zero_point, c.output);
}
std::string QuantizeStep::describe(const Step&, const QuantizeStep& p) {
  return boundary("quantize", p.elements, p.scale, p.zero_point);
}
void QuantizeStep::validate(PlanChecker& c, const Step& s, const QuantizeStep& p) {
  validate_boundary(c, s, p.elements, p.scale, p.zero_point, false);
}
const StepType QuantizeStep::kType = make_step_type<QuantizeStep>(14, "quantize", true);

void DequantizeStep::run(const DequantizeStep& p, const StepContext& c, int32_t, int32_t) {
  c.qvector->dequantize(p.elements, c.input, p.scale, p.zero_point, c.out<float>());
}
std::string DequantizeStep::describe(const Step&, const DequantizeStep& p) {
  return boundary("dequantize", p.elements, p.scale, p.zero_point);
}
void DequantizeStep::validate(PlanChecker& c, const Step& s, const DequantizeStep& p) {
  validate_boundary(c, s, p.elements, p.scale, p.zero_point, true);
}
const StepType DequantizeStep::kType = make_step_type<DequantizeStep>(15, "dequantize", true);

}  // namespace octet
