#include "quant/qdq_detail.h"

#include <algorithm>
#include <cmath>

#include "quant/scheme.h"

namespace octet::quant::qdq {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

namespace {

std::string per_axis_message(const Graph& g, const Node& n, const Value& v, const char* what) {
  return g.describe(n) + ": per-axis " + what + " '" + v.name + "' (" + std::to_string(v.constant->numel()) +
         " values) is not supported: octet's quantized IR holds one scale per channel along one axis of a "
         "1-D scale, with one zero point for all channels";
}

// Per-axis parameters (a 1-D scale of one value per index of `axis`, ONNX's default axis 1):
// the channel scales, `scale` their maximum. Zero points must all be equal.
void read_per_axis(const Graph& g, const Node& n, const Value& s, QuantParams& p) {
  const Value& x = g.value(n.inputs[0]);
  if (s.constant->rank() != 1) throw Error(per_axis_message(g, n, s, "scale"));
  int64_t axis = n.attr_int("axis", 1);
  const int64_t rank = x.constant ? int64_t(x.constant->rank()) : x.shape.has_rank ? int64_t(x.shape.dims.size()) : -1;
  if (rank < 0) throw Error(g.describe(n) + ": per-axis parameters of a value of unknown rank");
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) throw Error(g.describe(n) + ": axis " + std::to_string(n.attr_int("axis", 1)) + " is outside the input's rank");
  if (x.constant && x.constant->dims[size_t(axis)] != s.constant->numel())
    throw Error(g.describe(n) + ": scale '" + s.name + "' holds " + std::to_string(s.constant->numel()) +
                " values for the " + std::to_string(x.constant->dims[size_t(axis)]) + " channels of axis " +
                std::to_string(axis));
  p.axis = int32_t(axis);
  const std::span<const float> v = s.constant->values<float>();
  p.channel_scales.assign(v.begin(), v.end());
  for (float c : v)
    if (!(c > 0.f) || !std::isfinite(c))
      throw Error(g.describe(n) + ": scale '" + s.name + "' must be positive and finite, got " + std::to_string(c));
  p.scale = *std::max_element(v.begin(), v.end());
}

bool storable(DType t, OpKind op) {
  return t == DType::Uint8 || t == DType::Int8 || (op == OpKind::DequantizeLinear && t == DType::Int32);
}

}  // namespace

std::optional<QuantParams> node_params(const Graph& g, const Node& n) {
  if (n.attr_int("block_size", 0) != 0)
    throw Error(g.describe(n) + ": block quantization (block_size " + std::to_string(n.attr_int("block_size", 0)) +
                ") is not supported: octet's quantized IR holds per-tensor parameters");
  if (!n.has_input(1)) throw Error(g.describe(n) + ": the scale input is missing");
  const Value& s = g.value(n.inputs[1]);
  if (!s.constant) return std::nullopt;
  if (s.constant->dtype != DType::Float32)
    throw Error(g.describe(n) + ": scale '" + s.name + "' is " + dtype_name(s.constant->dtype) +
                "; octet supports float32 scales only");
  QuantParams p;
  if (s.constant->numel() != 1) {   // per axis; [1] and scalars are per tensor
    read_per_axis(g, n, s, p);
  } else {
    p.scale = s.constant->values<float>()[0];
    if (!(p.scale > 0.f) || !std::isfinite(p.scale))
      throw Error(g.describe(n) + ": scale '" + s.name + "' must be positive and finite, got " + std::to_string(p.scale));
  }
  if (n.has_input(2)) {
    const Value& z = g.value(n.inputs[2]);
    if (!z.constant) return std::nullopt;
    if (z.constant->numel() != int64_t(std::max<size_t>(p.channel_scales.size(), 1)))
      throw Error(per_axis_message(g, n, z, "zero point"));
    const std::vector<int64_t> zs = z.constant->as_int64();
    if (std::any_of(zs.begin(), zs.end(), [&](int64_t v) { return v != zs[0]; }))
      throw Error(per_axis_message(g, n, z, "zero point with unequal values"));
    p.dtype = z.constant->dtype;
    if (storable(p.dtype, n.op)) p.zero_point = static_cast<int32_t>(zs[0]);
  } else if (n.op == OpKind::QuantizeLinear) {
    p.dtype = static_cast<DType>(n.attr_int("output_dtype", static_cast<int64_t>(DType::Uint8)));
  } else {
    p.dtype = g.value(n.inputs[0]).dtype;   // DequantizeLinear without zero point: x's type
  }
  if (!storable(p.dtype, n.op))
    throw Error(g.describe(n) + ": quantized type " + dtype_name(p.dtype) +
                " is not supported (uint8 and int8; int32 for a dequantized bias)");
  return p;
}

