// Shape rules for the quantization operators: QuantizeLinear, DequantizeLinear (element-wise,
// shape preserved) and QLinearConv, QLinearMatMul (the Conv and MatMul rules applied to their
// data inputs; the element type of the output is that of y_zero_point).
#include <string>

#include "graph/passes/infer_shapes_rules.h"

namespace octet::shape_rules {

namespace {

// The node seen with only the inputs listed in `slots` (kNoValue where absent), so the float
// op's rule checks the data inputs; errors still name the quantized node.
Node data_view(const Node& n, std::initializer_list<size_t> slots) {
  Node view = n;
  view.inputs.clear();
  for (size_t s : slots) view.inputs.push_back(n.has_input(s) ? n.inputs[s] : kNoValue);
  return view;
}

// Element type of a quantized output: y_zero_point's when given, else (opset 21) the
// output_dtype attribute, else uint8 (ONNX's default).
DType quantized_output_dtype(const NodeView& v, size_t zero_point_slot) {
  if (v.in(zero_point_slot) != nullptr && v.dtype(zero_point_slot) != DType::Undefined)
    return v.dtype(zero_point_slot);
  const int64_t attr = v.n.attr_int("output_dtype", 0);
  if (attr != 0) return static_cast<DType>(attr);
  return DType::Uint8;
}

}  // namespace

Outputs infer_QuantizeLinear(const NodeView& v) {
  const DType out = quantized_output_dtype(v, 2);
  if (out != DType::Uint8 && out != DType::Int8)
    v.fail("quantizing to " + dtype_name(out) + " is not supported (uint8 and int8 only)");
  return {{out, v.shape(0)}};
}

Outputs infer_DequantizeLinear(const NodeView& v) {
  // The output has x_scale's element type (float32 before opset 19 added float16/bfloat16).
  const DType scale = v.dtype(1);
  return {{scale == DType::Undefined ? DType::Float32 : scale, v.shape(0)}};
}

Outputs infer_QLinearConv(const NodeView& v) {
  // x, w and the optional int32 bias B sit at slots 0, 3 and 8.
  const Node conv = data_view(v.n, {0, 3, 8});
  Outputs out = infer_Conv(NodeView{v.g, conv});
  out[0].dtype = quantized_output_dtype(v, 7);
  return out;
}

Outputs infer_QLinearMatMul(const NodeView& v) {
  const Node matmul = data_view(v.n, {0, 3});
  Outputs out = infer_MatMul(NodeView{v.g, matmul});
  out[0].dtype = quantized_output_dtype(v, 7);
  return out;
}

}  // namespace octet::shape_rules
