// Attribute decoding shared by shape inference and the executor, so that both agree on
// ONNX's defaults and on how auto_pad and ceil_mode resolve.
#pragma once
#include <cstdint>
#include <span>
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
};

// in_spatial: the input's spatial sizes (all known). kernel: for Conv, the weight's spatial
// dims (used when kernel_shape is absent); empty for pools, where kernel_shape is required.
// Throws octet::Error (naming the node) on inconsistent ranks, non-positive strides or
// kernels, negative pads, or windows larger than the padded input.
WindowParams window_params(const Graph& graph, const Node& node, std::span<const int64_t> in_spatial,
                           std::span<const int64_t> weight_kernel = {});

}  // namespace octet
