// An AveragePool with one window over the whole spatial map is a GlobalAveragePool (Keras's
// AveragePooling2D(8) on an 8x8 map is exported that way by tf2onnx), which the fast path
// runs as a plain per-channel mean.
#include <vector>

#include "graph/op_attrs.h"
#include "graph/passes/optimize.h"

namespace octet {

namespace {

bool is_whole_map_average(const Graph& g, const Node& n) {
  if (n.op != OpKind::AveragePool || n.input_count() != 1 || n.outputs.size() != 1) return false;
  const Shape& x = g.value(n.inputs[0]).shape;
  if (!x.has_rank || x.dims.size() < 3) return false;
  std::vector<int64_t> spatial;
  for (size_t i = 2; i < x.dims.size(); ++i) {
    if (!x.dims[i].is_known()) return false;
    spatial.push_back(x.dims[i].value);
  }
  try {
    const WindowParams wp = window_params(g, n, spatial);
    for (size_t i = 0; i < spatial.size(); ++i)
      if (wp.kernel[i] != spatial[i] || wp.dilations[i] != 1 || wp.pads_begin[i] != 0 || wp.pads_end[i] != 0)
        return false;
    // With the window the size of the map there is exactly one output per channel, whatever
    // the strides and ceil_mode; checked rather than assumed.
    for (int64_t o : wp.output_spatial(spatial))
      if (o != 1) return false;
  } catch (const Error&) {
    return false;   // an invalid node: leave it for the executor to report
  }
  return true;
}

}  // namespace

bool pool_to_global(Graph& graph) {
  bool changed = false;
  for (Node& n : graph.nodes) {
    if (!is_whole_map_average(graph, n)) continue;
    n.op = OpKind::GlobalAveragePool;
    n.attrs.clear();
    changed = true;
  }
  return changed;
}

}  // namespace octet
