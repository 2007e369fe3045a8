#include "engine/fuse_conv_chain.h"

#include <algorithm>
#include <optional>

#include "engine/plan_edit.h"
#include "engine/runtime/steps/all.h"

namespace octet {

namespace {

// The step as a pointwise stage: an f32_conv 1x1, stride 1, unpadded, of the input's size.
std::optional<PointwiseStage> pointwise(const Step& s) {
  const ConvF32Step* c = s.params_if<ConvF32Step>();
  if (c == nullptr) return std::nullopt;
  const kernels::ConvNhwcParams& p = c->shape;
  if (p.kernel_h != 1 || p.kernel_w != 1 || p.stride_h != 1 || p.stride_w != 1 || p.pad_top != 0 || p.pad_left != 0 ||
      p.in_h != p.out_h || p.in_w != p.out_w)
    return std::nullopt;
  return PointwiseStage{c->kernel, p, c->weights_offset};
}

struct Chain {
  size_t first = 0, count = 0;   // steps [first, first + count)
  ConvChainF32Step params;
  std::vector<int> intermediates;   // buffers only the chain used
  size_t largest_intermediate = 0;  // bytes per image

  // Whether fusing pays: the intermediate would not stay in the cache unfused, and the
  // pointwise weights that every band reads again cost less than the intermediate's traffic.
  bool pays() const {
    size_t weights = 0;
    if (params.has_expand) weights += params.expand.kernel->packed_floats(params.expand.shape) * sizeof(float);
    if (params.has_project) weights += params.project.kernel->packed_floats(params.project.shape) * sizeof(float);
    const size_t out_h = static_cast<size_t>(params.depthwise.shape.out_h), band = static_cast<size_t>(params.band_rows);
    const size_t bands = (out_h + band - 1) / band;
    return largest_intermediate >= kConvChainMinIntermediateBytes && weights * bands <= largest_intermediate;
  }
};

// The longest chain starting at step i, if any. `uses` counts each buffer's references by
// steps and ports: an intermediate has exactly two, its writer's and its one reader's.
std::optional<Chain> chain_at(const Plan& plan, size_t i, const std::vector<int>& uses) {
  const std::vector<Step>& steps = plan.steps;
  auto links = [&](const Step& from, const Step& to) {
    return from.input2 < 0 && to.input == from.output && uses[static_cast<size_t>(from.output)] == 2;
  };
  Chain c;
  c.first = i;
  size_t j = i;
  auto take_intermediate = [&](const Step& s) {
    c.intermediates.push_back(s.output);
    c.largest_intermediate = std::max(c.largest_intermediate, plan.buffers[static_cast<size_t>(s.output)].bytes_per_image);
  };
  if (std::optional<PointwiseStage> e = pointwise(steps[j]);
      e && j + 1 < steps.size() && steps[j + 1].params_if<DwConvF32Step>() && links(steps[j], steps[j + 1])) {
    c.params.has_expand = true;
    c.params.expand = *e;
    take_intermediate(steps[j]);
    ++j;
  }
  const DwConvF32Step* dw = steps[j].params_if<DwConvF32Step>();
  if (dw == nullptr) return std::nullopt;
  c.params.depthwise = DepthwiseStage{dw->kernel, dw->shape, dw->weights_offset};
  if (j + 1 < steps.size()) {
    if (std::optional<PointwiseStage> pr = pointwise(steps[j + 1]); pr && links(steps[j], steps[j + 1])) {
      c.params.has_project = true;
      c.params.project = *pr;
      take_intermediate(steps[j]);
      ++j;
    }
  }
  if (!c.params.has_expand && !c.params.has_project) return std::nullopt;
  c.count = j - i + 1;
  c.params.band_rows = conv_chain_band_rows(c.params.has_expand, c.params.has_project, c.params.depthwise.shape);
  return c;
}

// The chain as one step: the first stage's input, the last stage's residual and output.
Step chain_step(const Plan& plan, const Chain& c) {
  const Step& first = plan.steps[c.first];
  const Step& last = plan.steps[c.first + c.count - 1];
  std::string name;
  int64_t macs = 0;
  for (size_t k = c.first; k < c.first + c.count; ++k) {
    name += (name.empty() ? "" : " + ") + plan.steps[k].name;
    macs += plan.steps[k].macs;
  }
  Step s = Step::of(std::move(name), c.params, first.input, last.input2, last.output);
  s.macs = macs;
  return s;
}

}  // namespace

int32_t conv_chain_band_rows(bool has_expand, bool has_project, const kernels::ConvNhwcParams& d) {
  const size_t in_row = size_t{sizeof(float)} * static_cast<size_t>(d.in_w) * static_cast<size_t>(d.in_c);
  const size_t out_row = size_t{sizeof(float)} * static_cast<size_t>(d.out_w) * static_cast<size_t>(d.out_c);
  // A band of B output rows holds (B - 1) * stride + extent expand rows and B depthwise rows.
  const int32_t extent = (d.kernel_h - 1) * d.dilation_h + 1;
  const size_t fixed = has_expand ? static_cast<size_t>(std::max(0, extent - d.stride_h)) * in_row : 0;
  const size_t per_row = (has_expand ? static_cast<size_t>(d.stride_h) * in_row : 0) + (has_project ? out_row : 0);
  const size_t rows = kConvChainBandBytes > fixed ? (kConvChainBandBytes - fixed) / per_row : 1;
  return static_cast<int32_t>(std::clamp<size_t>(rows, 1, static_cast<size_t>(d.out_h)));
}

int fuse_conv_chains(Plan& plan, std::vector<BufferLifetime>& lifetimes, bool all) {
  const std::vector<int> uses = buffer_uses(plan);
  auto at = [&](size_t i) -> std::optional<StepFusion> {
    std::optional<Chain> c = chain_at(plan, i, uses);
    if (!c || !(all || c->pays())) return std::nullopt;
    return StepFusion{c->count, chain_step(plan, *c), c->intermediates};
  };
  auto workspace = [](const Step& s) { return s.params_if<ConvChainF32Step>()->workspace_bytes(); };
  return fuse_step_runs(plan, lifetimes, at, workspace);
}

}  // namespace octet
