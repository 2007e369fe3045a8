#include "engine/runtime/steps/layout_change.h"

#include <algorithm>
#include <cstddef>

#include "engine/runtime/step_type_impl.h"
#include "kernels/f32/vector.h"

namespace octet {

namespace {

// Pixels [i0, i1) of one image between planar (NCHW) and interleaved (NHWC) order. kC > 0:
// the channel count at compile time (the compiler turns the interleave into shuffles);
// 0: `channels`, at run time.
template <bool kToNhwc, int kC>
void change_pixels(const float* in, float* out, int32_t channels, int32_t hw, int32_t i0, int32_t i1) {
  if constexpr (kC > 0) {   // pixel by pixel, its channels unrolled: the vectoriser's interleave
    for (int32_t i = i0; i < i1; ++i)
      for (int32_t ch = 0; ch < kC; ++ch) {
        if constexpr (kToNhwc)
          out[ptrdiff_t{i} * kC + ch] = in[ptrdiff_t{ch} * hw + i];
        else
          out[ptrdiff_t{ch} * hw + i] = in[ptrdiff_t{i} * kC + ch];
      }
    return;
  }
  const int32_t C = channels;
  for (int32_t ch = 0; ch < C; ++ch)
    for (int32_t i = i0; i < i1; ++i) {
      if constexpr (kToNhwc)
        out[ptrdiff_t{i} * C + ch] = in[ptrdiff_t{ch} * hw + i];
      else
        out[ptrdiff_t{ch} * hw + i] = in[ptrdiff_t{i} * C + ch];
    }
}

}  // namespace

// Blocks of pixels small enough that the interleaved side of a block stays in L1 while each
// channel's plane is walked: one pass over memory instead of one strided pass per channel.
// Three channels (images) get a compile-time count; into NHWC, the vector kernels' interleave
// (kernels/f32/interleave_impl.h: shuffles, where the compiled loop moved a float at a time).
template <bool kToNhwc>
void LayoutChangeStep<kToNhwc>::run(const LayoutChangeStep& p, const StepContext& c, int32_t, int32_t) {
  const float* in = c.in<float>();
  float* out = c.out<float>();
  const int32_t channels = p.image.channels, hw = p.image.height * p.image.width;
  const int32_t block = std::max<int32_t>(16, 4096 / std::max<int32_t>(1, channels));
  for (int32_t i0 = 0; i0 < hw; i0 += block) {
    const int32_t i1 = std::min(hw, i0 + block);
    if (kToNhwc && channels == 3)   // RGB images: the vector kernels' shuffles
      c.vector->interleave(3, hw, i1 - i0, in + i0, out + ptrdiff_t{i0} * 3);
    else if (channels == 3)
      change_pixels<kToNhwc, 3>(in, out, channels, hw, i0, i1);
    else
      change_pixels<kToNhwc, 0>(in, out, channels, hw, i0, i1);
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
