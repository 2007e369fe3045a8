#include "engine/runtime/steps/conv_planar_f32.h"

#include <algorithm>
#include <cstring>

#include "engine/runtime/plan.h"
#include "engine/runtime/step_type_impl.h"
#include "engine/runtime/steps/field_lists.h"
#include "kernels/f32/conv_pack.h"
#include "kernels/f32/vector.h"

namespace octet {

namespace {

// Input columns of the band image: the padded columns the output row reads.
int64_t band_width(const kernels::ConvNhwcParams& p) { return kernels::conv_padded_width(p); }

int64_t band_input_rows(const kernels::ConvNhwcParams& p, int32_t rows) {
  return int64_t{rows - 1} * p.stride_h + int64_t{p.kernel_h - 1} * p.dilation_h + 1;
}

// Band row <- input row `in` (a row of the first plane) with the padding columns zero:
// columns [0, width) of the band are input columns [-pad_left, width - pad_left).
void interleave_row(const kernels::VectorF32Kernels& k, const float* in, int64_t plane, int32_t channels,
                    int32_t in_w, int32_t pad_left, int64_t width, float* dst) {
  const int64_t lo = std::min<int64_t>(pad_left, width);
  const int64_t hi = std::clamp<int64_t>(int64_t{pad_left} + in_w, lo, width);
  std::memset(dst, 0, sizeof(float) * static_cast<size_t>(lo * channels));
  if (hi > lo) k.interleave(channels, plane, hi - lo, in + (lo - pad_left), dst + lo * channels);
  std::memset(dst + hi * channels, 0, sizeof(float) * static_cast<size_t>((width - hi) * channels));
}

}  // namespace

int32_t conv_planar_band_rows(const kernels::ConvNhwcParams& p) {
  const int64_t row_bytes = std::max<int64_t>(1, band_width(p) * p.in_c * static_cast<int64_t>(sizeof(float)));
  int32_t rows = 1;
  while (rows < p.out_h && band_input_rows(p, rows + 1) * row_bytes <= static_cast<int64_t>(kConvPlanarBandBytes))
    ++rows;
  return rows;
}

kernels::ConvNhwcParams ConvPlanarF32Step::band_shape(int32_t rows) const {
  kernels::ConvNhwcParams q = shape;
  q.in_h = static_cast<int32_t>(band_input_rows(shape, rows));
  q.in_w = static_cast<int32_t>(band_width(shape));
  q.out_h = rows;
  q.pad_top = 0;
  q.pad_left = 0;
  return q;
}

size_t ConvPlanarF32Step::band_bytes() const {
  const kernels::ConvNhwcParams q = band_shape(band_rows);
  return align_up(static_cast<size_t>(q.in_h) * static_cast<size_t>(q.in_w) * static_cast<size_t>(q.in_c) *
                  sizeof(float));
}

size_t ConvPlanarF32Step::workspace_bytes() const {
  return band_bytes() + align_up(kernel->workspace_floats(band_shape(band_rows)) * sizeof(float));
}

void ConvPlanarF32Step::run(const ConvPlanarF32Step& p, const StepContext& c, int32_t row_begin, int32_t row_end) {
  run_rows(p, c, c.out<float>() + int64_t{row_begin} * p.shape.out_w * p.shape.out_c, row_begin, row_end);
}

void ConvPlanarF32Step::run_rows(const ConvPlanarF32Step& p, const StepContext& c, float* out, int32_t row_begin,
                                 int32_t row_end) {
  const kernels::ConvNhwcParams& s = p.shape;
  auto* band = static_cast<float*>(c.workspace);
  float* kernel_ws = reinterpret_cast<float*>(static_cast<uint8_t*>(c.workspace) + p.band_bytes());
  const float* in = c.in<float>();
  const auto* w = reinterpret_cast<const float*>(c.weights + p.weights_offset);
  const int64_t plane = int64_t{s.in_h} * s.in_w, width = band_width(s), band_row = width * s.in_c;
  row_end = std::min(row_end, s.out_h);
  for (int32_t r0 = row_begin; r0 < row_end; r0 += p.band_rows) {
    const int32_t rows = std::min(p.band_rows, row_end - r0);
    const kernels::ConvNhwcParams q = p.band_shape(rows);
    const int64_t ih0 = int64_t{r0} * s.stride_h - s.pad_top;
    for (int32_t j = 0; j < q.in_h; ++j) {
      float* dst = band + j * band_row;
      const int64_t ih = ih0 + j;
      if (ih < 0 || ih >= s.in_h) {
        std::memset(dst, 0, sizeof(float) * static_cast<size_t>(band_row));
      } else {
        interleave_row(*c.vector, in + ih * s.in_w, plane, s.in_c, s.in_w, s.pad_left, width, dst);
      }
    }
    p.kernel->run(q, w, band, nullptr, out + int64_t{r0 - row_begin} * s.out_w * s.out_c, kernel_ws, 0, rows);
  }
}

std::string ConvPlanarF32Step::describe(const Step& s, const ConvPlanarF32Step& p) {
  return std::string(p.kernel->name) + "  planar input, " + conv_geometry(p.shape) +
         conv_epilogue_text(s.input2 >= 0, p.shape) + ", bands of " + std::to_string(p.band_rows) + " rows";
}

void ConvPlanarF32Step::validate(PlanChecker& c, const Step& s, const ConvPlanarF32Step& p) {
  c.require(s.input2 < 0, "a planar-input conv has no residual");
  c.conv_step(s, p.shape);
  validate_bands(c, p);
}

void ConvPlanarF32Step::validate_bands(PlanChecker& c, const ConvPlanarF32Step& p) {
  c.require(p.kernel != nullptr, "no conv kernel");
  c.require(p.band_rows >= 1 && p.band_rows <= p.shape.out_h, "band rows outside [1, output rows]");
  // Every band size the run may take: the kernel's conditions hold for the smallest and largest.
  c.mul({band_input_rows(p.shape, p.band_rows), band_width(p.shape), p.shape.in_c}, "band size");
  c.require(p.kernel->supports(p.band_shape(p.band_rows)) && p.kernel->supports(p.band_shape(1)),
            "the kernel does not support the bands");
  c.weights(p.weights_offset, p.kernel->packed_floats(p.band_shape(p.band_rows)) * sizeof(float));
  c.workspace(p.workspace_bytes());
}

const StepType ConvPlanarF32Step::kType = make_step_type<ConvPlanarF32Step>(25, "f32_conv_planar", false);

}  // namespace octet
