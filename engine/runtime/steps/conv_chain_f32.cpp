#include "engine/runtime/steps/conv_chain_f32.h"

#include <algorithm>

#include "engine/runtime/step_type_impl.h"
#include "engine/runtime/steps/held_rows.h"
#include "engine/runtime/steps/field_lists.h"

namespace octet {

namespace {
int32_t window_extent(const kernels::ConvNhwcParams& p) { return (p.kernel_h - 1) * p.dilation_h + 1; }

size_t row_floats(int32_t w, int32_t c) { return static_cast<size_t>(w) * static_cast<size_t>(c); }

size_t pointwise_scratch_floats(const PointwiseStage& s, int32_t rows) {
  return s.kernel->workspace_floats(pointwise_band_shape(s.shape, rows));
}
}  // namespace

kernels::ConvNhwcParams pointwise_band_shape(const kernels::ConvNhwcParams& full, int32_t rows) {
  kernels::ConvNhwcParams p = full;
  p.in_h = p.out_h = rows;
  return p;
}

int32_t ConvChainF32Step::input_row_lo(int32_t begin) const {
  return std::max(0, begin * depthwise.shape.stride_h - depthwise.shape.pad_top);
}

int32_t ConvChainF32Step::input_row_hi(int32_t end) const {
  const kernels::ConvNhwcParams& d = depthwise.shape;
  return std::min(d.in_h, (end - 1) * d.stride_h - d.pad_top + window_extent(d));
}

int32_t ConvChainF32Step::expand_band_rows() const {
  return std::min(depthwise.shape.in_h, (band_rows - 1) * depthwise.shape.stride_h + window_extent(depthwise.shape));
}

size_t ConvChainF32Step::expand_band_bytes() const {
  if (!has_expand) return 0;
  return align_up(expand_band_rows() * row_floats(depthwise.shape.in_w, depthwise.shape.in_c) * sizeof(float));
}

size_t ConvChainF32Step::depthwise_band_bytes() const {
  if (!has_project) return 0;
  return align_up(band_rows * row_floats(depthwise.shape.out_w, depthwise.shape.out_c) * sizeof(float));
}

size_t ConvChainF32Step::workspace_bytes() const {
  size_t scratch = 0;
  if (has_expand) scratch = std::max(scratch, pointwise_scratch_floats(expand, expand_band_rows()));
  if (has_project) scratch = std::max(scratch, pointwise_scratch_floats(project, band_rows));
  return expand_band_bytes() + depthwise_band_bytes() + scratch * sizeof(float);
}

void ConvChainF32Step::run(const ConvChainF32Step& p, const StepContext& c, int32_t row_begin, int32_t row_end) {
  const kernels::ConvNhwcParams& d = p.depthwise.shape;
  auto weights = [&](size_t offset) { return reinterpret_cast<const float*>(c.weights + offset); };
  uint8_t* ws = static_cast<uint8_t*>(c.workspace);
  float* expand_band = reinterpret_cast<float*>(ws);
  float* depthwise_band = reinterpret_cast<float*>(ws + p.expand_band_bytes());
  float* scratch = reinterpret_cast<float*>(ws + p.expand_band_bytes() + p.depthwise_band_bytes());
  const size_t in_row = row_floats(d.in_w, d.in_c);    // a depthwise input row
  const float* input = c.in<float>();
  const float* residual = c.in2<float>();
  float* output = c.out<float>();
  const size_t step_out_row = row_floats(p.last_shape().out_w, p.last_shape().out_c);
  HeldRows held;   // depthwise input rows in expand_band (has_expand)
  for (int32_t begin = row_begin; begin < row_end; begin += p.band_rows) {
    const int32_t end = std::min(row_end, begin + p.band_rows);
    const int32_t lo = p.input_row_lo(begin), hi = p.input_row_hi(end);
    const float* dw_input = input + lo * in_row;
    if (p.has_expand) {
      const int32_t from = held.keep(expand_band, in_row, lo, hi);   // the previous band's last rows kept
      if (from < hi) {
        const size_t x_row = row_floats(p.expand.shape.in_w, p.expand.shape.in_c);
        p.expand.kernel->run(pointwise_band_shape(p.expand.shape, hi - from), weights(p.expand.weights_offset),
                             input + from * x_row, nullptr, expand_band + (from - lo) * in_row, scratch, 0, hi - from);
      }
      dw_input = expand_band;
    }
    // The band as an image: its rows [lo, hi), what is left of the top padding above it.
    kernels::ConvNhwcParams band = d;
    band.in_h = hi - lo;
    band.out_h = end - begin;
    band.pad_top = d.pad_top + lo - begin * d.stride_h;
    float* dw_output = p.has_project ? depthwise_band : output + begin * step_out_row;
    const float* dw_residual = !p.has_project && residual != nullptr ? residual + begin * step_out_row : nullptr;
    p.depthwise.kernel->run(band, weights(p.depthwise.weights_offset), dw_input, dw_residual, dw_output, 0, end - begin);
    if (p.has_project)
      p.project.kernel->run(pointwise_band_shape(p.project.shape, end - begin), weights(p.project.weights_offset),
                            depthwise_band, residual != nullptr ? residual + begin * step_out_row : nullptr,
                            output + begin * step_out_row, scratch, 0, end - begin);
  }
}

std::string ConvChainF32Step::describe(const Step& s, const ConvChainF32Step& p) {
  std::string text = "f32_conv_chain  band " + std::to_string(p.band_rows) + " rows:";
  if (p.has_expand)
    text += " [" + std::string(p.expand.kernel->name) + "  " + conv_geometry(p.expand.shape) +
            conv_epilogue_text(false, p.expand.shape) + "] ->";
  text += " [" + std::string(p.depthwise.kernel->name) + "  " + conv_geometry(p.depthwise.shape) + " depthwise" +
          conv_epilogue_text(!p.has_project && s.input2 >= 0, p.depthwise.shape) + "]";
  if (p.has_project)
    text += " -> [" + std::string(p.project.kernel->name) + "  " + conv_geometry(p.project.shape) +
            conv_epilogue_text(s.input2 >= 0, p.project.shape) + "]";
  return text;
}

std::string ConvChainF32Step::summary(const ConvChainF32Step& p) {
  const kernels::ConvNhwcParams& d = p.depthwise.shape;
  return std::string("conv chain ") + (p.has_expand ? "1x1 -> " : "") + "dw " + std::to_string(d.kernel_h) + "x" +
         std::to_string(d.kernel_w) + " s" + std::to_string(d.stride_h) + (p.has_project ? " -> 1x1" : "") + ", " +
         std::to_string(p.first_shape().in_c) + "→" + std::to_string(p.last_shape().out_c) + ", " +
         std::to_string(d.out_h) + "x" + std::to_string(d.out_w);
}

template <typename IO, typename S>
void ConvChainF32Step::fields(IO& io, S& p) {
  io(p.has_expand), io(p.has_project), io(p.band_rows);
  if (p.has_expand) io(p.expand.kernel), conv_fields(io, p.expand.shape), io(p.expand.weights_offset);
  io(p.depthwise.kernel), conv_fields(io, p.depthwise.shape), io(p.depthwise.weights_offset);
  if (p.has_project) io(p.project.kernel), conv_fields(io, p.project.shape), io(p.project.weights_offset);
}

namespace {
// A pointwise stage: its kernel takes the full image and every band (1x1, stride 1, unpadded:
// rows are independent), and its weights lie in the plan.
void validate_pointwise(PlanChecker& c, const PointwiseStage& s, int32_t band_rows) {
  c.require(s.kernel != nullptr, "no conv kernel for a pointwise stage");
  c.conv_shape(s.shape);
  const kernels::ConvNhwcParams& p = s.shape;
  c.require(p.kernel_h == 1 && p.kernel_w == 1 && p.stride_h == 1 && p.stride_w == 1 && p.pad_top == 0 &&
                p.pad_left == 0 && p.in_h == p.out_h && p.in_w == p.out_w,
            "a pointwise stage is not a 1x1, stride 1, unpadded conv");
  c.require(s.kernel->supports(p) && s.kernel->supports(pointwise_band_shape(p, band_rows)),
            "the kernel does not support a pointwise stage's parameters");
  c.weights(s.weights_offset, s.kernel->packed_floats(p) * sizeof(float));
}

bool same_image(const kernels::ConvNhwcParams& out, const kernels::ConvNhwcParams& in) {
  return out.out_h == in.in_h && out.out_w == in.in_w && out.out_c == in.in_c;
}
}  // namespace

void ConvChainF32Step::validate(PlanChecker& c, const Step& s, const ConvChainF32Step& p) {
  c.require(p.has_expand || p.has_project, "a conv chain needs a pointwise stage");
  const kernels::ConvNhwcParams& d = p.depthwise.shape;
  c.require(p.depthwise.kernel != nullptr, "no depthwise conv kernel");
  c.conv_shape(d);
  c.require(d.in_c == d.out_c && p.depthwise.kernel->supports(d), "the kernel does not support the depthwise stage");
  c.weights(p.depthwise.weights_offset, p.depthwise.kernel->packed_floats(d) * sizeof(float));
  c.require(p.band_rows >= 1 && p.band_rows <= d.out_h, "band rows out of range");
  if (p.has_expand) {
    validate_pointwise(c, p.expand, p.expand_band_rows());
    c.require(same_image(p.expand.shape, d), "the expand stage's output is not the depthwise input");
  }
  if (p.has_project) {
    validate_pointwise(c, p.project, p.band_rows);
    c.require(same_image(d, p.project.shape), "the depthwise output is not the project stage's input");
  }
  const kernels::ConvNhwcParams& first = p.first_shape();
  const kernels::ConvNhwcParams& last = p.last_shape();
  c.buffer(s.input, int64_t{first.in_h} * first.in_w * first.in_c, false, "input");
  const int64_t out = int64_t{last.out_h} * last.out_w * last.out_c;
  c.buffer(s.output, out, false, "output");
  if (s.input2 >= 0) c.buffer(s.input2, out, false, "residual");
  c.workspace(p.workspace_bytes());
}

const StepType ConvChainF32Step::kType = make_step_type<ConvChainF32Step>(50, "f32_conv_chain", false);

}  // namespace octet
