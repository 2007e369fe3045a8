#include "graph/passes/shape_values.h"

#include <algorithm>

#include "graph/passes/infer_shapes_rules.h"

namespace octet {

bool ShapeValue::fully_known() const {
  return std::all_of(elements.begin(), elements.end(), [](const Dim& d) { return d.is_known(); });
}

Tensor ShapeValue::to_tensor() const {
  std::vector<int64_t> v;
  for (const Dim& d : elements) v.push_back(d.value);
  return Tensor::from<int64_t>(scalar ? std::vector<int64_t>{} : std::vector<int64_t>{static_cast<int64_t>(v.size())},
                               std::span<const int64_t>(v));
}

std::optional<ShapeValue> ShapeValues::tracked(const Graph& g, int value_id) const {
  if (value_id == kNoValue) return std::nullopt;
  if (auto it = values_.find(value_id); it != values_.end()) return it->second;
  const Value& v = g.value(value_id);
  if (!v.constant || (v.constant->dtype != DType::Int64 && v.constant->dtype != DType::Int32) || v.constant->rank() > 1)
    return std::nullopt;
  ShapeValue s;
  s.scalar = v.constant->rank() == 0;
  for (int64_t e : v.constant->as_int64()) s.elements.push_back(Dim::known(e));
  return s;
}

std::optional<ShapeValue> ShapeValues::derive(const Graph& g, const Node& n) {
  if (n.outputs.empty() || n.outputs[0] == kNoValue || !n.has_input(0)) return std::nullopt;
  std::optional<ShapeValue> out;
  const std::optional<ShapeValue> in = n.op == OpKind::Shape ? std::nullopt : tracked(g, n.inputs[0]);
  switch (n.op) {
    case OpKind::Shape: {
      const Shape& s = g.value(n.inputs[0]).shape;
      if (!s.has_rank) break;
      const auto [start, end] = shape_rules::shape_op_range(n, static_cast<int64_t>(s.dims.size()));
      out = ShapeValue{{s.dims.begin() + start, s.dims.begin() + end}, false};
      break;
    }
    case OpKind::Gather: {
      const std::optional<ShapeValue> idx = tracked(g, n.has_input(1) ? n.inputs[1] : kNoValue);
      if (!in || in->scalar || !idx || !idx->fully_known() || n.attr_int("axis", 0) != 0) break;
      const int64_t size = static_cast<int64_t>(in->elements.size());
      ShapeValue s{{}, idx->scalar};
      for (const Dim& i : idx->elements) {
        const int64_t k = i.value < 0 ? i.value + size : i.value;
        if (k < 0 || k >= size) return std::nullopt;   // out of range: the evaluator reports it
        s.elements.push_back(in->elements[static_cast<size_t>(k)]);
      }
      out = s;
      break;
    }
    case OpKind::Unsqueeze: {
      const std::vector<int64_t> axes = g.opset >= 13 ? (n.has_input(1) && g.value(n.inputs[1]).constant
                                                             ? g.value(n.inputs[1]).constant->as_int64()
                                                             : std::vector<int64_t>{})
                                                      : n.attr_ints("axes", {});
      if (in && in->scalar && (axes == std::vector<int64_t>{0} || axes == std::vector<int64_t>{-1}))
        out = ShapeValue{in->elements, false};
      break;
    }
    case OpKind::Squeeze:
      if (in && !in->scalar && in->elements.size() == 1) out = ShapeValue{in->elements, true};
      break;
    case OpKind::Concat: {
      if (n.attr_int("axis", 1) != 0 && n.attr_int("axis", 1) != -1) break;
      ShapeValue s;
      for (int id : n.inputs) {
        const std::optional<ShapeValue> part = tracked(g, id);
        if (!part || part->scalar) return std::nullopt;
        s.elements.insert(s.elements.end(), part->elements.begin(), part->elements.end());
      }
      out = s;
      break;
    }
    case OpKind::Cast:
      if (in && n.attr_int("to", 0) == static_cast<int64_t>(DType::Int64)) out = in;
      break;
    case OpKind::Identity: out = in; break;
    default: break;
  }
  if (out) values_[n.outputs[0]] = *out;
  return out;
}

std::optional<std::vector<int64_t>> ShapeValues::reshape_target(const Graph& g, const Node& reshape) const {
  if (!reshape.has_input(0) || !reshape.has_input(1) || reshape.attr_int("allowzero", 0) != 0) return std::nullopt;
  const auto it = values_.find(reshape.inputs[1]);
  if (it == values_.end() || it->second.scalar) return std::nullopt;
  const Shape& in = g.value(reshape.inputs[0]).shape;
  std::vector<int64_t> target;
  bool inferred = false;   // a -1 is used
  auto infer_here = [&]() {
    if (inferred) return false;
    inferred = true;
    target.push_back(-1);
    return true;
  };
  for (size_t i = 0; i < it->second.elements.size(); ++i) {
    const Dim& d = it->second.elements[i];
    const bool input_dim_known = in.has_rank && i < in.dims.size() && (in.dims[i].is_known() || !in.dims[i].symbol.empty());
    if (d.is_known()) {
      if (d.value == -1 && !infer_here()) return std::nullopt;
      if (d.value != -1) target.push_back(d.value);
    } else if (!d.symbol.empty() && input_dim_known && in.dims[i] == d) {
      target.push_back(0);
    } else if (!d.symbol.empty() && in.has_rank && i < in.dims.size() && !input_dim_known) {
      return std::nullopt;   // the input's shape is not inferred yet: a later round decides
    } else if (!infer_here()) {
      return std::nullopt;
    }
  }
  return target;
}

}  // namespace octet
