// Graph → Plan: chooses the internal layout (NHWC), picks a kernel per layer (by measured
// speed among the variants that support it, widest ISA the CPU has), packs weights once and
// plans the activation arena. The graph must have gone through prepare_graph() and, for
// speed, optimize_graph() (graph/passes/optimize.h), which folds BatchNorm, Pad, bias and
// activations into the convolutions.
#pragma once
#include <optional>
#include <string>

#include "engine/runtime/plan.h"
#include "engine/runtime/resource_limits.h"
#include "graph/ir.h"
#include "kernels/dispatch/isa.h"

namespace octet {

// Which fusions of a kind a plan pass makes (conv chains, conv + pool).
enum class FusionRule { Off, WherePays, All };

struct CompileOptions {
  // Time each candidate conv kernel on the layer's shape and keep the fastest. Off: a fixed
  // rule (Winograd for 3x3 stride 1 with >= 8 input channels, 1x1 for 1x1, else direct).
  bool autotune = true;
  // Restrict conv kernels to one family ("direct", "1x1", "winograd"), where it applies.
  std::string conv_family;
  // Fuse 1x1 -> depthwise -> 1x1 chains into f32_conv_chain steps whose intermediates stay in
  // the cache (engine/fuse_conv_chain.h): where the rule there says it pays, every chain
  // (tests, measurements), or none (one step per conv, for A/B measurements).
  FusionRule conv_chains = FusionRule::WherePays;
  // Merge copy steps that move the same data twice (engine/fold_copies.h: a channel split read
  // through the channel shuffle before it, a copy written straight into its Concat), and let
  // int8 convs write straight into their Concat's output (engine/qconv_into_concat.h). Off: one
  // step per copy, for A/B measurements and tests.
  bool fold_copies = true;
  // Fuse an image model's first conv with the max pool after it into one f32_conv_pool step
  // that pools the conv's rows in bands while they are in the cache (engine/fuse_conv_pool.h):
  // where the rule there says it pays, every such pair (tests, measurements), or none.
  FusionRule conv_pool = FusionRule::WherePays;
  // The widest ISA whose kernels the plan may use, for the FP32 kernels (sse2, avx2, avx512:
  // all of a plan's FP32 kernels share one ISA) and the int8 ones (scalar, avx2, avx512 for
  // the int8 vector kernels, vnni for the convolutions too). Unset: the widest this CPU runs;
  // a cap wider than the CPU has the same effect. Tests compile one graph for several ISAs in
  // one process; octet-compile --isa writes files for older CPUs.
  std::optional<kernels::KernelIsa> f32_isa;
  std::optional<kernels::KernelIsa> int8_isa;
  // Checked for one image before anything is compiled (or timed): the graph's cost and its
  // live tensors plus constants (engine/resource_estimate.h); sessions check the plan again.
  ResourceLimits limits;
};

// Throws octet::Error naming the node and op for anything the optimised runtime does not
// run (it never falls back silently; octet-eval --reference runs the scalar executor), and
// ResourceLimitError for a graph over options.limits.
Plan compile_plan(const Graph& graph, const CompileOptions& options = {});

}  // namespace octet