Tensor dequantize_tensor(const Tensor& q, const QuantParams& p) {
  const std::vector<int64_t> codes = q.as_int64();
  Tensor out(DType::Float32, q.dims);
  float* o = out.data<float>();
  for (size_t i = 0; i < codes.size(); ++i) o[i] = dequantize_value(codes[i], element_params(p, q.dims, int64_t(i)));
  return out;
}

Tensor quantize_tensor(const Tensor& x, const QuantParams& p) {
  Tensor out(p.dtype, x.dims);
  const std::span<const float> v = x.values<float>();
  for (size_t i = 0; i < v.size(); ++i) {
    const int64_t q = quantize_value(v[i], element_params(p, x.dims, int64_t(i)));
    switch (p.dtype) {
      case DType::Uint8: out.data<uint8_t>()[i] = static_cast<uint8_t>(q); break;
      case DType::Int8: out.data<int8_t>()[i] = static_cast<int8_t>(q); break;
      case DType::Int32: out.data<int32_t>()[i] = static_cast<int32_t>(q); break;
      default: throw Error("cannot quantize to " + dtype_name(p.dtype));
    }
  }
  return out;
}

Tensor fake_quantize_tensor(const Tensor& x, const QuantParams& p) { return dequantize_tensor(quantize_tensor(x, p), p); }

std::vector<std::vector<int>> consumers(const Graph& g) {
  std::vector<std::vector<int>> out(g.values.size());
  for (size_t n = 0; n < g.nodes.size(); ++n)
    for (int in : g.nodes[n].inputs)
      if (in != kNoValue) out[static_cast<size_t>(in)].push_back(static_cast<int>(n));
  return out;
}

bool is_graph_output(const Graph& g, int value) {
  return std::find(g.outputs.begin(), g.outputs.end(), value) != g.outputs.end();
}

bool is_graph_input(const Graph& g, int value) {
  return std::find(g.inputs.begin(), g.inputs.end(), value) != g.inputs.end();
}

void replace_uses(Graph& g, int from, int to) {
  for (Node& n : g.nodes)
    for (int& in : n.inputs)
      if (in == from) in = to;
  for (int& out : g.outputs)
    if (out == from) out = to;
}

void erase_nodes(Graph& g, const std::vector<bool>& drop) {
  std::vector<Node> kept;
  for (size_t i = 0; i < g.nodes.size(); ++i)
    if (!drop[i]) kept.push_back(std::move(g.nodes[i]));
  g.nodes = std::move(kept);
}

std::vector<int> compact_values(Graph& g) {
  std::vector<bool> used(g.values.size(), false);
  auto mark = [&](int id) {
    if (id != kNoValue) used[static_cast<size_t>(id)] = true;
  };
  for (int id : g.inputs) mark(id);
  for (int id : g.outputs) mark(id);
  for (const Node& n : g.nodes) {
    for (int id : n.inputs) mark(id);
    for (int id : n.outputs) mark(id);
  }
  std::vector<int> remap(g.values.size(), kNoValue);
  std::vector<Value> kept;
  for (size_t i = 0; i < g.values.size(); ++i) {
    if (!used[i]) continue;
    remap[i] = static_cast<int>(kept.size());
    kept.push_back(std::move(g.values[i]));
  }
  g.values = std::move(kept);
  auto fix = [&](int& id) {
    if (id != kNoValue) id = remap[static_cast<size_t>(id)];
  };
  for (int& id : g.inputs) fix(id);
  for (int& id : g.outputs) fix(id);
  for (Node& n : g.nodes) {
    for (int& id : n.inputs) fix(id);
    for (int& id : n.outputs) fix(id);
  }
  return remap;
}

int new_value(Graph& g, const std::string& name, DType dtype, Shape shape) {
  std::string unique = name;
  for (int k = 1; g.find_value(unique) != kNoValue; ++k) unique = name + "_" + std::to_string(k);
  Value v;
  v.name = unique;
  v.dtype = dtype;
  v.shape = std::move(shape);
  return g.add_value(std::move(v));
}

int new_constant(Graph& g, const std::string& name, Tensor t) {
  const int id = new_value(g, name, t.dtype, Shape::of(t.dims));
  g.value(id).constant = std::move(t);
  return id;
}

}  // namespace octet::quant::qdq
