// Merges an explicit zero Pad into the Convs it feeds. torch.onnx exports TF-style "SAME"
// padding of stride-2 convolutions as Pad([0,0,1,1]) → Conv(pads 0); as Conv pads the fast
// path pads on the fly instead of materialising a padded copy of the activation. A zero Pad
// that pads nothing (torch exports AvgPool2d(padding=0) as Pad(0) → AveragePool, as the MLPerf
// Tiny DS-CNN and MobileNetV1 have it) is an identity: its readers, whatever they are, read
// its input instead.
#include <optional>
#include <string>
#include <vector>

#include "graph/op_attrs.h"
#include "graph/passes/optimize.h"

namespace octet {

namespace {

struct SpatialPads {
  std::vector<int64_t> begin, end;   // per spatial dim (dims 2..rank-1)
};

// A constant integer input of `n`; nullopt when omitted or not constant.
std::optional<std::vector<int64_t>> const_ints(const Graph& g, const Node& n, size_t i) {
  if (!n.has_input(i)) return std::nullopt;
  const Value& v = g.value(n.inputs[i]);
  if (!v.constant || (v.constant->dtype != DType::Int64 && v.constant->dtype != DType::Int32)) return std::nullopt;
  return v.constant->as_int64();
}

// The spatial pads of a constant-mode, zero-valued Pad that leaves batch and channels alone;
// nullopt for anything else (reflect/edge modes, a non-zero value, negative (cropping) pads,
// pads not known at this point).
std::optional<SpatialPads> zero_spatial_pads(const Graph& g, const Node& pad) {
  if (pad.outputs.size() != 1 || !pad.has_input(0)) return std::nullopt;
  if (pad.attr_string("mode", "constant") != "constant") return std::nullopt;
  std::vector<int64_t> raw;
  std::optional<std::vector<int64_t>> axes;
  if (g.opset < 11) {
    if (pad.attr_float("value", 0.f) != 0.f) return std::nullopt;
    raw = pad.attr_ints("pads");
  } else {
    std::optional<std::vector<int64_t>> p = const_ints(g, pad, 1);
    if (!p) return std::nullopt;
    raw = std::move(*p);
    if (pad.has_input(2)) {
      const Value& cv = g.value(pad.inputs[2]);
      if (!cv.constant || cv.constant->numel() != 1 || cv.constant->as_double()[0] != 0.0) return std::nullopt;
    }
    if (pad.has_input(3)) {   // Pad-18 axes
      axes = const_ints(g, pad, 3);
      if (!axes) return std::nullopt;
    }
  }
  const Shape& in_shape = g.value(pad.inputs[0]).shape;
  int64_t rank = static_cast<int64_t>(raw.size() / 2);
  if (axes) {
    if (!in_shape.has_rank) return std::nullopt;
    rank = static_cast<int64_t>(in_shape.dims.size());
  }
  if (raw.size() % 2 != 0 || rank < 3 || (in_shape.has_rank && static_cast<int64_t>(in_shape.dims.size()) != rank))
    return std::nullopt;

  std::vector<int64_t> begin(static_cast<size_t>(rank), 0), end(static_cast<size_t>(rank), 0);
  const size_t listed = raw.size() / 2;
  for (size_t k = 0; k < listed; ++k) {
    int64_t axis = static_cast<int64_t>(k);
    if (axes) {
      if (axes->size() != listed) return std::nullopt;
      axis = (*axes)[k] < 0 ? (*axes)[k] + rank : (*axes)[k];
      if (axis < 0 || axis >= rank) return std::nullopt;
    }
    begin[static_cast<size_t>(axis)] += raw[k];
    end[static_cast<size_t>(axis)] += raw[k + listed];
  }
  for (int64_t a = 0; a < rank; ++a) {
    const size_t i = static_cast<size_t>(a);
    if (begin[i] < 0 || end[i] < 0) return std::nullopt;
    if (a < 2 && (begin[i] != 0 || end[i] != 0)) return std::nullopt;
  }
  return SpatialPads{{begin.begin() + 2, begin.end()}, {end.begin() + 2, end.end()}};
}

// The Conv's own pads as explicit numbers. auto_pad SAME_* depends on the Conv's input size,
// which is the padded tensor `x`: it must be known. nullopt when they cannot be determined
// (the executor will report whatever is wrong with the node).
std::optional<SpatialPads> conv_pads(const Graph& g, const Node& conv, const Shape& x, size_t spatial) {
  const std::string auto_pad = conv.attr_string("auto_pad", "NOTSET");
  if (auto_pad == "VALID") return SpatialPads{std::vector<int64_t>(spatial, 0), std::vector<int64_t>(spatial, 0)};
  if (auto_pad == "NOTSET") {
    const std::vector<int64_t> p = conv.attr_ints("pads", std::vector<int64_t>(2 * spatial, 0));
    if (p.size() != 2 * spatial) return std::nullopt;
    return SpatialPads{{p.begin(), p.begin() + static_cast<long>(spatial)}, {p.begin() + static_cast<long>(spatial), p.end()}};
  }
  if (!x.has_rank || x.dims.size() != spatial + 2 || !conv.has_input(1)) return std::nullopt;
  std::vector<int64_t> in_spatial, kernel;
  for (size_t i = 0; i < spatial; ++i) {
    if (!x.dims[i + 2].is_known()) return std::nullopt;
    in_spatial.push_back(x.dims[i + 2].value);
  }
  const Shape& w = g.value(conv.inputs[1]).shape;
  if (w.has_rank && w.dims.size() == spatial + 2)
    for (size_t i = 0; i < spatial; ++i) {
      if (!w.dims[i + 2].is_known()) return std::nullopt;
      kernel.push_back(w.dims[i + 2].value);
    }
  try {
    const WindowParams wp = window_params(g, conv, in_spatial, kernel);
    return SpatialPads{wp.pads_begin, wp.pads_end};
  } catch (const Error&) {
    return std::nullopt;
  }
}

// Whether every window of the Conv still touches its input with the merged `pads`. A Pad
// wider than the Conv's window (Pad 2 → 1x1 Conv) is a valid model, but as Conv pads it would
// put windows entirely in padding, which window_params refuses: such a Pad stays.
bool pads_narrower_than_window(const Graph& g, const Node& conv, const SpatialPads& pads) {
  const size_t spatial = pads.begin.size();
  std::vector<int64_t> kernel = conv.attr_ints("kernel_shape");
  if (kernel.empty()) {
    if (!conv.has_input(1)) return false;
    const Shape& w = g.value(conv.inputs[1]).shape;
    if (!w.has_rank || w.dims.size() != spatial + 2) return false;
    for (size_t i = 0; i < spatial; ++i) {
      if (!w.dims[i + 2].is_known()) return false;
      kernel.push_back(w.dims[i + 2].value);
    }
  }
  const std::vector<int64_t> dilations = conv.attr_ints("dilations", std::vector<int64_t>(spatial, 1));
  if (kernel.size() != spatial || dilations.size() != spatial) return false;
  for (size_t i = 0; i < spatial; ++i) {
    const int64_t extent = (kernel[i] - 1) * dilations[i] + 1;
    if (pads.begin[i] >= extent || pads.end[i] >= extent) return false;
  }
  return true;
}

Attribute ints_attr(std::vector<int64_t> v) {
  Attribute a;
  a.kind = Attribute::Kind::Ints;
  a.ints = std::move(v);
  return a;
}

}  // namespace

bool fold_pad_into_conv(Graph& graph) {
  std::vector<std::vector<int>> consumers(graph.values.size());
  for (size_t n = 0; n < graph.nodes.size(); ++n)
    for (int in : graph.nodes[n].inputs)
      if (in != kNoValue) consumers[static_cast<size_t>(in)].push_back(static_cast<int>(n));

  std::vector<bool> drop(graph.nodes.size(), false);
  bool changed = false;
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    const Node& pad = graph.nodes[n];
    if (pad.op != OpKind::Pad) continue;
    const std::optional<SpatialPads> extra = zero_spatial_pads(graph, pad);
    if (!extra) continue;
    const int out = pad.outputs[0];
    const std::vector<int>& users = consumers[static_cast<size_t>(out)];
    if (users.empty() || opt::is_graph_output(graph, out)) continue;
    const size_t spatial = extra->begin.size();
    auto is_zero = [](const std::vector<int64_t>& v) {
      for (int64_t x : v)
        if (x != 0) return false;
      return true;
    };
    if (is_zero(extra->begin) && is_zero(extra->end)) {
      for (int u : users)
        for (int& in : graph.nodes[static_cast<size_t>(u)].inputs)
          if (in == out) in = pad.inputs[0];
      drop[n] = true;
      changed = true;
      continue;
    }

    // Every reader must be a Conv reading it as X (and only as X), with pads we can merge.
    std::vector<SpatialPads> merged;
    bool ok = true;
    for (int u : users) {
      const Node& conv = graph.nodes[static_cast<size_t>(u)];
      bool only_x = conv.op == OpKind::Conv && conv.inputs[0] == out;
      for (size_t i = 1; only_x && i < conv.inputs.size(); ++i) only_x = conv.inputs[i] != out;
      std::optional<SpatialPads> own = only_x ? conv_pads(graph, conv, graph.value(out).shape, spatial) : std::nullopt;
      if (!own || own->begin.size() != spatial) {
        ok = false;
        break;
      }
      for (size_t i = 0; i < spatial; ++i) {
        own->begin[i] += extra->begin[i];
        own->end[i] += extra->end[i];
      }
      if (!pads_narrower_than_window(graph, conv, *own)) {
        ok = false;
        break;
      }
      merged.push_back(std::move(*own));
    }
    if (!ok) continue;
    for (size_t k = 0; k < users.size(); ++k) {
      Node& conv = graph.nodes[static_cast<size_t>(users[k])];
      std::vector<int64_t> pads = merged[k].begin;
      pads.insert(pads.end(), merged[k].end.begin(), merged[k].end.end());
      conv.attrs.erase("auto_pad");
      conv.attrs["pads"] = ints_attr(std::move(pads));
      conv.inputs[0] = pad.inputs[0];
    }
    drop[n] = true;
    changed = true;
  }
  if (changed) opt::erase_nodes(graph, drop);
  return changed;
}

}  // namespace octet
