#include "graph/op_attrs.h"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>

namespace octet {

namespace {
int64_t out_size(int64_t in, int64_t span, int64_t s, int64_t pb, int64_t pe, bool ceil_mode) {
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
    out.push_back(out_size(in_spatial[i], window_extent(i), strides[i], pads_begin[i], pads_end[i], ceil_mode));
  return out;
}

namespace {
// Everything of the window geometry that does not depend on the input's size: kernel,
// strides, dilations and explicit pads, validated. auto_pad SAME_* pads (which depend on the
// input size) are left at 0 with *same set to "SAME_UPPER" or "SAME_LOWER".
WindowParams window_geometry(const Graph& graph, const Node& node, size_t rank,
                             std::span<const int64_t> weight_kernel, std::string* same) {
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
    *same = auto_pad;
  } else if (auto_pad != "VALID") {
    fail("unknown auto_pad '" + auto_pad + "'");
  }
  for (size_t i = 0; i < rank; ++i) {
    if (p.pads_begin[i] < 0 || p.pads_end[i] < 0) fail("negative pads are not supported");
    if (p.pads_begin[i] > (int64_t{1} << 20) || p.pads_end[i] > (int64_t{1} << 20)) fail("pads are absurdly large");
    // A pad as wide as the window makes windows that lie entirely in padding (an all-NaN
    // max pool, a conv of nothing but its bias). ONNX Runtime refuses such models; so does
    // octet, here, where shape inference and both executors validate the geometry.
    const int64_t extent = p.window_extent(i);
    for (const auto& [side, pad] : {std::pair{"begin", p.pads_begin[i]}, std::pair{"end", p.pads_end[i]}})
      if (pad >= extent)
        fail(std::string("pad ") + std::to_string(pad) + " at the " + side + " of spatial dim " + std::to_string(i) +
             " is not smaller than the kernel extent " + std::to_string(extent) +
             ": some windows would lie entirely in padding");
  }
  return p;
}
}  // namespace

void check_window_geometry(const Graph& graph, const Node& node, size_t spatial_rank,
                           std::span<const int64_t> weight_kernel) {
  std::string same;
  window_geometry(graph, node, spatial_rank, weight_kernel, &same);
}

WindowParams window_params(const Graph& graph, const Node& node, std::span<const int64_t> in_spatial,
                           std::span<const int64_t> weight_kernel) {
  const size_t rank = in_spatial.size();
  std::string same;
  WindowParams p = window_geometry(graph, node, rank, weight_kernel, &same);
  if (!same.empty()) {
    // SAME pads are always narrower than the window: the total is below its extent.
    for (size_t i = 0; i < rank; ++i) {
      int64_t out = (in_spatial[i] + p.strides[i] - 1) / p.strides[i];
      int64_t total = std::max<int64_t>(0, (out - 1) * p.strides[i] + p.window_extent(i) - in_spatial[i]);
      int64_t small = total / 2, large = total - small;
      p.pads_begin[i] = same == "SAME_UPPER" ? small : large;
      p.pads_end[i] = same == "SAME_UPPER" ? large : small;
    }
  }
  for (size_t i = 0; i < rank; ++i) {
    const int64_t span = p.window_extent(i);
    if (in_spatial[i] + p.pads_begin[i] + p.pads_end[i] < span)
      throw Error(graph.describe(node) + ": window of " + std::to_string(span) + " is larger than the padded input (" +
                  std::to_string(in_spatial[i] + p.pads_begin[i] + p.pads_end[i]) + ")");
  }
  return p;
}

std::optional<std::pair<float, float>> constant_clip_bounds(const Graph& graph, const Node& clip) {
  const float inf = std::numeric_limits<float>::infinity();
  // Clip-6's attribute defaults are the float range's ends, not infinities.
  if (graph.opset < 11)
    return std::pair{clip.attr_float("min", std::numeric_limits<float>::lowest()),
                     clip.attr_float("max", std::numeric_limits<float>::max())};
  float bound[2] = {-inf, inf};
  for (size_t i = 1; i <= 2; ++i) {
    if (!clip.has_input(i)) continue;
    const Value& v = graph.value(clip.inputs[i]);
    if (!v.constant || v.constant->dtype != DType::Float32 || v.constant->numel() != 1) return std::nullopt;
    bound[i - 1] = v.constant->data<float>()[0];
  }
  return std::pair{bound[0], bound[1]};
}

std::optional<std::vector<int64_t>> split_explicit_sizes(const Graph& graph, const Node& split) {
  if (graph.opset < 13) {
    if (!split.has_attr("split")) return std::nullopt;
    return split.attr_ints("split");
  }
  if (!split.has_input(1)) return std::nullopt;
  const Value& v = graph.value(split.inputs[1]);
  if (!v.constant) return std::nullopt;
  if (v.constant->dtype != DType::Int64)
    throw Error(graph.describe(split) + ": input 'split' must be int64, got " + dtype_name(v.constant->dtype));
  return v.constant->as_int64();
}

std::optional<std::vector<int64_t>> split_sizes(const Graph& graph, const Node& split, int64_t length) {
  auto fail = [&](const std::string& msg) -> void { throw Error(graph.describe(split) + ": " + msg); };
  const int64_t outputs = static_cast<int64_t>(split.outputs.size());
  const bool computed = graph.opset >= 13 && split.has_input(1) && !graph.value(split.inputs[1]).constant;
  if (computed) return std::nullopt;
  if (std::optional<std::vector<int64_t>> sizes = split_explicit_sizes(graph, split)) {
    if (static_cast<int64_t>(sizes->size()) != outputs)
      fail(std::to_string(sizes->size()) + " split sizes for " + std::to_string(outputs) + " outputs");
    int64_t sum = 0;
    for (int64_t s : *sizes) {
      if (s < 0) fail("split size " + std::to_string(s) + " is negative");
      sum += s;
    }
    if (sum != length)
      fail("split sizes add up to " + std::to_string(sum) + ", the axis has " + std::to_string(length));
    return sizes;
  }
  int64_t parts = outputs;
  if (graph.opset >= 18 && split.has_attr("num_outputs")) {
    parts = split.attr_int("num_outputs", outputs);
    if (parts != outputs) fail("num_outputs is " + std::to_string(parts) + " but the node has " + std::to_string(outputs) + " outputs");
  }
  if (parts < 1) fail("a Split needs at least one output");
  if (graph.opset < 18 && length % parts != 0)
    fail("the axis of " + std::to_string(length) + " does not split into " + std::to_string(parts) + " equal parts");
  const int64_t chunk = (length + parts - 1) / parts;
  std::vector<int64_t> sizes;
  for (int64_t i = 0; i < parts; ++i) sizes.push_back(std::max<int64_t>(0, std::min(chunk, length - i * chunk)));
  return sizes;
}

}  // namespace octet
