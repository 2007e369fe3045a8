#include "engine/runtime/steps/quantize_planes.h"

#include <cmath>
#include <sstream>

#include "engine/runtime/step_type_impl.h"

namespace octet {

void QuantizePlanesStep::run(const QuantizePlanesStep& p, const StepContext& c, int32_t row_begin, int32_t row_end) {
  const int64_t w = p.image.width, plane = int64_t{p.image.height} * w;
  const int64_t first = int64_t{row_begin} * w;
  c.qvector->quantize_planes(p.image.channels, int64_t{row_end - row_begin} * w, c.in<float>() + first, plane, p.scale,
                             p.zero_point, c.output + first * p.image.channels);
}

std::string QuantizePlanesStep::describe(const Step&, const QuantizePlanesStep& p) {
  std::ostringstream out;
  out << kType.name << " " << p.image.channels << "x" << p.image.height << "x" << p.image.width
      << " NCHW float -> NHWC codes (scale " << p.scale << ", zero point " << p.zero_point << ")";
  return out.str();
}

void QuantizePlanesStep::validate(PlanChecker& c, const Step& s, const QuantizePlanesStep& p) {
  const ImageDims& d = p.image;
  c.require(PlanChecker::zero_point_ok(p.zero_point) && std::isfinite(p.scale) && std::isnormal(p.scale) && p.scale > 0,
            "quantization parameters out of range");
  c.require(d.channels >= 1 && d.channels <= 4, "quantize_planes takes 1 to 4 channels");
  const int64_t n = c.mul({d.channels, d.height, d.width}, "image size");
  c.buffer(s.input, n, false, "input");
  c.buffer(s.output, n, true, "output");
}

const StepType QuantizePlanesStep::kType = make_step_type<QuantizePlanesStep>(75, "quantize_planes", true);

}  // namespace octet
