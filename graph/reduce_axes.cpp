#include "graph/reduce_axes.h"

#include <string>

namespace octet {

std::optional<ReduceAxes> reduce_axes(const Graph& g, const Node& n, int64_t rank, const Tensor* axes_input,
                                      bool axes_input_known) {
  auto fail = [&](const std::string& msg) -> void { throw Error(g.describe(n) + ": " + msg); };
  std::vector<int64_t> axes;
  if (g.opset >= 18) {
    if (!axes_input_known) return std::nullopt;
    if (axes_input != nullptr) {
      if (axes_input->dtype != DType::Int64) fail("input 'axes' must be int64, got " + dtype_name(axes_input->dtype));
      if (axes_input->rank() > 1) fail("input 'axes' must be 1-D, got shape " + dims_to_string(axes_input->dims));
      axes = axes_input->as_int64();
    }
  } else {
    axes = n.attr_ints("axes", {});
  }
  ReduceAxes r;
  r.keepdims = n.attr_int("keepdims", 1) != 0;
  r.reduced.assign(static_cast<size_t>(rank), false);
  if (axes.empty()) {
    r.identity = g.opset >= 18 && n.attr_int("noop_with_empty_axes", 0) != 0;
    if (!r.identity) r.reduced.assign(static_cast<size_t>(rank), true);
    return r;
  }
  for (int64_t a : axes) {
    if (a < -rank || a >= rank)
      fail("axis " + std::to_string(a) + " is out of range for an input of rank " + std::to_string(rank));
    const size_t i = static_cast<size_t>(a < 0 ? a + rank : a);
    if (r.reduced[i]) fail("axis " + std::to_string(a) + " is listed twice");
    r.reduced[i] = true;
  }
  return r;
}

}  // namespace octet
