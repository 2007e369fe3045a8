// The QOperator form (QLinearConv, QLinearMatMul) rewritten into the QDQ form, so that one
// recogniser (qdq_import.cpp) serves both:
//   QLinearConv(x, sx, zx, w, sw, zw, sy, zy, B) ->
//     DequantizeLinear(x, sx, zx), DequantizeLinear(w, sw, zw),
//     DequantizeLinear(B, sx*sw, 0)  (ONNX defines B as int32 at scale sx*sw, zero point 0),
//     Conv(same attributes) -> QuantizeLinear(sy, zy) -> the original output.
//   QLinearMatMul likewise with MatMul and no bias.
// The QLinear op requantises its exact integer accumulator once; the QDQ form computes the
// same sum in float before rounding, so results agree up to float rounding at ties.
#include "quant/qdq_detail.h"

namespace octet::quant::qdq {

namespace {

const char* const kConvNames[] = {"x", "x_scale", "x_zero_point", "w", "w_scale", "w_zero_point", "y_scale", "y_zero_point"};
const char* const kMatMulNames[] = {"a", "a_scale", "a_zero_point", "b", "b_scale", "b_zero_point", "y_scale", "y_zero_point"};

Node make_node(OpKind op, std::string name, std::vector<int> inputs, std::vector<int> outputs) {
  Node n;
  n.op = op;
  n.name = std::move(name);
  n.inputs = std::move(inputs);
  n.outputs = std::move(outputs);
  return n;
}

// The quantization parameters must be initializers: octet's IR stores them on the values.
void check_inputs(const Graph& g, const Node& n, const char* const* names) {
  for (size_t i = 0; i < 8; ++i) {
    if (!n.has_input(i)) throw Error(g.describe(n) + ": input " + std::to_string(i) + " ('" + names[i] + "') is missing");
    if (i != 0 && i != 3 && !g.value(n.inputs[i]).constant)
      throw Error(g.describe(n) + ": " + names[i] + " '" + g.value(n.inputs[i]).name +
                  "' is computed at run time; octet recognises quantized operators whose scales and zero points "
                  "are initializers only");
  }
}

// A new DequantizeLinear of input slot x with the scale and zero point at slots x+1, x+2.
int dequantize(Graph& g, std::vector<Node>& out, const Node& n, size_t x, const char* tag) {
  const int in = n.inputs[x];
  const int f = new_value(g, g.value(in).name + std::string(kDequantOutputSuffix), DType::Float32);
  out.push_back(make_node(OpKind::DequantizeLinear, n.name + "_" + tag + std::string(kDequantSuffix),
                          {in, n.inputs[x + 1], n.inputs[x + 2]}, {f}));
  return f;
}

float single_float(const Graph& g, const Node& n, size_t slot, const char* name) {
  const Value& v = g.value(n.inputs[slot]);
  if (v.constant->dtype != DType::Float32 || v.constant->numel() != 1)
    throw Error(g.describe(n) + ": " + name + " '" + v.name + "' (" + dtype_name(v.constant->dtype) + " " +
                dims_to_string(v.constant->dims) +
                ") must be one float32 value: octet's quantized IR holds per-tensor parameters only");
  return v.constant->values<float>()[0];
}

}  // namespace

void expand_qlinear_ops(Graph& g, std::vector<std::pair<int, std::string>>& renames) {
  std::vector<Node> out;
  std::vector<Node> old = std::move(g.nodes);
  g.nodes.clear();
  for (Node& n : old) {
    if (n.op != OpKind::QLinearConv && n.op != OpKind::QLinearMatMul) {
      out.push_back(std::move(n));
      continue;
    }
    const bool conv = n.op == OpKind::QLinearConv;
    check_inputs(g, n, conv ? kConvNames : kMatMulNames);
    std::vector<int> inputs{dequantize(g, out, n, 0, conv ? "x" : "a"), dequantize(g, out, n, 3, conv ? "w" : "b")};
    if (conv && n.has_input(8)) {
      const std::string b = g.value(n.inputs[8]).name;   // a copy: new values move the vector
      if (!g.value(n.inputs[8]).constant) throw Error(g.describe(n) + ": bias B '" + b + "' must be an initializer");
      const float scale = single_float(g, n, 1, "x_scale") * single_float(g, n, 4, "w_scale");
      const std::string base = b + std::string(kQuantizedSuffix);
      const int s = new_constant(g, base + std::string(kScaleSuffix), Tensor::from<float>({}, {scale}));
      const int z = new_constant(g, base + std::string(kZeroPointSuffix), Tensor::from<int32_t>({}, {0}));
      const int f = new_value(g, b + std::string(kDequantOutputSuffix), DType::Float32);
      out.push_back(make_node(OpKind::DequantizeLinear, n.name + "_B" + std::string(kDequantSuffix),
                              {n.inputs[8], s, z}, {f}));
      inputs.push_back(f);
    }
    const int y = n.outputs.at(0);
    const std::string y_name = g.value(y).name;
    const int yf = new_value(g, y_name + std::string(kQuantInputSuffix), DType::Float32);
    Node op = make_node(conv ? OpKind::Conv : OpKind::MatMul, n.name, std::move(inputs), {yf});
    if (conv) op.attrs = n.attrs;   // QLinearConv has exactly Conv's attributes
    out.push_back(std::move(op));
    out.push_back(make_node(OpKind::QuantizeLinear, n.name + "_y" + std::string(kQuantSuffix),
                            {yf, n.inputs[6], n.inputs[7]}, {y}));
    renames.emplace_back(yf, y_name);
  }
  g.nodes = std::move(out);
}

}  // namespace octet::quant::qdq
