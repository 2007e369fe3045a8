#include "engine/fuse_conv_pool.h"

#include <optional>

#include "engine/plan_edit.h"
#include "engine/runtime/steps/all.h"

namespace octet {

int fuse_conv_pools(Plan& plan, std::vector<BufferLifetime>& lifetimes, bool all) {
  const std::vector<int> uses = buffer_uses(plan);
  auto at = [&](size_t i) -> std::optional<StepFusion> {
    if (i + 1 >= plan.steps.size()) return std::nullopt;
    const Step& first = plan.steps[i];
    const Step& second = plan.steps[i + 1];
    const ConvPlanarF32Step* conv = first.params_if<ConvPlanarF32Step>();
    const MaxPoolF32Step* pool = second.params_if<MaxPoolF32Step>();
    // The conv output's uses: its writer's and the pool's, nothing else (a graph output is a use).
    if (conv == nullptr || pool == nullptr || first.input2 >= 0 || second.input != first.output ||
        uses[static_cast<size_t>(first.output)] != 2)
      return std::nullopt;
    const kernels::ConvNhwcParams& c = conv->shape;
    const kernels::PoolNhwcParams& q = pool->pool;
    if (q.in_h != c.out_h || q.in_w != c.out_w || q.channels != c.out_c) return std::nullopt;
    if (!all && int64_t{c.in_c} * c.kernel_h * c.kernel_w > kConvPoolMaxMacsPerValue) return std::nullopt;
    ConvPoolF32Step params;
    params.conv = *conv;
    params.pool = q;
    params.band_rows = conv_pool_band_rows(*conv, q);
    Step s = Step::of(first.name + " + " + second.name, std::move(params), first.input, -1, second.output);
    s.macs = first.macs + second.macs;
    return StepFusion{2, std::move(s), {first.output}};
  };
  auto workspace = [](const Step& s) { return s.params_if<ConvPoolF32Step>()->workspace_bytes(); };
  return fuse_step_runs(plan, lifetimes, at, workspace);
}

}  // namespace octet
