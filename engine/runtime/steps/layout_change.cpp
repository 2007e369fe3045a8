#include "engine/runtime/steps/layout_change.h"

#include "engine/runtime/step_type_impl.h"

namespace octet {

template <bool kToNhwc>
void LayoutChangeStep<kToNhwc>::run(const LayoutChangeStep& p, const StepContext& c, int32_t, int32_t) {
  const float* in = c.in<float>();
  float* out = c.out<float>();
  const int32_t channels = p.image.channels, hw = p.image.height * p.image.width;
  for (int32_t ch = 0; ch < channels; ++ch)
    for (int32_t i = 0; i < hw; ++i) {
      if constexpr (kToNhwc)
        out[i * channels + ch] = in[ch * hw + i];
      else
        out[ch * hw + i] = in[i * channels + ch];
    }
}

template <bool kToNhwc>
void LayoutChangeStep<kToNhwc>::validate(PlanChecker& c, const Step& s, const LayoutChangeStep& p) {
  const ImageDims& d = p.image;
  c.buffer(s.input, c.mul({d.channels, d.height, d.width}, "layout change size"), false, "input");
  c.buffer(s.output, d.elements(), false, "output");
}

template <>
const StepType NchwToNhwcStep::kType = make_step_type<NchwToNhwcStep>(8, "nchw_to_nhwc", false);
template <>
const StepType NhwcToNchwStep::kType = make_step_type<NhwcToNchwStep>(9, "nhwc_to_nchw", false);

}  // namespace octet
