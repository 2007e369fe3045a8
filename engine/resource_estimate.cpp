#include "engine/resource_estimate.h"

#include <algorithm>
#include <map>
#include <string>

#include "graph/op_attrs.h"

namespace octet {

namespace {

double elements(const std::vector<int64_t>& dims) {
  double n = 1;
  for (int64_t d : dims) n *= static_cast<double>(d);
  return n;
}

const std::vector<int64_t>* dims_of(const ValueDims& dims, int id) {
  if (id == kNoValue || static_cast<size_t>(id) >= dims.size() || !dims[static_cast<size_t>(id)]) return nullptr;
  return &*dims[static_cast<size_t>(id)];
}

// Output positions x window of a Conv or pool: x [N, C, spatial...]; the window's kernel from
// the weight's spatial dims for a Conv, from kernel_shape for a pool.
std::optional<double> window_cost(const Graph& g, const Node& n, const std::vector<int64_t>& x,
                                  const std::vector<int64_t>* w) {
  if (x.size() < 3) return std::nullopt;
  const std::span<const int64_t> spatial(x.data() + 2, x.size() - 2);
  std::span<const int64_t> weight_kernel;
  if (w != nullptr) {
    if (w->size() != x.size()) return std::nullopt;
    weight_kernel = std::span<const int64_t>(w->data() + 2, w->size() - 2);
  }
  const WindowParams wp = window_params(g, n, spatial, weight_kernel);
  const double positions = elements(wp.output_spatial(spatial)) * static_cast<double>(x[0]);
  const double window = elements(wp.kernel);
  if (w != nullptr) return positions * static_cast<double>((*w)[0]) * static_cast<double>((*w)[1]) * window;
  return positions * static_cast<double>(x[1]) * window;
}

// numpy MatMul: a [..., M, K] times b [..., K, N] (a 1-D operand is a row or a column).
std::optional<double> matmul_cost(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  if (a.empty() || b.empty()) return std::nullopt;
  const double k = static_cast<double>(a.back());
  const double m = a.size() >= 2 ? static_cast<double>(a[a.size() - 2]) : 1;
  const double cols = b.size() >= 2 ? static_cast<double>(b.back()) : 1;
  const double batch_a = a.size() > 2 ? elements(std::vector<int64_t>(a.begin(), a.end() - 2)) : 1;
  const double batch_b = b.size() > 2 ? elements(std::vector<int64_t>(b.begin(), b.end() - 2)) : 1;
  return std::max(batch_a, batch_b) * m * k * cols;
}

}  // namespace

ValueDims bind_value_dims(const Graph& graph, std::span<const std::vector<int64_t>> input_dims, int64_t unbound) {
  std::map<std::string, int64_t> symbols;
  for (size_t i = 0; i < graph.inputs.size() && i < input_dims.size(); ++i) {
    const Shape& s = graph.value(graph.inputs[i]).shape;
    if (!s.has_rank || s.dims.size() != input_dims[i].size()) continue;
    for (size_t d = 0; d < s.dims.size(); ++d)
      if (!s.dims[d].is_known() && !s.dims[d].symbol.empty()) symbols.emplace(s.dims[d].symbol, input_dims[i][d]);
  }
  ValueDims dims(graph.values.size());
  for (size_t id = 0; id < graph.values.size(); ++id) {
    const Value& v = graph.values[id];
    if (v.constant) {
      dims[id] = v.constant->dims;
      continue;
    }
    if (!v.shape.has_rank) continue;
    std::vector<int64_t> d;
    bool known = true;
    for (const Dim& dim : v.shape.dims) {
      if (dim.is_known()) d.push_back(dim.value);
      else if (dim.symbol.empty()) known = false;
      else {
        auto it = symbols.find(dim.symbol);
        d.push_back(it != symbols.end() ? it->second : unbound);
      }
    }
    if (known) dims[id] = std::move(d);
  }
  for (size_t i = 0; i < graph.inputs.size() && i < input_dims.size(); ++i)
    dims[static_cast<size_t>(graph.inputs[i])] = input_dims[i];
  return dims;
}

std::optional<double> node_cost(const Graph& graph, const Node& node, const ValueDims& dims) {
  auto input = [&](size_t i) { return i < node.inputs.size() ? dims_of(dims, node.inputs[i]) : nullptr; };
  switch (node.op) {
    case OpKind::Conv:
      if (!input(0) || !input(1)) return std::nullopt;
      return window_cost(graph, node, *input(0), input(1));
    case OpKind::MaxPool:
    case OpKind::AveragePool:
      if (!input(0)) return std::nullopt;
      return window_cost(graph, node, *input(0), nullptr);
    case OpKind::MatMul:
      if (!input(0) || !input(1)) return std::nullopt;
      return matmul_cost(*input(0), *input(1));
    case OpKind::Gemm: {
      if (!input(0) || !input(1) || input(0)->size() != 2 || input(1)->size() != 2) return std::nullopt;
      const std::vector<int64_t>&a = *input(0), &b = *input(1);
      const bool ta = node.attr_int("transA", 0) != 0, tb = node.attr_int("transB", 0) != 0;
      return static_cast<double>(ta ? a[1] : a[0]) * static_cast<double>(ta ? a[0] : a[1]) *
             static_cast<double>(tb ? b[0] : b[1]);
    }
    default: {
      double total = 0;
      for (size_t i = 0; i < node.inputs.size(); ++i) {
        if (node.inputs[i] == kNoValue) continue;
        if (!input(i)) return std::nullopt;
        total += elements(*input(i));
      }
      return total;
    }
  }
}

void check_graph_cost(const Graph& graph, const ValueDims& dims, int64_t batch, const ResourceLimits& limits) {
  std::vector<Consumer> costs;
  for (const Node& n : graph.nodes)
    if (std::optional<double> c = node_cost(graph, n, dims)) costs.push_back({graph.describe(n), *c});
  check_cost_budget(costs, limits.max_cost_per_image, batch, "the graph");
}

void check_graph_memory(const Graph& graph, const ValueDims& dims, const ResourceLimits& limits) {
  auto bytes = [&](int id) {
    const std::vector<int64_t>* d = dims_of(dims, id);
    return d ? elements(*d) * static_cast<double>(dtype_size(graph.value(id).dtype)) : 0.0;
  };
  std::vector<int> last_use(graph.values.size(), -1);
  for (size_t n = 0; n < graph.nodes.size(); ++n)
    for (int in : graph.nodes[n].inputs)
      if (in != kNoValue) last_use[static_cast<size_t>(in)] = static_cast<int>(n);
  for (int out : graph.outputs) last_use[static_cast<size_t>(out)] = static_cast<int>(graph.nodes.size());

  double constants = 0;
  std::vector<Consumer> tensors;
  for (size_t id = 0; id < graph.values.size(); ++id)
    if (graph.values[id].constant) constants += bytes(static_cast<int>(id));
  double live = 0, peak = 0;
  for (int in : graph.inputs) live += bytes(in);
  peak = live;
  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    const Node& node = graph.nodes[n];
    for (int out : node.outputs) {
      live += bytes(out);
      tensors.push_back({"'" + graph.value(out).name + "' of " + graph.describe(node), bytes(out)});
    }
    peak = std::max(peak, live);
    for (int in : node.inputs)
      if (in != kNoValue && !graph.value(in).constant && last_use[static_cast<size_t>(in)] == static_cast<int>(n))
        live -= bytes(in);
  }
  check_memory_budget({{"constants", constants}, {"live tensors at their peak", peak}}, limits.max_memory_bytes,
                      "the graph", tensors, "its biggest tensors");
}

}  // namespace octet
