#include "graph/op_attrs.h"

#include <algorithm>
#include <string>

namespace octet {

namespace {
int64_t out_size(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pe, bool ceil_mode) {
  int64_t span = (k - 1) * d + 1;
  int64_t room = in + pb + pe - span;
  int64_t out = (ceil_mode ? (room + s - 1) / s : room / s) + 1;
  // With ceil_mode the last window must start inside the input or its leading padding
  // (the rule PyTorch and ONNX Runtime apply).
  if (ceil_mode && (out - 1) * s >= in + pb) --out;
  return out;
}
}  // namespace

std::vector<int64_t> WindowParams::output_spatial(std::span<const int64_t> in_spatial) const {
  std::vector<int64_t> out;
  for (size_t i = 0; i < in_spatial.size(); ++i)
    out.push_back(out_size(in_spatial[i], kernel[i], strides[i], dilations[i], pads_begin[i],
                           pads_end[i], ceil_mode));
  return out;
}

WindowParams window_params(const Graph& graph, const Node& node, std::span<const int64_t> in_spatial,
                           std::span<const int64_t> weight_kernel) {
  const size_t rank = in_spatial.size();
  auto fail = [&](const std::string& msg) -> void { throw Error(graph.describe(node) + ": " + msg); };
  auto sized = [&](const char* key, int64_t fallback) {
    std::vector<int64_t> v = node.attr_ints(key, std::vector<int64_t>(rank, fallback));
    if (v.size() != rank)
      fail(std::string(key) + " has " + std::to_string(v.size()) + " values for " + std::to_string(rank) +
           " spatial dims");
    return v;
  };

  WindowParams p;
  if (node.has_attr("kernel_shape")) {
    p.kernel = sized("kernel_shape", 1);
  } else if (!weight_kernel.empty()) {
    p.kernel.assign(weight_kernel.begin(), weight_kernel.end());
  } else {
    fail("attribute kernel_shape is required");
  }
  if (p.kernel.size() != rank) fail("kernel rank does not match the input's spatial rank");
  if (!weight_kernel.empty() && !std::equal(p.kernel.begin(), p.kernel.end(), weight_kernel.begin()))
    fail("kernel_shape does not match the weight's spatial dims");
  p.strides = sized("strides", 1);
  p.dilations = sized("dilations", 1);
  p.ceil_mode = node.attr_int("ceil_mode", 0) != 0;
  p.count_include_pad = node.attr_int("count_include_pad", 0) != 0;
  for (size_t i = 0; i < rank; ++i) {
    if (p.kernel[i] <= 0) fail("kernel sizes must be positive");
    if (p.strides[i] <= 0) fail("strides must be positive");
    if (p.dilations[i] <= 0) fail("dilations must be positive");
    if (p.kernel[i] > (int64_t{1} << 20) || p.strides[i] > (int64_t{1} << 20) || p.dilations[i] > (int64_t{1} << 20))
      fail("kernel, stride or dilation is absurdly large");
  }

  const std::string auto_pad = node.attr_string("auto_pad", "NOTSET");
  p.pads_begin.assign(rank, 0);
  p.pads_end.assign(rank, 0);
  if (auto_pad == "NOTSET") {
    std::vector<int64_t> pads = node.attr_ints("pads", std::vector<int64_t>(2 * rank, 0));
    if (pads.size() != 2 * rank) fail("pads must have 2 values per spatial dim");
    for (size_t i = 0; i < rank; ++i) {
      p.pads_begin[i] = pads[i];
      p.pads_end[i] = pads[i + rank];
    }
  } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    for (size_t i = 0; i < rank; ++i) {
      int64_t out = (in_spatial[i] + p.strides[i] - 1) / p.strides[i];
      int64_t span = (p.kernel[i] - 1) * p.dilations[i] + 1;
      int64_t total = std::max<int64_t>(0, (out - 1) * p.strides[i] + span - in_spatial[i]);
      int64_t small = total / 2, large = total - small;
      p.pads_begin[i] = auto_pad == "SAME_UPPER" ? small : large;
      p.pads_end[i] = auto_pad == "SAME_UPPER" ? large : small;
    }
  } else if (auto_pad != "VALID") {
    fail("unknown auto_pad '" + auto_pad + "'");
  }
  for (size_t i = 0; i < rank; ++i) {
    if (p.pads_begin[i] < 0 || p.pads_end[i] < 0) fail("negative pads are not supported");
    if (p.pads_begin[i] > (int64_t{1} << 20) || p.pads_end[i] > (int64_t{1} << 20)) fail("pads are absurdly large");
    int64_t span = (p.kernel[i] - 1) * p.dilations[i] + 1;
    if (in_spatial[i] + p.pads_begin[i] + p.pads_end[i] < span)
      fail("window of " + std::to_string(span) + " is larger than the padded input (" +
           std::to_string(in_spatial[i] + p.pads_begin[i] + p.pads_end[i]) + ")");
  }
  return p;
}

}  // namespace octet
