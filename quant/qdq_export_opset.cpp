// Rewrites the nodes of a graph below opset 13 into their opset-13 forms, so the QDQ exporter
// can write every model at opset 13 (the first with per-axis QuantizeLinear and the opset
// ONNX Runtime's quantizer requires for QDQ): attributes that became inputs become constant
// inputs, and Softmax's pre-13 "flatten from axis" semantics is kept where it is expressible.
#include "quant/qdq_detail.h"

namespace octet::quant::qdq {

namespace {

int int64_input(Graph& g, const Node& n, const std::string& what, const std::vector<int64_t>& v) {
  return new_constant(g, n.name + "_" + what, Tensor::from<int64_t>({static_cast<int64_t>(v.size())}, v));
}

int float_scalar(Graph& g, const Node& n, const std::string& what, float v) {
  return new_constant(g, n.name + "_" + what, Tensor::from<float>({}, {v}));
}

void upgrade(Graph& g, Node& n) {
  const int from = g.opset;
  switch (n.op) {
    case OpKind::Squeeze:
    case OpKind::Unsqueeze:
      if (n.has_attr("axes")) {
        const int axes = int64_input(g, n, "axes", n.attr_ints("axes"));
        n.inputs.resize(1);
        n.inputs.push_back(axes);
        n.attrs.erase("axes");
      }
      return;
    case OpKind::Clip:   // before 11: min and max attributes
      if (from < 11) {
        const float lo = n.attr_float("min", -3.402823466e38f), hi = n.attr_float("max", 3.402823466e38f);
        n.inputs.resize(1);
        n.inputs.push_back(float_scalar(g, n, "min", lo));
        n.inputs.push_back(float_scalar(g, n, "max", hi));
        n.attrs.erase("min");
        n.attrs.erase("max");
      }
      return;
    case OpKind::Dropout:   // ratio became an optional input; inference ignores it
      n.attrs.erase("ratio");
      n.attrs.erase("is_test");
      return;
    case OpKind::Pad:   // before 11: pads and value attributes
      if (from < 11) {
        const int pads = int64_input(g, n, "pads", n.attr_ints("pads"));
        const int value = float_scalar(g, n, "constant_value", n.attr_float("value", 0.f));
        n.inputs.resize(1);
        n.inputs.push_back(pads);
        n.inputs.push_back(value);
        n.attrs.erase("pads");
        n.attrs.erase("value");
      }
      return;
    case OpKind::Slice:   // before 10: starts, ends, axes attributes
      if (from < 10) {
        std::vector<int> in{n.inputs.at(0), int64_input(g, n, "starts", n.attr_ints("starts")),
                            int64_input(g, n, "ends", n.attr_ints("ends"))};
        if (n.has_attr("axes")) in.push_back(int64_input(g, n, "axes", n.attr_ints("axes")));
        n.inputs = in;
        n.attrs.clear();
      }
      return;
    case OpKind::Softmax: {
      // Before 13, Softmax normalises over all dims from `axis` (default 1) on: the same as
      // opset 13's per-axis Softmax only when that is the last dim.
      const Shape& s = g.value(n.inputs.at(0)).shape;
      const int64_t axis = n.attr_int("axis", 1);
      const int64_t rank = s.has_rank ? static_cast<int64_t>(s.dims.size()) : -1;
      const int64_t a = axis < 0 ? axis + rank : axis;
      if (rank < 0 || a != rank - 1)
        throw Error(g.describe(n) + ": Softmax over the dims from axis " + std::to_string(axis) + " of input " +
                    s.to_string() + " has no opset-13 form without a Reshape; export the model at opset 13 or above");
      Attribute attr;
      attr.i = a;
      n.attrs["axis"] = attr;
      return;
    }
    default: return;
  }
}

}  // namespace

void upgrade_to_opset13(Graph& g) {
  if (g.opset >= 13) return;
  for (size_t i = 0; i < g.nodes.size(); ++i) upgrade(g, g.nodes[i]);
  g.opset = 13;
}

}  // namespace octet::quant::qdq
