// Attribute decoding shared by shape inference and the executor, so that both agree on
// ONNX's defaults and on how auto_pad and ceil_mode resolve.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "graph/ir.h"

namespace octet {

// Geometry of a sliding-window op (Conv, AveragePool, MaxPool) over its spatial dims.
struct WindowParams {
  std::vector<int64_t> kernel;
  std::vector<int64_t> strides;
  std::vector<int64_t> dilations;
  std::vector<int64_t> pads_begin;
  std::vector<int64_t> pads_end;
  bool ceil_mode = false;
  bool count_include_pad = false;   // AveragePool only

  std::vector<int64_t> output_spatial(std::span<const int64_t> in_spatial) const;
  // Input positions one window covers along spatial dim i: (kernel - 1) * dilation + 1.
  int64_t window_extent(size_t i) const { return (kernel[i] - 1) * dilations[i] + 1; }
};

// in_spatial: the input's spatial sizes (all known). kernel: for Conv, the weight's spatial
// dims (used when kernel_shape is absent); empty for pools, where kernel_shape is required.
// Throws octet::Error (naming the node) on inconsistent ranks, non-positive strides or
// kernels, negative pads, a pad not smaller than the kernel extent (windows lying entirely in
// padding, which ONNX Runtime refuses too), or windows larger than the padded input.
WindowParams window_params(const Graph& graph, const Node& node, std::span<const int64_t> in_spatial,
                           std::span<const int64_t> weight_kernel = {});
// The same checks but those needing the input's size, for shape inference when the spatial
// dims are symbolic: a model is refused at import whatever size it will be run at.
void check_window_geometry(const Graph& graph, const Node& node, size_t spatial_rank,
                           std::span<const int64_t> weight_kernel = {});

// A Clip's bounds {min, max} when both are known constants: before opset 11 its attributes
// (defaults: the float range's ends), from 11 its optional scalar float32 inputs 1 and 2 (an
// omitted bound is -inf / +inf). nullopt when a bound is computed at run time or is not a
// float32 scalar. The bounds may be NaN or unordered: the caller decides what it accepts.
std::optional<std::pair<float, float>> constant_clip_bounds(const Graph& graph, const Node& clip);

// A Split's explicit output sizes: its 'split' input from opset 13 (nullopt when that input is
// omitted or not a constant), its 'split' attribute before (nullopt when absent).
std::optional<std::vector<int64_t>> split_explicit_sizes(const Graph& graph, const Node& split);
// A Split's output sizes along its axis for an input dim of `length`: the explicit sizes
// (checked: one per output, non-negative, adding up to `length`), else equal parts: one per
// output, or num_outputs (opset 18) with the last part smaller when they do not divide it
// (before 18 they must). nullopt when the sizes input is computed at run time. Throws
// octet::Error naming the node for sizes that do not fit.
std::optional<std::vector<int64_t>> split_sizes(const Graph& graph, const Node& split, int64_t length);

}  // namespace octet
